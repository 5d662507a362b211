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
use sqlx::postgres::{PgArguments, PgExecutor, PgPool, Postgres};
use sqlx::types::Json;
use sqlx::Arguments;
use sqlx::Transaction;

use crate::error::{corrupt, port_error, unique_violation, OPEN_DEDUP_KEY};
use crate::filter::{FilterArgs, FILTER_SQL};
use crate::store::PgStore;
use crate::{events, metrics, outbox};

/// How many times `create` starts over when the incident holding its dedup
/// key turns terminal between the insert and the lookup.
const CREATE_ATTEMPTS: usize = 5;

const TERMINAL: &str = "('false_positive', 'closed')";

/// The bind values of an `incidents` row: `$1` the id, `$2` `second` (the
/// number on insert, the expected version on update), `$3` the version,
/// `$4..$9` the text columns, `$10..$14` the milestones, `$15` the snapshot.
fn row_args(incident: &Incident, second: i64) -> Result<PgArguments, sqlx::Error> {
    let columns = IncidentColumns::of(incident);
    let mut args = PgArguments::default();
    args.add(incident.id().as_uuid()).map_err(sqlx::Error::Encode)?;
    args.add(second).map_err(sqlx::Error::Encode)?;
    args.add(columns.version()).map_err(sqlx::Error::Encode)?;
    for text in columns.texts() {
        args.add(text).map_err(sqlx::Error::Encode)?;
    }
    for time in columns.times() {
        args.add(time).map_err(sqlx::Error::Encode)?;
    }
    args.add(Json(incident)).map_err(sqlx::Error::Encode)?;
    Ok(args)
}

