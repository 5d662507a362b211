//! A creation inside a transaction (numbers from the counter row, dedup),
//! and the rows incident writes keep in step; nothing here touches the store
//! itself.

use sima_core::domain::{DedupKey, Incident, Ticket, TicketState};
use sima_core::ports::{Created, NewIncident, PortError};
use sima_store_sql::{stored_number, IncidentColumns};
use sqlx::postgres::{PgArguments, PgExecutor, PgPool, Postgres};
use sqlx::types::Json;
use sqlx::Arguments;
use sqlx::Transaction;

use crate::enqueue;
use crate::error::{port_error, unique_violation, OPEN_DEDUP_KEY};
use crate::events;

pub(crate) const TERMINAL: &str = "('false_positive', 'closed')";

/// The bind values of an `incidents` row: `$1` the id, `$2` `second` (the
/// number on insert, the expected version on update), `$3` the version,
/// `$4..$9` the text columns, `$10..$14` the milestones, `$15` the snapshot.
pub(crate) fn row_args(incident: &Incident, second: i64) -> Result<PgArguments, sqlx::Error> {
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
pub(crate) async fn sync_action_items(
    tx: &mut Transaction<'_, Postgres>,
    incident: &Incident,
) -> Result<(), sqlx::Error> {
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

pub(crate) async fn open_by_key<'e>(db: impl PgExecutor<'e>, key: &DedupKey) -> Result<Option<Incident>, sqlx::Error> {
    let sql = format!(
        "SELECT snapshot FROM incidents WHERE dedup_key = $1 AND status NOT IN {TERMINAL} ORDER BY number DESC LIMIT 1"
    );
    let row: Option<(Json<Incident>,)> = sqlx::query_as(&sql).bind(key.as_str()).fetch_optional(db).await?;
    Ok(row.map(|(Json(i),)| i))
}

/// What one creation did inside its transaction.
pub(crate) enum Step {
    /// Stored: commit.
    Done(Box<Created>),
    /// The key was held: roll back (the number too) and answer the incident
    /// that holds it.
    Existing(Box<Incident>),
    /// A writer outside the counter lock (a hand-made row, an older
    /// replica) took the key: roll back and answer with that writer's
    /// incident.
    KeyTaken(DedupKey),
}

/// Creates `new` inside `tx`. The counter row serializes creations, so
/// numbers have no gaps and the dedup lookup sees every committed creation.
pub(crate) async fn create_in(tx: &mut Transaction<'_, Postgres>, new: NewIncident) -> Result<Step, PortError> {
    let (number,): (i64,) =
        sqlx::query_as("UPDATE incident_counter SET last_number = last_number + 1 RETURNING last_number")
            .fetch_one(&mut **tx)
            .await
            .map_err(port_error)?;
    if let Some(key) = &new.incident.dedup_key() {
        if let Some(existing) = open_by_key(&mut **tx, key).await.map_err(port_error)? {
            return Ok(Step::Existing(Box::new(existing)));
        }
    }
    let incident = new.incident.numbered(stored_number(number)?);
    if let Err(e) = insert_row(tx, &incident).await {
        if let (Some(OPEN_DEDUP_KEY), Some(key)) = (unique_violation(&e), incident.dedup_key()) {
            return Ok(Step::KeyTaken(key.clone()));
        }
        return Err(port_error(e));
    }
    events::insert(tx, incident.id(), &new.events).await.map_err(port_error)?;
    enqueue::enqueue(tx, incident.severity(), &new.effects).await.map_err(port_error)?;
    sync_action_items(tx, &incident).await.map_err(port_error)?;
    Ok(Step::Done(Box::new(Created::New(incident))))
}

/// The non-terminal incident holding `key`, read after the rollback; `None`
/// when it turned terminal meanwhile (the creation starts over).
pub(crate) async fn holder_of(pool: &PgPool, key: &DedupKey) -> Result<Option<Incident>, PortError> {
    open_by_key(pool, key).await.map_err(port_error)
}

/// How `ticket_state` stores a ticket's state.
pub(crate) fn ticket_state(state: TicketState) -> &'static str {
    match state {
        TicketState::Open => "open",
        TicketState::Done => "done",
    }
}
