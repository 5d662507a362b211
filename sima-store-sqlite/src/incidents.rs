//! Incidents: creation (number allocation, dedup), appends with optimistic
//! concurrency, loads and listing. The snapshot is stored as JSON beside the
//! columns that queries filter on.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::domain::{DedupKey, Incident, IncidentEvent, IncidentId, IncidentNumber, RoomId, Ticket, TicketState};
use sima_core::ports::{
    AppendBatch, Created, IncidentCounts, IncidentFilter, Incidents, MilestoneRow, NewIncident, PortError,
};
use sima_store_sql::{append_refused, stored_number, to_i64, IncidentColumns};
use sqlx::sqlite::{SqliteArguments, SqliteExecutor};
use sqlx::Arguments;
use sqlx::{Sqlite, Transaction};

use crate::db::{Db, Writer};
use crate::error::{corrupt, port_error, unique_violation, OPEN_DEDUP_KEY};
use crate::filter::{bind_filter, list_sql};
use crate::store::SqliteStore;
use crate::time::{ts, ts_opt};
use crate::{events, metrics, outbox};

const TERMINAL: &str = "('false_positive', 'closed')";

fn json(incident: &Incident) -> Result<String, PortError> {
    serde_json::to_string(incident).map_err(|e| PortError::Invalid(format!("snapshot: {e}")))
}

fn read(body: &str) -> Result<Incident, PortError> {
    serde_json::from_str(body).map_err(|e| corrupt("snapshot", e))
}

/// The bind values of an `incidents` row: `?1` the id, `?2` `second` (the
/// number on insert, the expected version on update), `?3` the version,
/// `?4..?9` the text columns, `?10..?14` the milestones, `?15` the snapshot.
fn row_args<'q>(incident: &'q Incident, second: i64, snapshot: String) -> Result<SqliteArguments<'q>, sqlx::Error> {
    let columns = IncidentColumns::of(incident);
    let mut args = SqliteArguments::default();
    args.add(incident.id().as_uuid().to_string()).map_err(sqlx::Error::Encode)?;
    args.add(second).map_err(sqlx::Error::Encode)?;
    args.add(columns.version()).map_err(sqlx::Error::Encode)?;
    for text in columns.texts() {
        args.add(text).map_err(sqlx::Error::Encode)?;
    }
    for time in columns.times() {
        args.add(ts_opt(time)).map_err(sqlx::Error::Encode)?;
    }
    args.add(snapshot).map_err(sqlx::Error::Encode)?;
    Ok(args)
}

