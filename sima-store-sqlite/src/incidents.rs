//! Incidents: creation (number allocation, dedup), appends with optimistic
//! concurrency, loads and listing. The snapshot is stored as JSON beside the
//! columns that queries filter on.

use std::time::Instant;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::domain::{DedupKey, Incident, IncidentEvent, IncidentId, IncidentNumber, RoomId, Ticket, TicketState};
use sima_core::ports::{
    AppendBatch, Created, IncidentCounts, IncidentFilter, Incidents, MilestoneRow, NewIncident, PortError,
};
use sima_store_sql::to_i64;
use tokio::sync::oneshot;

use crate::db::Db;
use crate::error::{corrupt, port_error};
use crate::filter::{bind_filter, list_sql};
use crate::store::SqliteStore;
use crate::time::ts;
use crate::writes::{mismatched, open_by_key, read, Write, Written};
use crate::{events, metrics};

/// A row of `action_items` with a ticket: incident id, position, and the ticket's columns.
type TicketRow = (String, i64, String, Option<String>, Option<String>, Option<String>, Option<String>);

fn linked(row: TicketRow) -> Result<(IncidentId, u32, Ticket), PortError> {
    let (incident, position, id, key, url, status, state) = row;
    let incident = uuid::Uuid::parse_str(&incident).map_err(|e| corrupt("action_items.incident_id", e.to_string()))?;
    let number = u32::try_from(position + 1).map_err(|_| corrupt("action_items.position", position.to_string()))?;
    let state = match state.as_deref() {
        Some("done") => TicketState::Done,
        _ => TicketState::Open,
    };
    let ticket = Ticket {
        id,
        key: key.unwrap_or_default(),
        url: url.unwrap_or_default(),
        status: status.unwrap_or_default(),
        state,
    };
    Ok((IncidentId::from_uuid(incident), number, ticket))
}

async fn one(db: &Db, sql: &str, value: String) -> Result<Option<Incident>, PortError> {
    let row: Option<(String,)> = sqlx::query_as(sql).bind(value).fetch_optional(&db.pool).await.map_err(port_error)?;
    row.map(|(s,)| read(&s)).transpose()
}

#[async_trait]
impl Incidents for SqliteStore {
    /// Stores a new incident unless its dedup key is held by a non-terminal
    /// one, group-committed with the writes queued beside it.
    async fn create(&self, new: NewIncident) -> Result<Created, PortError> {
        match self.write(Write::Create(Box::new(new))).await? {
            Written::Created(created) => Ok(created),
            Written::Appended(_) => Err(mismatched()),
        }
    }

    /// Appends events, snapshot, effects and `completes` in one transaction,
    /// group-committed with the writes queued beside it.
    async fn append(&self, batch: AppendBatch) -> Result<Incident, PortError> {
        batch.check_contiguous()?;
        match self.write(Write::Append(Box::new(batch))).await? {
            Written::Appended(incident) => Ok(incident),
            Written::Created(_) => Err(mismatched()),
        }
    }

    /// The incident with this id, from memory when seen current moments ago.
    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, PortError> {
        let asked = Instant::now();
        if let Some(incident) = self.snapshots.get(id, asked) {
            return Ok(Some(incident));
        }
        let found = one(&self.db, "SELECT snapshot FROM incidents WHERE id = ?1", id.as_uuid().to_string()).await?;
        if let Some(incident) = &found {
            self.snapshots.keep(incident, asked);
        }
        Ok(found)
    }

    /// The incident with this number.
    async fn get_by_number(&self, number: IncidentNumber) -> Result<Option<Incident>, PortError> {
        let db = &self.db;
        let row: Option<(String,)> = sqlx::query_as("SELECT snapshot FROM incidents WHERE number = ?1")
            .bind(to_i64(number.value()))
            .fetch_optional(&db.pool)
            .await
            .map_err(port_error)?;
        row.map(|(s,)| read(&s)).transpose()
    }

