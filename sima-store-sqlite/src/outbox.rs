//! The outbox: effects enqueued with incident writes, claimed by workers
//! inside a write transaction, with a lease.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sima_core::domain::IncidentId;
use sima_core::ports::{ClaimedEffect, EffectId, NewEffect, OutboxStats, PortError};
use sqlx::sqlite::SqliteQueryResult;
use sqlx::{Sqlite, Transaction};
use uuid::Uuid;

use crate::error::{corrupt, port_error};
use crate::store::Db;
use crate::time::{ts, ts_opt};

/// Enqueues `effects`.
pub(crate) async fn enqueue(tx: &mut Transaction<'_, Sqlite>, effects: &[NewEffect]) -> Result<(), PortError> {
    for e in effects {
        let payload = serde_json::to_string(&e.effect).map_err(|err| PortError::Invalid(format!("effect: {err}")))?;
        sqlx::query("INSERT INTO effects (id, incident_id, kind, payload, due_at) VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind(e.id.as_uuid().to_string())
            .bind(e.incident_id.as_uuid().to_string())
            .bind(e.effect.name())
            .bind(payload)
            .bind(ts(e.due_at))
            .execute(&mut **tx)
            .await
            .map_err(port_error)?;
    }
    Ok(())
}

/// Marks an effect done inside a transaction; `false` if it does not exist.
pub(crate) async fn mark_done(
    tx: &mut Transaction<'_, Sqlite>,
    id: EffectId,
    now: Option<DateTime<Utc>>,
) -> Result<bool, PortError> {
    let done = sqlx::query(
        "UPDATE effects SET done_at = coalesce(?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), failed = 0,
             lease_until = NULL
         WHERE id = ?1",
    )
    .bind(id.as_uuid().to_string())
    .bind(ts_opt(now))
    .execute(&mut **tx)
    .await
    .map_err(port_error)?;
    Ok(done.rows_affected() == 1)
}

fn uuid(s: &str) -> Result<Uuid, PortError> {
    Uuid::parse_str(s).map_err(|e| corrupt("id", e))
}

/// Leases up to `limit` due effects until `now + lease`, oldest due first.
pub(crate) async fn claim_due(
    db: &Db,
    limit: usize,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Vec<ClaimedEffect>, PortError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let lease = chrono::Duration::from_std(lease).map_err(|e| PortError::Invalid(format!("lease: {e}")))?;
    let (_write, mut tx) = db.write_tx().await?;
    let mut rows: Vec<(String, String, String, i64, String)> = sqlx::query_as(
        "UPDATE effects SET attempts = attempts + 1, lease_until = ?3
         WHERE id IN (
             SELECT id FROM effects
             WHERE done_at IS NULL AND due_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
             ORDER BY kind <> 'create_room', due_at, id
             LIMIT ?2)
         RETURNING id, incident_id, payload, attempts, due_at",
    )
    .bind(ts(now))
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .bind(ts(now + lease))
    .fetch_all(&mut *tx)
    .await
    .map_err(port_error)?;
    tx.commit().await.map_err(port_error)?;
    rows.sort_by(|a, b| (&a.4, &a.0).cmp(&(&b.4, &b.0)));
    rows.into_iter()
        .map(|(id, incident, payload, attempts, _)| {
            Ok(ClaimedEffect {
                id: EffectId::from_uuid(uuid(&id)?),
                incident_id: IncidentId::from_uuid(uuid(&incident)?),
                effect: serde_json::from_str(&payload).map_err(|e| corrupt("effect", e))?,
                attempts: u32::try_from(attempts).unwrap_or(0),
            })
        })
        .collect()
}

fn one_row(id: EffectId, result: Result<SqliteQueryResult, sqlx::Error>) -> Result<(), PortError> {
    if result.map_err(port_error)?.rows_affected() == 0 {
        return Err(PortError::NotFound(format!("effect {id}")));
    }
    Ok(())
}

/// Marks an effect done.
pub(crate) async fn complete(db: &Db, id: EffectId, now: DateTime<Utc>) -> Result<(), PortError> {
    let _write = db.write.lock().await;
    let result = sqlx::query("UPDATE effects SET done_at = ?2, failed = 0, lease_until = NULL WHERE id = ?1")
        .bind(id.as_uuid().to_string())
        .bind(ts(now))
        .execute(&db.pool)
        .await;
    one_row(id, result)
}

/// Ends the lease and makes the effect due again at `at`.
pub(crate) async fn retry_at(db: &Db, id: EffectId, at: DateTime<Utc>, error: &str) -> Result<(), PortError> {
    let _write = db.write.lock().await;
    let result = sqlx::query("UPDATE effects SET due_at = ?2, last_error = ?3, lease_until = NULL WHERE id = ?1")
        .bind(id.as_uuid().to_string())
        .bind(ts(at))
        .bind(error)
        .execute(&db.pool)
        .await;
    one_row(id, result)
}

/// Marks an effect failed for good.
pub(crate) async fn give_up(db: &Db, id: EffectId, now: DateTime<Utc>, error: &str) -> Result<(), PortError> {
    let _write = db.write.lock().await;
    let result =
        sqlx::query("UPDATE effects SET done_at = ?2, failed = 1, last_error = ?3, lease_until = NULL WHERE id = ?1")
            .bind(id.as_uuid().to_string())
            .bind(ts(now))
            .bind(error)
            .execute(&db.pool)
            .await;
    one_row(id, result)
}

/// Ends a lease without counting the attempt.
pub(crate) async fn release(db: &Db, id: EffectId) -> Result<(), PortError> {
    let _write = db.write.lock().await;
    let result = sqlx::query("UPDATE effects SET lease_until = NULL, attempts = max(attempts - 1, 0) WHERE id = ?1")
        .bind(id.as_uuid().to_string())
        .execute(&db.pool)
        .await;
    one_row(id, result)
}

/// Counts of pending, completed and failed effects.
pub(crate) async fn stats(db: &Db) -> Result<OutboxStats, PortError> {
    let (pending, completed, failed): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE done_at IS NULL),
                count(*) FILTER (WHERE done_at IS NOT NULL AND NOT failed),
                count(*) FILTER (WHERE done_at IS NOT NULL AND failed)
         FROM effects",
    )
    .fetch_one(&db.pool)
    .await
    .map_err(port_error)?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(OutboxStats { pending: n(pending), completed: n(completed), failed: n(failed) })
}
