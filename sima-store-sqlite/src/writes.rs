//! The incident writes, inside a transaction: creations (numbers, dedup) and
//! appends with optimistic concurrency, and the rows they keep in step. The
//! group commit (`batch`) runs them; they never touch the store itself.

use sima_core::domain::{DedupKey, Incident, IncidentId, TicketState};
use sima_core::ports::{AppendBatch, Created, NewIncident, PortError};
use sima_store_sql::{append_refused, stored_number, to_i64, IncidentColumns};
use sqlx::sqlite::{SqliteArguments, SqliteExecutor};
use sqlx::Arguments;
use sqlx::{Sqlite, Transaction};

use crate::db::Db;
use crate::enqueue;
use crate::error::{corrupt, port_error, unique_violation, OPEN_DEDUP_KEY};
use crate::events;
use crate::time::ts_opt;

pub(crate) const TERMINAL: &str = "('false_positive', 'closed')";

fn json(incident: &Incident) -> Result<String, PortError> {
    serde_json::to_string(incident).map_err(|e| PortError::Invalid(format!("snapshot: {e}")))
}

pub(crate) fn read(body: &str) -> Result<Incident, PortError> {
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
pub(crate) fn ticket_state(state: TicketState) -> &'static str {
    match state {
        TicketState::Open => "open",
        TicketState::Done => "done",
    }
}

pub(crate) async fn open_by_key<'e>(
    db: impl SqliteExecutor<'e>,
    key: &DedupKey,
) -> Result<Option<Incident>, PortError> {
    let sql = format!(
        "SELECT snapshot FROM incidents WHERE dedup_key = ?1 AND status NOT IN {TERMINAL} ORDER BY number DESC LIMIT 1"
    );
    let row: Option<(String,)> =
        sqlx::query_as(&sql).bind(key.as_str()).fetch_optional(db).await.map_err(port_error)?;
    row.map(|(s,)| read(&s)).transpose()
}

/// What one creation or append did inside a batch's transaction.
pub(crate) enum Step {
    /// Written (or, for a creation whose key was open, found): keep it.
    Done(Box<Written>),
    /// Another process took the creation's dedup key under the unique index:
    /// undo this job's writes and answer with that process's incident once
    /// the batch is committed.
    KeyTaken(DedupKey),
}

/// Stores a new incident unless its dedup key is held by a non-terminal one.
/// Writes are serialized, so the lookup and the insert cannot be raced; the
/// unique index stays as the last word (another process, a hand-made row).
pub(crate) async fn create_in(tx: &mut Transaction<'_, Sqlite>, new: NewIncident) -> Result<Step, PortError> {
    if let Some(key) = new.incident.dedup_key() {
        if let Some(existing) = open_by_key(&mut **tx, key).await? {
            return Ok(Step::Done(Box::new(Written::Created(Created::Existing(existing)))));
        }
    }
    let (next,): (i64,) = sqlx::query_as("SELECT coalesce(max(number), 0) + 1 FROM incidents")
        .fetch_one(&mut **tx)
        .await
        .map_err(port_error)?;
    let incident = new.incident.numbered(stored_number(next)?);
    if let Err(e) = insert_row(tx, &incident).await {
        if let (Some(OPEN_DEDUP_KEY), Some(key)) = (unique_violation(&e), incident.dedup_key()) {
            return Ok(Step::KeyTaken(key.clone()));
        }
        return Err(port_error(e));
    }
    events::insert(tx, incident.id(), &new.events).await?;
    enqueue::enqueue(tx, incident.severity(), &new.effects).await?;
    sync_action_items(tx, &incident).await?;
    Ok(Step::Done(Box::new(Written::Created(Created::New(incident)))))
}

/// The answer to a creation whose key another process took: its incident.
pub(crate) async fn taken_by(db: &Db, key: &DedupKey) -> Result<Written, PortError> {
    open_by_key(&db.pool, key)
        .await?
        .map(|existing| Written::Created(Created::Existing(existing)))
        .ok_or_else(|| PortError::Transient("dedup key changed hands; try again".into()))
}

/// Appends events, snapshot, effects and `completes` (checked contiguous by the caller).
pub(crate) async fn append_in(tx: &mut Transaction<'_, Sqlite>, batch: AppendBatch) -> Result<Step, PortError> {
    let mut incident = batch.incident;
    let id = incident.id();
    let args = row_args(&incident, to_i64(batch.expected_version), json(&incident)?).map_err(port_error)?;
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
    .fetch_optional(&mut **tx)
    .await
    .map_err(port_error)?;
    let Some((number,)) = updated else {
        let stored: Option<(i64,)> = sqlx::query_as("SELECT version FROM incidents WHERE id = ?1")
            .bind(id.as_uuid().to_string())
            .fetch_optional(&mut **tx)
            .await
            .map_err(port_error)?;
        return Err(append_refused(id, stored.map(|(version,)| version), batch.expected_version));
    };
    incident = incident.numbered(stored_number(number)?);
    events::insert(tx, id, &batch.events).await?;
    if batch.events.iter().any(|e| e.kind.may_change_severity()) {
        enqueue::rerank(tx, id, incident.severity()).await?;
    }
    enqueue::enqueue(tx, incident.severity(), &batch.effects).await?;
    if let Some(claim) = batch.completes {
        let at = batch.events.last().map(|e| e.at);
        if !enqueue::mark_done(tx, claim, at).await? {
            tracing::warn!(effect = %claim.effect, "outcome recorded; the effect is no longer this claim's to complete");
        }
    }
    if batch.events.iter().any(|e| e.kind.changes_action_items()) {
        sync_action_items(tx, &incident).await?;
    }
    Ok(Step::Done(Box::new(Written::Appended(incident))))
}

/// One incident write.
pub(crate) enum Write {
    /// [`Incidents::create`](sima_core::ports::Incidents::create).
    Create(Box<NewIncident>),
    /// [`Incidents::append`](sima_core::ports::Incidents::append).
    Append(Box<AppendBatch>),
}

/// What a [`Write`] stored.
pub(crate) enum Written {
    /// The creation's answer.
    Created(Created),
    /// The incident after the append.
    Appended(Incident),
}

impl Written {
    /// The incident as stored.
    pub(crate) fn incident(&self) -> &Incident {
        match self {
            Self::Created(created) => created.incident(),
            Self::Appended(incident) => incident,
        }
    }
}

/// The error for an answer of the wrong kind, which the batch never gives.
pub(crate) fn mismatched() -> PortError {
    PortError::Transient("a write was answered for another kind of write".into())
}

impl Write {
    /// The incident an append writes to (a creation's is new).
    pub(crate) fn appends_to(&self) -> Option<IncidentId> {
        match self {
            Self::Create(_) => None,
            Self::Append(batch) => Some(batch.incident.id()),
        }
    }

    /// Whether someone waits for it (everything but the effect worker's outcomes).
    pub(crate) fn urgent(&self) -> bool {
        match self {
            Self::Create(_) => true,
            Self::Append(batch) => batch.completes.is_none(),
        }
    }
}
