//! The outbox: effects enqueued with incident writes, claimed by workers with
//! `FOR UPDATE SKIP LOCKED` and a lease.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sima_core::domain::IncidentId;
use sima_core::ports::{ClaimedEffect, EffectId, NewEffect, OutboxStats, PortError};
use sima_core::runbook::Effect;
use sqlx::postgres::{PgPool, PgQueryResult, Postgres};
use sqlx::types::Json;
use sqlx::Transaction;
use uuid::Uuid;

use crate::error::{corrupt, port_error};

/// Enqueues `effects` in one statement.
pub(crate) async fn enqueue(tx: &mut Transaction<'_, Postgres>, effects: &[NewEffect]) -> Result<(), sqlx::Error> {
    if effects.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = effects.iter().map(|e| e.id.as_uuid()).collect();
    let incidents: Vec<Uuid> = effects.iter().map(|e| e.incident_id.as_uuid()).collect();
    let kinds: Vec<&str> = effects.iter().map(|e| e.effect.name()).collect();
    let payloads: Vec<Json<&Effect>> = effects.iter().map(|e| Json(&e.effect)).collect();
    let due: Vec<DateTime<Utc>> = effects.iter().map(|e| e.due_at).collect();
    sqlx::query(
        "INSERT INTO effects (id, incident_id, kind, payload, due_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::timestamptz[])",
    )
    .bind(&ids)
    .bind(&incidents)
    .bind(&kinds)
    .bind(&payloads)
    .bind(&due)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks an effect done inside a transaction; `false` if it does not exist.
pub(crate) async fn mark_done(
    tx: &mut Transaction<'_, Postgres>,
    id: EffectId,
    now: Option<DateTime<Utc>>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE effects SET done_at = coalesce($2, now()), failed = false, lease_until = NULL WHERE id = $1",
    )
    .bind(id.as_uuid())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

type ClaimRow = (Uuid, Uuid, Json<Effect>, i32, DateTime<Utc>);

/// Leases up to `limit` due effects until `now + lease`, oldest due first.
pub(crate) async fn claim_due(
    pool: &PgPool,
    limit: usize,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Vec<ClaimedEffect>, PortError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let lease = chrono::Duration::from_std(lease).map_err(|e| PortError::Invalid(format!("lease: {e}")))?;
    let mut rows: Vec<ClaimRow> = sqlx::query_as(
        "WITH due AS (
             SELECT id FROM effects
             WHERE done_at IS NULL AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
             ORDER BY kind <> 'create_room', due_at, id
             LIMIT $2
             FOR UPDATE SKIP LOCKED
         )
         UPDATE effects e SET attempts = e.attempts + 1, lease_until = $3
         FROM due WHERE e.id = due.id
         RETURNING e.id, e.incident_id, e.payload, e.attempts, e.due_at",
    )
    .bind(now)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .bind(now + lease)
    .fetch_all(pool)
    .await
    .map_err(|e| match e {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => corrupt("effect", e),
        other => port_error(other),
    })?;
    rows.sort_by_key(|r| (r.4, r.0));
    Ok(rows
        .into_iter()
        .map(|(id, incident, Json(effect), attempts, _)| ClaimedEffect {
            id: EffectId::from_uuid(id),
            incident_id: IncidentId::from_uuid(incident),
            effect,
            attempts: u32::try_from(attempts).unwrap_or(0),
        })
        .collect())
}

fn one_row(id: EffectId, result: Result<PgQueryResult, sqlx::Error>) -> Result<(), PortError> {
    if result.map_err(port_error)?.rows_affected() == 0 {
        return Err(PortError::NotFound(format!("effect {id}")));
    }
    Ok(())
}

/// Marks an effect done.
pub(crate) async fn complete(pool: &PgPool, id: EffectId, now: DateTime<Utc>) -> Result<(), PortError> {
    let result = sqlx::query("UPDATE effects SET done_at = $2, failed = false, lease_until = NULL WHERE id = $1")
        .bind(id.as_uuid())
        .bind(now)
        .execute(pool)
        .await;
    one_row(id, result)
}

/// Ends the lease and makes the effect due again at `at`.
pub(crate) async fn retry_at(pool: &PgPool, id: EffectId, at: DateTime<Utc>, error: &str) -> Result<(), PortError> {
    let result = sqlx::query("UPDATE effects SET due_at = $2, last_error = $3, lease_until = NULL WHERE id = $1")
        .bind(id.as_uuid())
        .bind(at)
        .bind(error)
        .execute(pool)
        .await;
    one_row(id, result)
}

/// Marks an effect failed for good.
pub(crate) async fn give_up(pool: &PgPool, id: EffectId, now: DateTime<Utc>, error: &str) -> Result<(), PortError> {
    let result = sqlx::query(
        "UPDATE effects SET done_at = $2, failed = true, last_error = $3, lease_until = NULL WHERE id = $1",
    )
    .bind(id.as_uuid())
    .bind(now)
    .bind(error)
    .execute(pool)
    .await;
    one_row(id, result)
}

/// Ends a lease without counting the attempt.
pub(crate) async fn release(pool: &PgPool, id: EffectId) -> Result<(), PortError> {
    let result =
        sqlx::query("UPDATE effects SET lease_until = NULL, attempts = greatest(attempts - 1, 0) WHERE id = $1")
            .bind(id.as_uuid())
            .execute(pool)
            .await;
    one_row(id, result)
}

/// Counts of pending, completed and failed effects.
pub(crate) async fn stats(pool: &PgPool) -> Result<OutboxStats, PortError> {
    let (pending, completed, failed): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE done_at IS NULL),
                count(*) FILTER (WHERE done_at IS NOT NULL AND NOT failed),
                count(*) FILTER (WHERE done_at IS NOT NULL AND failed)
         FROM effects",
    )
    .fetch_one(pool)
    .await
    .map_err(port_error)?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(OutboxStats { pending: n(pending), completed: n(completed), failed: n(failed) })
}
