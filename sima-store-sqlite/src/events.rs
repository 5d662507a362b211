//! The event log: append-only, primary key `(incident_id, seq)`.

use sima_core::domain::{IncidentEvent, IncidentId};
use sima_core::ports::PortError;
use sqlx::{Sqlite, Transaction};

use crate::db::Db;
use crate::error::{corrupt, port_error};
use crate::time::ts;

/// Inserts `events`.
pub(crate) async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    incident: IncidentId,
    events: &[IncidentEvent],
) -> Result<(), PortError> {
    let id = incident.as_uuid().to_string();
    for event in events {
        let body = serde_json::to_string(event).map_err(|e| PortError::Invalid(format!("event: {e}")))?;
        sqlx::query(
            "INSERT INTO incident_events (incident_id, seq, at, actor, kind, event) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&id)
        .bind(i64::try_from(event.seq).unwrap_or(i64::MAX))
        .bind(ts(event.at))
        .bind(event.actor.to_string())
        .bind(event.kind.name())
        .bind(body)
        .execute(&mut **tx)
        .await
        .map_err(port_error)?;
    }
    Ok(())
}

/// The whole log of an incident, by `seq`; `NotFound` for an unknown incident.
pub(crate) async fn load(db: &Db, id: IncidentId) -> Result<Vec<IncidentEvent>, PortError> {
    let key = id.as_uuid().to_string();
    let rows: Vec<(String,)> = sqlx::query_as("SELECT event FROM incident_events WHERE incident_id = ?1 ORDER BY seq")
        .bind(&key)
        .fetch_all(&db.pool)
        .await
        .map_err(port_error)?;
    if rows.is_empty() {
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM incidents WHERE id = ?1")
            .bind(&key)
            .fetch_optional(&db.pool)
            .await
            .map_err(port_error)?;
        if exists.is_none() {
            return Err(PortError::NotFound(format!("incident {id}")));
        }
    }
    rows.into_iter().map(|(body,)| serde_json::from_str(&body).map_err(|e| corrupt("event", e))).collect()
}
