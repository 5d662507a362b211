//! Incidents: creation (number allocation, dedup), appends with optimistic
//! concurrency, loads and listing. The snapshot is stored as JSON beside the
//! columns that queries filter on.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::domain::{DedupKey, Incident, IncidentEvent, IncidentId, IncidentNumber, RoomId, Ticket, TicketState};
use sima_core::ports::{
    AppendBatch, Created, IncidentCounts, IncidentFilter, Incidents, MilestoneRow, NewIncident, PortError,
};
use sima_store_sql::{append_refused, stored_number, to_i64};
use sqlx::postgres::{PgPool, Postgres};
use sqlx::types::Json;

use crate::error::{corrupt, port_error};
use crate::filter::{FilterArgs, FILTER_SQL};
use crate::store::PgStore;
use crate::writes::{create_in, holder_of, open_by_key, row_args, sync_action_items, Step};
use crate::{enqueue, events, metrics};

/// How many times `create` starts over when the incident holding its dedup
/// key turns terminal between the insert and the lookup.
const CREATE_ATTEMPTS: usize = 5;

/// A row of `action_items` with a ticket: incident id, position, and the ticket's columns.
type TicketRow = (uuid::Uuid, i32, String, Option<String>, Option<String>, Option<String>, Option<String>);

fn linked(row: TicketRow) -> Result<(IncidentId, u32, Ticket), PortError> {
    let (incident, position, id, key, url, status, state) = row;
    let number = u32::try_from(position + 1).map_err(|_| corrupt("action_items.position", position))?;
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

async fn one(
    pool: &PgPool,
    sql: &str,
    bind: impl FnOnce(SnapshotQuery<'_>) -> SnapshotQuery<'_>,
) -> Result<Option<Incident>, PortError> {
    let row = bind(sqlx::query_as(sql)).fetch_optional(pool).await.map_err(port_error)?;
    Ok(row.map(|(Json(i),)| i))
}

type SnapshotQuery<'q> = sqlx::query::QueryAs<'q, Postgres, (Json<Incident>,), sqlx::postgres::PgArguments>;

#[async_trait]
impl Incidents for PgStore {
    /// Stores a new incident unless its dedup key is held by a non-terminal
    /// one, in a transaction of its own.
    async fn create(&self, new: NewIncident) -> Result<Created, PortError> {
        for _ in 0..CREATE_ATTEMPTS {
            if let Some(created) = try_create(&self.pool, new.clone()).await? {
                return Ok(created);
            }
        }
        Err(PortError::Transient(format!(
            "dedup key {:?} kept changing hands; try again",
            new.incident.dedup_key().map(DedupKey::as_str)
        )))
    }

    /// Appends events, snapshot, effects and `completes` in one transaction.
    async fn append(&self, batch: AppendBatch) -> Result<Incident, PortError> {
        let pool = &self.pool;
        batch.check_contiguous()?;
        let mut incident = batch.incident;
        let id = incident.id();
        let args = row_args(&incident, to_i64(batch.expected_version)).map_err(port_error)?;
        let mut tx = pool.begin().await.map_err(port_error)?;
        let updated: Option<(i64,)> = sqlx::query_as_with(
            "UPDATE incidents SET version = $3, status = $4, domain = $5, severity = $6, summary = $7,
                 dedup_key = $8, room_id = $9, declared_at = $10, started_at = $11, acknowledged_at = $12,
                 mitigated_at = $13, resolved_at = $14,
                 snapshot = jsonb_set($15::jsonb, '{number}', to_jsonb('INC-' || number)),
                 updated_at = now()
             WHERE id = $1 AND version = $2
             RETURNING number",
            args,
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(port_error)?;
        let Some((number,)) = updated else {
            let stored: Option<(i64,)> = sqlx::query_as("SELECT version FROM incidents WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(port_error)?;
            return Err(append_refused(id, stored.map(|(version,)| version), batch.expected_version));
        };
        incident = incident.numbered(stored_number(number)?);
        events::insert(&mut tx, id, &batch.events).await.map_err(port_error)?;
        if batch.events.iter().any(|e| e.kind.may_change_severity()) {
            enqueue::rerank(&mut tx, id, incident.severity()).await.map_err(port_error)?;
        }
        enqueue::enqueue(&mut tx, incident.severity(), &batch.effects).await.map_err(port_error)?;
        if let Some(claim) = batch.completes {
            let at = batch.events.last().map(|e: &IncidentEvent| e.at);
            if !enqueue::mark_done(&mut tx, claim, at).await.map_err(port_error)? {
                tracing::warn!(effect = %claim.effect, "outcome recorded; the effect is no longer this claim's to complete");
            }
        }
        if batch.events.iter().any(|e| e.kind.changes_action_items()) {
            sync_action_items(&mut tx, &incident).await.map_err(port_error)?;
        }
        tx.commit().await.map_err(port_error)?;
        Ok(incident)
    }

    /// The incident with this id.
    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, PortError> {
        let pool = &self.pool;
        one(pool, "SELECT snapshot FROM incidents WHERE id = $1", |q| q.bind(id.as_uuid())).await
    }

    /// The incident with this number.
    async fn get_by_number(&self, number: IncidentNumber) -> Result<Option<Incident>, PortError> {
        let pool = &self.pool;
        one(pool, "SELECT snapshot FROM incidents WHERE number = $1", |q| q.bind(to_i64(number.value()))).await
    }

    /// The incident whose room this is (the newest, should a room be reused).
    async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, PortError> {
        let pool = &self.pool;
        let room = room.as_str().to_owned();
        one(pool, "SELECT snapshot FROM incidents WHERE room_id = $1 ORDER BY number DESC LIMIT 1", |q| q.bind(room))
            .await
    }

    /// The non-terminal incident with this dedup key.
    async fn find_open_by_dedup_key(&self, key: &DedupKey) -> Result<Option<Incident>, PortError> {
        let pool = &self.pool;
        open_by_key(pool, key).await.map_err(port_error)
    }

    /// Incidents matching `filter`, newest first.
    async fn list(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, PortError> {
        let pool = &self.pool;
        let args = FilterArgs::from(filter);
        let sql = format!("SELECT snapshot FROM incidents i WHERE {FILTER_SQL} ORDER BY i.number DESC LIMIT $6");
        let rows: Vec<(Json<Incident>,)> = sqlx::query_as(&sql)
            .bind(args.status)
            .bind(args.domain)
            .bind(args.severity)
            .bind(args.from)
            .bind(args.to)
            .bind(filter.limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX)))
            .fetch_all(pool)
            .await
            .map_err(port_error)?;
        Ok(rows.into_iter().map(|(Json(i),)| i).collect())
    }

    async fn events(&self, id: IncidentId) -> Result<Vec<IncidentEvent>, PortError> {
        events::load(&self.pool, id).await
    }

    async fn milestones(&self, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
        metrics::milestones(&self.pool, filter).await
    }

    async fn incident_counts(&self) -> Result<IncidentCounts, PortError> {
        metrics::incident_counts(&self.pool).await
    }

    /// The incident whose action item has this ticket (the newest, should two share it).
    async fn find_by_ticket(&self, ticket_id: &str) -> Result<Option<(Incident, u32)>, PortError> {
        let row: Option<(Json<Incident>, i32)> = sqlx::query_as(
            "SELECT i.snapshot, a.position FROM action_items a JOIN incidents i ON i.id = a.incident_id
             WHERE a.ticket_id = $1 ORDER BY i.number DESC, a.position LIMIT 1",
        )
        .bind(ticket_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(port_error)?;
        let Some((Json(incident), position)) = row else { return Ok(None) };
        let number = u32::try_from(position + 1).map_err(|_| corrupt("action_items.position", position))?;
        Ok(Some((incident, number)))
    }

    /// Linked items still open, or done since `done_since`, after the cursor `after`, by the ticket index.
    async fn linked_tickets(
        &self,
        done_since: DateTime<Utc>,
        after: Option<(IncidentId, u32)>,
        limit: usize,
    ) -> Result<Vec<(IncidentId, u32, Ticket)>, PortError> {
        let incident = after.map(|(id, _)| id.as_uuid());
        let position = after.map_or(0, |(_, number)| i64::from(number) - 1);
        let rows: Vec<TicketRow> = sqlx::query_as(
            "SELECT incident_id, position, ticket_id, ticket_key, ticket_url, ticket_status, ticket_state
             FROM action_items
             WHERE ticket_id IS NOT NULL AND (status = 'open' OR done_at >= $1)
               AND ($3 IS NULL OR (incident_id, position) > ($3, $4))
             ORDER BY incident_id, position LIMIT $2",
        )
        .bind(done_since)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(incident)
        .bind(position)
        .fetch_all(&self.pool)
        .await
        .map_err(port_error)?;
        rows.into_iter().map(linked).collect()
    }

    async fn ping(&self) -> Result<(), PortError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(port_error)?;
        Ok(())
    }
}

/// One attempt, in a transaction of its own; `None` when it must start
/// over. Creations are not group-committed here: the counter row already
/// serializes them, PostgreSQL's WAL flush already groups concurrent commits,
/// and batching them behind savepoints measured slower (`docs/performance.md`).
async fn try_create(pool: &PgPool, new: NewIncident) -> Result<Option<Created>, PortError> {
    let mut tx = pool.begin().await.map_err(port_error)?;
    match create_in(&mut tx, new).await? {
        Step::Done(created) => {
            tx.commit().await.map_err(port_error)?;
            Ok(Some(*created))
        }
        Step::Existing(existing) => {
            tx.rollback().await.map_err(port_error)?;
            Ok(Some(Created::Existing(*existing)))
        }
        Step::KeyTaken(key) => {
            tx.rollback().await.map_err(port_error)?;
            Ok(holder_of(pool, &key).await?.map(Created::Existing))
        }
    }
}