async fn insert_row(tx: &mut Transaction<'_, Postgres>, incident: &Incident) -> Result<(), sqlx::Error> {
    sqlx::query_with(
        "INSERT INTO incidents (id, number, version, status, domain, severity, summary, dedup_key, room_id,
             declared_at, started_at, acknowledged_at, mitigated_at, resolved_at, snapshot)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        row_args(incident, IncidentColumns::of(incident).number())?,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps `action_items` in step with the snapshot (items are added, then
/// only their status changes).
async fn sync_action_items(tx: &mut Transaction<'_, Postgres>, incident: &Incident) -> Result<(), sqlx::Error> {
    if incident.action_items().is_empty() {
        return Ok(());
    }
    let positions: Vec<i32> =
        (0..incident.action_items().len()).map(|i| i32::try_from(i).unwrap_or(i32::MAX)).collect();
    let texts: Vec<&str> = incident.action_items().iter().map(|a| a.text.as_str()).collect();
    let authors: Vec<String> = incident.action_items().iter().map(|a| a.added_by.to_string()).collect();
    let owners: Vec<Option<&str>> =
        incident.action_items().iter().map(|a| a.owner.as_ref().map(|o| o.as_str())).collect();
    let statuses: Vec<&str> = incident.action_items().iter().map(|a| a.status.as_str()).collect();
    let dues: Vec<Option<chrono::NaiveDate>> = incident.action_items().iter().map(|a| a.due).collect();
    let done: Vec<Option<chrono::DateTime<chrono::Utc>>> = incident.action_items().iter().map(|a| a.done_at).collect();
    let tickets: Vec<Option<&Ticket>> = incident.action_items().iter().map(|a| a.ticket.as_ref()).collect();
    let ticket_ids: Vec<Option<&str>> = tickets.iter().map(|t| t.map(|t| t.id.as_str())).collect();
    let ticket_keys: Vec<Option<&str>> = tickets.iter().map(|t| t.map(|t| t.key.as_str())).collect();
    let ticket_urls: Vec<Option<&str>> = tickets.iter().map(|t| t.map(|t| t.url.as_str())).collect();
    let ticket_statuses: Vec<Option<&str>> = tickets.iter().map(|t| t.map(|t| t.status.as_str())).collect();
    let ticket_states: Vec<Option<&str>> = tickets.iter().map(|t| t.map(|t| ticket_state(t.state))).collect();
    sqlx::query(
        "INSERT INTO action_items (incident_id, position, text, added_by, owner, status, due_on, done_at,
             ticket_id, ticket_key, ticket_url, ticket_status, ticket_state)
         SELECT $1, * FROM UNNEST($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[],
             $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
         ON CONFLICT (incident_id, position) DO UPDATE SET
             owner = excluded.owner, status = excluded.status, due_on = excluded.due_on, done_at = excluded.done_at,
             ticket_id = excluded.ticket_id, ticket_key = excluded.ticket_key, ticket_url = excluded.ticket_url,
             ticket_status = excluded.ticket_status, ticket_state = excluded.ticket_state",
    )
    .bind(incident.id().as_uuid())
    .bind(&positions)
    .bind(&texts)
    .bind(&authors)
    .bind(&owners)
    .bind(&statuses)
    .bind(&dues)
    .bind(&done)
    .bind(&ticket_ids)
    .bind(&ticket_keys)
    .bind(&ticket_urls)
    .bind(&ticket_statuses)
    .bind(&ticket_states)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn open_by_key<'e>(db: impl PgExecutor<'e>, key: &DedupKey) -> Result<Option<Incident>, sqlx::Error> {
    let sql = format!(
        "SELECT snapshot FROM incidents WHERE dedup_key = $1 AND status NOT IN {TERMINAL} ORDER BY number DESC LIMIT 1"
    );
    let row: Option<(Json<Incident>,)> = sqlx::query_as(&sql).bind(key.as_str()).fetch_optional(db).await?;
    Ok(row.map(|(Json(i),)| i))
}

/// One attempt; `None` when it must start over.
async fn try_create(pool: &PgPool, new: &NewIncident) -> Result<Option<Created>, PortError> {
    let mut tx = pool.begin().await.map_err(port_error)?;
    // The counter row serializes creations, so numbers have no gaps and the
    // dedup lookup below sees every committed creation.
    let (number,): (i64,) =
        sqlx::query_as("UPDATE incident_counter SET last_number = last_number + 1 RETURNING last_number")
            .fetch_one(&mut *tx)
            .await
            .map_err(port_error)?;
    if let Some(key) = &new.incident.dedup_key() {
        if let Some(existing) = open_by_key(&mut *tx, key).await.map_err(port_error)? {
            tx.rollback().await.map_err(port_error)?;
            return Ok(Some(Created::Existing(existing)));
        }
    }
    let incident = new.incident.clone().numbered(stored_number(number)?);
    if let Err(e) = insert_row(&mut tx, &incident).await {
        if unique_violation(&e) == Some(OPEN_DEDUP_KEY) {
            // A concurrent writer outside the counter lock (a hand-made row, an
            // older replica) took the key: return its incident.
            tx.rollback().await.map_err(port_error)?;
            let Some(key) = incident.dedup_key() else { return Err(port_error(e)) };
            return Ok(open_by_key(pool, key).await.map_err(port_error)?.map(Created::Existing));
        }
        return Err(port_error(e));
    }
    events::insert(&mut tx, incident.id(), &new.events).await.map_err(port_error)?;
    outbox::enqueue(&mut tx, &new.effects).await.map_err(port_error)?;
    sync_action_items(&mut tx, &incident).await.map_err(port_error)?;
    tx.commit().await.map_err(port_error)?;
    Ok(Some(Created::New(incident)))
}

/// How `ticket_state` stores a ticket's state.
fn ticket_state(state: TicketState) -> &'static str {
    match state {
        TicketState::Open => "open",
        TicketState::Done => "done",
    }
}

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
    /// Stores a new incident unless its dedup key is held by a non-terminal one.
    async fn create(&self, new: NewIncident) -> Result<Created, PortError> {
        let pool = &self.pool;
        for _ in 0..CREATE_ATTEMPTS {
            if let Some(created) = try_create(pool, &new).await? {
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
        outbox::enqueue(&mut tx, &batch.effects).await.map_err(port_error)?;
        if let Some(claim) = batch.completes {
            let at = batch.events.last().map(|e: &IncidentEvent| e.at);
            if !outbox::mark_done(&mut tx, claim, at).await.map_err(port_error)? {
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
