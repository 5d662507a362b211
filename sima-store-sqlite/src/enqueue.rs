//! Outbox rows written with incident writes, inside their transaction:
//! enqueued effects, their claim rank, and the effect an outcome completes.

use chrono::{DateTime, Utc};
use sima_core::domain::{IncidentId, Severity};
use sima_core::ports::{Claim, NewEffect, PortError};
use sima_store_sql::{claim_rank, rooms_rank};
use sqlx::{Sqlite, Transaction};

use crate::error::port_error;
use crate::time::{ts, ts_opt};

/// Enqueues `effects` of an incident of `severity`, each with its claim rank.
pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Sqlite>,
    severity: Severity,
    effects: &[NewEffect],
) -> Result<(), PortError> {
    for e in effects {
        let payload = serde_json::to_string(&e.effect).map_err(|err| PortError::Invalid(format!("effect: {err}")))?;
        let lease = e.leased;
        sqlx::query(
            "INSERT INTO effects (id, incident_id, kind, payload, due_at, attempts, claim, lease_until, first_claimed_at,
                 claim_rank)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .bind(e.id.as_uuid().to_string())
        .bind(e.incident_id.as_uuid().to_string())
        .bind(e.effect.name())
        .bind(payload)
        .bind(ts(e.due_at))
        .bind(i64::from(lease.is_some()))
        .bind(lease.map(|l| l.token.as_uuid().to_string()))
        .bind(ts_opt(lease.map(|l| l.until)))
        .bind(ts_opt(lease.map(|l| l.at)))
        .bind(claim_rank(severity, e.effect.name()))
        .execute(&mut **tx)
        .await
        .map_err(port_error)?;
    }
    Ok(())
}

/// Re-ranks the pending effects of incident `id`, now of `severity`.
pub(crate) async fn rerank(
    tx: &mut Transaction<'_, Sqlite>,
    id: IncidentId,
    severity: Severity,
) -> Result<(), PortError> {
    sqlx::query(
        "UPDATE effects SET claim_rank = ?2 + (kind <> 'create_room')
         WHERE incident_id = ?1 AND done_at IS NULL AND claim_rank <> ?2 + (kind <> 'create_room')",
    )
    .bind(id.as_uuid().to_string())
    .bind(rooms_rank(severity))
    .execute(&mut **tx)
    .await
    .map_err(port_error)?;
    Ok(())
}

/// Marks an effect done inside a transaction if `claim` still holds it;
/// `false` if it does not (unknown, finished, or taken over).
pub(crate) async fn mark_done(
    tx: &mut Transaction<'_, Sqlite>,
    claim: Claim,
    now: Option<DateTime<Utc>>,
) -> Result<bool, PortError> {
    let done = sqlx::query(
        "UPDATE effects SET done_at = coalesce(?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), failed = 0,
             lease_until = NULL, claim = NULL
         WHERE id = ?1 AND claim = ?2 AND done_at IS NULL",
    )
    .bind(claim.effect.as_uuid().to_string())
    .bind(claim.token.as_uuid().to_string())
    .bind(ts_opt(now))
    .execute(&mut **tx)
    .await
    .map_err(port_error)?;
    Ok(done.rows_affected() == 1)
}