async fn insert_row(tx: &mut Transaction<'_, Sqlite>, incident: &Incident) -> Result<(), sqlx::Error> {
    let snapshot = serde_json::to_string(incident).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query_with(
        "INSERT INTO incidents (id, number, version, status, domain, severity, summary, dedup_key, room_id,
             declared_at, started_at, acknowledged_at, mitigated_at, resolved_at, snapshot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        row_args(incident, IncidentColumns::of(incident).number(), snapshot)?,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps `action_items` in step with the snapshot (items are added, then
/// only their status changes).
async fn sync_action_items(tx: &mut Transaction<'_, Sqlite>, incident: &Incident) -> Result<(), PortError> {
    let id = incident.id().as_uuid().to_string();
    for (position, item) in incident.action_items().iter().enumerate() {
        sqlx::query(
            "INSERT INTO action_items (incident_id, position, text, added_by, owner, status, due_on, done_at,
                 ticket_id, ticket_key, ticket_url, ticket_status, ticket_state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (incident_id, position) DO UPDATE SET
                 owner = excluded.owner, status = excluded.status, due_on = excluded.due_on, done_at = excluded.done_at,
                 ticket_id = excluded.ticket_id, ticket_key = excluded.ticket_key, ticket_url = excluded.ticket_url,
                 ticket_status = excluded.ticket_status, ticket_state = excluded.ticket_state",
        )
        .bind(&id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(item.text.as_str())
        .bind(item.added_by.to_string())
        .bind(item.owner.as_ref().map(|o| o.as_str().to_owned()))
        .bind(item.status.as_str())
        .bind(item.due.map(|d| d.to_string()))
        .bind(ts_opt(item.done_at))
        .bind(item.ticket.as_ref().map(|t| t.id.clone()))
        .bind(item.ticket.as_ref().map(|t| t.key.clone()))
        .bind(item.ticket.as_ref().map(|t| t.url.clone()))
        .bind(item.ticket.as_ref().map(|t| t.status.clone()))
        .bind(item.ticket.as_ref().map(|t| ticket_state(t.state)))
        .execute(&mut **tx)
        .await
        .map_err(port_error)?;
    }
    Ok(())
}

/// How `ticket_state` stores a ticket's state.
fn ticket_state(state: TicketState) -> &'static str {
    match state {
        TicketState::Open => "open",
        TicketState::Done => "done",
    }
}

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

async fn open_by_key<'e>(db: impl SqliteExecutor<'e>, key: &DedupKey) -> Result<Option<Incident>, PortError> {
    let sql = format!(
        "SELECT snapshot FROM incidents WHERE dedup_key = ?1 AND status NOT IN {TERMINAL} ORDER BY number DESC LIMIT 1"
    );
    let row: Option<(String,)> =
        sqlx::query_as(&sql).bind(key.as_str()).fetch_optional(db).await.map_err(port_error)?;
    row.map(|(s,)| read(&s)).transpose()
}

async fn one(db: &Db, sql: &str, value: String) -> Result<Option<Incident>, PortError> {
    let row: Option<(String,)> = sqlx::query_as(sql).bind(value).fetch_optional(&db.pool).await.map_err(port_error)?;
    row.map(|(s,)| read(&s)).transpose()
}

#[async_trait]
impl Incidents for SqliteStore {
    /// Stores a new incident unless its dedup key is held by a non-terminal one.
    /// Writes are serialized, so the lookup and the insert cannot be raced; the
    /// unique index stays as the last word (another process, a hand-made row).
    async fn create(&self, new: NewIncident) -> Result<Created, PortError> {
        let db = &self.db;
        let (_write, mut tx) = db.write_tx(Writer::Foreground).await?;
        if let Some(key) = new.incident.dedup_key() {
            if let Some(existing) = open_by_key(&mut *tx, key).await? {
                tx.rollback().await.map_err(port_error)?;
                return Ok(Created::Existing(existing));
            }
        }
        let (next,): (i64,) = sqlx::query_as("SELECT coalesce(max(number), 0) + 1 FROM incidents")
            .fetch_one(&mut *tx)
            .await
            .map_err(port_error)?;
        let mut incident = new.incident;
        incident = incident.numbered(stored_number(next)?);
        if let Err(e) = insert_row(&mut tx, &incident).await {
            if let (Some(OPEN_DEDUP_KEY), Some(key)) = (unique_violation(&e), &incident.dedup_key()) {
                tx.rollback().await.map_err(port_error)?;
                return open_by_key(&db.pool, key)
                    .await?
                    .map(Created::Existing)
                    .ok_or_else(|| PortError::Transient("dedup key changed hands; try again".into()));
            }
            return Err(port_error(e));
        }
        events::insert(&mut tx, incident.id(), &new.events).await?;
        outbox::enqueue(&mut tx, &new.effects).await?;
        sync_action_items(&mut tx, &incident).await?;
        tx.commit().await.map_err(port_error)?;
        Ok(Created::New(incident))
    }

    /// Appends events, snapshot, effects and `completes` in one transaction.
    async fn append(&self, batch: AppendBatch) -> Result<Incident, PortError> {
        let db = &self.db;
        batch.check_contiguous()?;
        let mut incident = batch.incident;
        let id = incident.id();
        let args = row_args(&incident, to_i64(batch.expected_version), json(&incident)?).map_err(port_error)?;
        let writer = if batch.completes.is_some() { Writer::Background } else { Writer::Foreground };
        let (_write, mut tx) = db.write_tx(writer).await?;
        let updated: Option<(i64,)> = sqlx::query_as_with(
            "UPDATE incidents SET version = ?3, status = ?4, domain = ?5, severity = ?6, summary = ?7,
                 dedup_key = ?8, room_id = ?9, declared_at = ?10, started_at = ?11, acknowledged_at = ?12,
                 mitigated_at = ?13, resolved_at = ?14,
                 snapshot = json_set(?15, '$.number', 'INC-' || number),
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1 AND version = ?2
             RETURNING number",
            args,
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(port_error)?;
        let Some((number,)) = updated else {
            let stored: Option<(i64,)> = sqlx::query_as("SELECT version FROM incidents WHERE id = ?1")
                .bind(id.as_uuid().to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(port_error)?;
            return Err(append_refused(id, stored.map(|(version,)| version), batch.expected_version));
        };
        incident = incident.numbered(stored_number(number)?);
        events::insert(&mut tx, id, &batch.events).await?;
        outbox::enqueue(&mut tx, &batch.effects).await?;
        if let Some(claim) = batch.completes {
            let at = batch.events.last().map(|e| e.at);
            if !outbox::mark_done(&mut tx, claim, at).await? {
                tracing::warn!(effect = %claim.effect, "outcome recorded; the effect is no longer this claim's to complete");
            }
        }
        if batch.events.iter().any(|e| e.kind.changes_action_items()) {
            sync_action_items(&mut tx, &incident).await?;
        }
        tx.commit().await.map_err(port_error)?;
        Ok(incident)
    }

    /// The incident with this id.
    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, PortError> {
        let db = &self.db;
        one(db, "SELECT snapshot FROM incidents WHERE id = ?1", id.as_uuid().to_string()).await
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
    async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, PortError> {
        let db = &self.db;
        let sql = "SELECT snapshot FROM incidents WHERE room_id = ?1 ORDER BY number DESC LIMIT 1";
        one(db, sql, room.as_str().to_owned()).await
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
