//! The event log: append-only, primary key `(incident_id, seq)`.

use sima_core::domain::{IncidentEvent, IncidentId};
use sima_core::ports::PortError;
use sqlx::postgres::{PgPool, Postgres};
use sqlx::types::Json;
use sqlx::Transaction;
use uuid::Uuid;

use crate::error::{corrupt, port_error};

/// Inserts `events` in one statement.
pub(crate) async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    incident: IncidentId,
    events: &[IncidentEvent],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let mut seqs = Vec::with_capacity(events.len());
    let mut ats = Vec::with_capacity(events.len());
    let mut actors = Vec::with_capacity(events.len());
    let mut kinds = Vec::with_capacity(events.len());
    let mut bodies = Vec::with_capacity(events.len());
    for event in events {
        seqs.push(i64::try_from(event.seq).unwrap_or(i64::MAX));
        ats.push(event.at);
        actors.push(event.actor.to_string());
        kinds.push(event.kind.name().to_owned());
        bodies.push(Json(event));
    }
    sqlx::query(
        "INSERT INTO incident_events (incident_id, seq, at, actor, kind, event)
         SELECT $1, * FROM UNNEST($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[])",
    )
    .bind(incident.as_uuid())
    .bind(&seqs)
    .bind(&ats)
    .bind(&actors)
    .bind(&kinds)
    .bind(&bodies)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The whole log of an incident, by `seq`; `NotFound` for an unknown incident.
pub(crate) async fn load(pool: &PgPool, id: IncidentId) -> Result<Vec<IncidentEvent>, PortError> {
    let rows: Vec<(Json<IncidentEvent>,)> =
        sqlx::query_as("SELECT event FROM incident_events WHERE incident_id = $1 ORDER BY seq")
            .bind(id.as_uuid())
            .fetch_all(pool)
            .await
            .map_err(|e| match e {
                sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => corrupt("event", e),
                other => port_error(other),
            })?;
    if rows.is_empty() {
        let exists: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM incidents WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(pool)
            .await
            .map_err(port_error)?;
        if exists.is_none() {
            return Err(PortError::NotFound(format!("incident {id}")));
        }
    }
    Ok(rows.into_iter().map(|(Json(e),)| e).collect())
}
