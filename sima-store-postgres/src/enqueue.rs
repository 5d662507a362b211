//! Outbox rows written with incident writes, inside their transaction:
//! enqueued effects, their claim rank, and the effect an outcome completes.

use chrono::{DateTime, Utc};
use sima_core::domain::{Effect, IncidentId, Severity};
use sima_core::ports::{Claim, NewEffect};
use sima_store_sql::{claim_rank, rooms_rank};
use sqlx::postgres::Postgres;
use sqlx::types::Json;
use sqlx::Transaction;
use uuid::Uuid;

/// Enqueues `effects` of an incident of `severity` in one statement, each
/// with its claim rank.
pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Postgres>,
    severity: Severity,
    effects: &[NewEffect],
) -> Result<(), sqlx::Error> {
    if effects.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = effects.iter().map(|e| e.id.as_uuid()).collect();
    let incidents: Vec<Uuid> = effects.iter().map(|e| e.incident_id.as_uuid()).collect();
    let kinds: Vec<&str> = effects.iter().map(|e| e.effect.name()).collect();
    let payloads: Vec<Json<&Effect>> = effects.iter().map(|e| Json(&e.effect)).collect();
    let due: Vec<DateTime<Utc>> = effects.iter().map(|e| e.due_at).collect();
    let attempts: Vec<i32> = effects.iter().map(|e| i32::from(e.leased.is_some())).collect();
    let claims: Vec<Option<Uuid>> = effects.iter().map(|e| e.leased.map(|l| l.token.as_uuid())).collect();
    let until: Vec<Option<DateTime<Utc>>> = effects.iter().map(|e| e.leased.map(|l| l.until)).collect();
    let first: Vec<Option<DateTime<Utc>>> = effects.iter().map(|e| e.leased.map(|l| l.at)).collect();
    let ranks: Vec<i16> =
        effects.iter().map(|e| i16::try_from(claim_rank(severity, e.effect.name())).unwrap_or(i16::MAX)).collect();
    sqlx::query(
        "INSERT INTO effects (id, incident_id, kind, payload, due_at, attempts, claim, lease_until, first_claimed_at,
             claim_rank)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::timestamptz[],
                              $6::int[], $7::uuid[], $8::timestamptz[], $9::timestamptz[], $10::smallint[])",
    )
    .bind(&ids)
    .bind(&incidents)
    .bind(&kinds)
    .bind(&payloads)
    .bind(&due)
    .bind(&attempts)
    .bind(&claims)
    .bind(&until)
    .bind(&first)
    .bind(&ranks)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Re-ranks the pending effects of incident `id`, now of `severity`.
pub(crate) async fn rerank(
    tx: &mut Transaction<'_, Postgres>,
    id: IncidentId,
    severity: Severity,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE effects SET claim_rank = $2 + (kind <> 'create_room')::int
         WHERE incident_id = $1 AND done_at IS NULL AND claim_rank <> $2 + (kind <> 'create_room')::int",
    )
    .bind(id.as_uuid())
    .bind(i16::try_from(rooms_rank(severity)).unwrap_or(i16::MAX))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks an effect done inside a transaction if `claim` still holds it;
/// `false` if it does not (unknown, finished, or taken over).
pub(crate) async fn mark_done(
    tx: &mut Transaction<'_, Postgres>,
    claim: Claim,
    now: Option<DateTime<Utc>>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE effects SET done_at = coalesce($3, now()), failed = false, lease_until = NULL, claim = NULL
         WHERE id = $1 AND claim = $2 AND done_at IS NULL",
    )
    .bind(claim.effect.as_uuid())
    .bind(claim.token.as_uuid())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