    /// The incident whose room this is (the newest, should a room be reused).
    /// From memory when seen current moments ago.
    async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, PortError> {
        let asked = Instant::now();
        if let Some(incident) = self.snapshots.by_room(room, asked) {
            return Ok(Some(incident));
        }
        let sql = "SELECT snapshot FROM incidents WHERE room_id = ?1 ORDER BY number DESC LIMIT 1";
        let found = one(&self.db, sql, room.as_str().to_owned()).await?;
        match &found {
            Some(incident) => self.snapshots.keep_owner(room, incident, asked),
            None => self.snapshots.room_missing(room),
        }
        Ok(found)
    }

    /// The non-terminal incident with this dedup key.
    async fn find_open_by_dedup_key(&self, key: &DedupKey) -> Result<Option<Incident>, PortError> {
        let db = &self.db;
        open_by_key(&db.pool, key).await
    }

    /// Incidents matching `filter`, newest first.
    async fn list(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, PortError> {
        let db = &self.db;
        let sql = list_sql(filter);
        let rows: Vec<(String,)> = bind_filter(sqlx::query_as(&sql), filter)
            .bind(filter.limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX)))
            .fetch_all(&db.pool)
            .await
            .map_err(port_error)?;
        rows.iter().map(|(s,)| read(s)).collect()
    }

    async fn events(&self, id: IncidentId) -> Result<Vec<IncidentEvent>, PortError> {
        events::load(&self.db, id).await
    }

    async fn milestones(&self, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
        metrics::milestones(&self.db, filter).await
    }

    async fn incident_counts(&self) -> Result<IncidentCounts, PortError> {
        metrics::incident_counts(&self.db).await
    }

    /// The incident whose action item has this ticket (the newest, should two share it).
    async fn find_by_ticket(&self, ticket_id: &str) -> Result<Option<(Incident, u32)>, PortError> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT i.snapshot, a.position FROM action_items a JOIN incidents i ON i.id = a.incident_id
             WHERE a.ticket_id = ?1 ORDER BY i.number DESC, a.position LIMIT 1",
        )
        .bind(ticket_id)
        .fetch_optional(&self.db.pool)
        .await
        .map_err(port_error)?;
        let Some((snapshot, position)) = row else { return Ok(None) };
        let number = u32::try_from(position + 1).map_err(|_| corrupt("action_items.position", position.to_string()))?;
        Ok(Some((read(&snapshot)?, number)))
    }

    /// Linked items still open, or done since `done_since`, after the cursor `after`, by the ticket index.
    async fn linked_tickets(
        &self,
        done_since: DateTime<Utc>,
        after: Option<(IncidentId, u32)>,
        limit: usize,
    ) -> Result<Vec<(IncidentId, u32, Ticket)>, PortError> {
        // Ids are stored as lowercase hyphenated text, which sorts as the ids do.
        let incident = after.map(|(id, _)| id.as_uuid().to_string());
        let position = after.map_or(0, |(_, number)| i64::from(number) - 1);
        let rows: Vec<TicketRow> = sqlx::query_as(
            "SELECT incident_id, position, ticket_id, ticket_key, ticket_url, ticket_status, ticket_state
             FROM action_items
             WHERE ticket_id IS NOT NULL AND (status = 'open' OR done_at >= ?1)
               AND (?3 IS NULL OR (incident_id, position) > (?3, ?4))
             ORDER BY incident_id, position LIMIT ?2",
        )
        .bind(ts(done_since))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(incident)
        .bind(position)
        .fetch_all(&self.db.pool)
        .await
        .map_err(port_error)?;
        rows.into_iter().map(linked).collect()
    }

    async fn ping(&self) -> Result<(), PortError> {
        sqlx::query("SELECT 1").execute(&self.db.pool).await.map_err(port_error)?;
        Ok(())
    }
}

impl SqliteStore {
    /// Queues `write` for the next batch and waits for its answer.
    pub(crate) async fn write(&self, write: Write) -> Result<Written, PortError> {
        let (answer, answered) = oneshot::channel();
        let urgent = write.urgent();
        self.writes.submit((write, answer), urgent);
        answered.await.map_err(|_| PortError::Transient("the write's batch stopped before answering".into()))?
    }
}
