//! The outbox: effects enqueued with incident writes, claimed by workers with
//! `FOR UPDATE SKIP LOCKED` and a lease.

use async_trait::async_trait;
use sima_core::ports::Outbox;

use crate::store::PgStore;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sima_core::domain::Effect;
use sima_core::domain::IncidentId;
use sima_core::ports::{Claim, ClaimedEffect, EffectId, OutboxStats, PortError};
use sima_store_sql::ClaimRequest;
use sqlx::postgres::{PgPool, Postgres};
use sqlx::types::Json;
use uuid::Uuid;

use crate::error::{corrupt, port_error};

type ClaimRow = (Uuid, Uuid, Json<Effect>, i32, DateTime<Utc>, DateTime<Utc>);

/// One update of the effect `claim` holds: `NotFound` if the effect is
/// unknown, `Conflict` if the claim no longer holds it.
async fn held(
    pool: &PgPool,
    claim: Claim,
    update: &str,
    bind: impl FnOnce(PgArgs<'_>) -> PgArgs<'_>,
) -> Result<(), PortError> {
    let query = bind(sqlx::query(update).bind(claim.effect.as_uuid()).bind(claim.token.as_uuid()));
    if query.execute(pool).await.map_err(port_error)?.rows_affected() == 1 {
        return Ok(());
    }
    let exists: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM effects WHERE id = $1")
        .bind(claim.effect.as_uuid())
        .fetch_optional(pool)
        .await
        .map_err(port_error)?;
    Err(claim.refused(exists.is_some()))
}

type PgArgs<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

/// The condition every holder-only update ends with.
const HELD: &str = "WHERE id = $1 AND claim = $2 AND done_at IS NULL";

#[async_trait]
impl Outbox for PgStore {
    /// Leases up to `limit` due effects until `now + lease` under a new token:
    /// the most severe incidents' first (a sev1 is never queued behind a
    /// flood of sev4s), rooms before other steps, then oldest due first.
    async fn claim_due(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<ClaimedEffect>, PortError> {
        let pool = &self.pool;
        let Some(ClaimRequest { token, limit, until }) = ClaimRequest::new(limit, now, lease)? else {
            return Ok(Vec::new());
        };
        let mut rows: Vec<ClaimRow> = sqlx::query_as(
            "WITH due AS (
                 SELECT id FROM effects
                 WHERE done_at IS NULL AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
                 ORDER BY claim_rank, due_at, id
                 LIMIT $2
                 FOR UPDATE SKIP LOCKED
             )
             UPDATE effects e SET attempts = e.attempts + 1, lease_until = $3, claim = $4,
                 first_claimed_at = coalesce(e.first_claimed_at, $1)
             FROM due WHERE e.id = due.id
             RETURNING e.id, e.incident_id, e.payload, e.attempts, e.due_at, e.first_claimed_at",
        )
        .bind(now)
        .bind(limit)
        .bind(until)
        .bind(token.as_uuid())
        .fetch_all(pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => corrupt("effect", e),
            other => port_error(other),
        })?;
        rows.sort_by_key(|r| (r.4, r.0));
        Ok(rows
            .into_iter()
            .map(|(id, incident, Json(effect), attempts, _, first_claimed_at)| ClaimedEffect {
                id: EffectId::from_uuid(id),
                token,
                incident_id: IncidentId::from_uuid(incident),
                effect,
                attempts: u32::try_from(attempts).unwrap_or(0),
                first_claimed_at,
            })
            .collect())
    }

    /// Extends the leases `claims` still hold until `until`; returns those ids.
    async fn renew(&self, claims: &[Claim], until: DateTime<Utc>) -> Result<Vec<EffectId>, PortError> {
        let pool = &self.pool;
        if claims.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = claims.iter().map(|c| c.effect.as_uuid()).collect();
        let tokens: Vec<Uuid> = claims.iter().map(|c| c.token.as_uuid()).collect();
        let renewed: Vec<(Uuid,)> = sqlx::query_as(
            "UPDATE effects e SET lease_until = $3
             FROM UNNEST($1::uuid[], $2::uuid[]) AS held (id, claim)
             WHERE e.id = held.id AND e.claim = held.claim AND e.done_at IS NULL
             RETURNING e.id",
        )
        .bind(&ids)
        .bind(&tokens)
        .bind(until)
        .fetch_all(pool)
        .await
        .map_err(port_error)?;
        Ok(renewed.into_iter().map(|(id,)| EffectId::from_uuid(id)).collect())
    }

    /// Marks an effect done.
    async fn complete(&self, claim: Claim, now: DateTime<Utc>) -> Result<(), PortError> {
        let pool = &self.pool;
        let sql = format!("UPDATE effects SET done_at = $3, failed = false, lease_until = NULL, claim = NULL {HELD}");
        held(pool, claim, &sql, |q| q.bind(now)).await
    }

    /// Ends the lease and makes the effect due again at `at`.
    async fn retry_at(&self, claim: Claim, at: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        let pool = &self.pool;
        let sql = format!("UPDATE effects SET due_at = $3, last_error = $4, lease_until = NULL, claim = NULL {HELD}");
        held(pool, claim, &sql, |q| q.bind(at).bind(error.to_owned())).await
    }

    /// Marks an effect failed for good.
    async fn give_up(&self, claim: Claim, now: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        let pool = &self.pool;
        let sql = format!(
            "UPDATE effects SET done_at = $3, failed = true, last_error = $4, lease_until = NULL, claim = NULL {HELD}"
        );
        held(pool, claim, &sql, |q| q.bind(now).bind(error.to_owned())).await
    }

    /// Ends a lease without counting the attempt.
    async fn release(&self, claim: Claim) -> Result<(), PortError> {
        let pool = &self.pool;
        let sql =
            format!("UPDATE effects SET lease_until = NULL, claim = NULL, attempts = greatest(attempts - 1, 0) {HELD}");
        held(pool, claim, &sql, |q| q).await
    }

    /// Makes an incident's failed effects pending again, due at `now`.
    async fn retry_failed(&self, incident: IncidentId, now: DateTime<Utc>) -> Result<u64, PortError> {
        let pool = &self.pool;
        let result = sqlx::query(
            "UPDATE effects SET done_at = NULL, failed = false, due_at = $2, attempts = 0, first_claimed_at = NULL,
                 lease_until = NULL, claim = NULL
             WHERE incident_id = $1 AND failed",
        )
        .bind(incident.as_uuid())
        .bind(now)
        .execute(pool)
        .await
        .map_err(port_error)?;
        Ok(result.rows_affected())
    }

    /// Counts of the effects not done yet, from the unfinished rows only.
    async fn outbox_backlog(&self, now: DateTime<Utc>) -> Result<OutboxStats, PortError> {
        let (pending, scheduled, oldest_pending_due): (i64, i64, Option<DateTime<Utc>>) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM effects WHERE done_at IS NULL AND (due_at <= $1 OR attempts > 0)),
                    (SELECT count(*) FROM effects WHERE done_at IS NULL AND due_at > $1 AND attempts = 0),
                    (SELECT min(due_at) FROM effects WHERE done_at IS NULL AND due_at <= $1)",
        )
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(port_error)?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(OutboxStats { pending: n(pending), scheduled: n(scheduled), oldest_pending_due, ..OutboxStats::default() })
    }

    /// Counts of pending (due), scheduled, completed and failed effects.
    async fn outbox_stats(&self, now: DateTime<Utc>) -> Result<OutboxStats, PortError> {
        let pool = &self.pool;
        let (pending, scheduled, completed, failed, oldest_pending_due): (i64, i64, i64, i64, Option<DateTime<Utc>>) =
            sqlx::query_as(
                "SELECT (SELECT count(*) FROM effects WHERE done_at IS NULL AND (due_at <= $1 OR attempts > 0)),
                        (SELECT count(*) FROM effects WHERE done_at IS NULL AND due_at > $1 AND attempts = 0),
                        (SELECT count(*) FROM effects WHERE done_at IS NOT NULL AND NOT failed),
                        (SELECT count(*) FROM effects WHERE done_at IS NOT NULL AND failed),
                        (SELECT min(due_at) FROM effects WHERE done_at IS NULL AND due_at <= $1)",
            )
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(port_error)?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(OutboxStats {
            pending: n(pending),
            scheduled: n(scheduled),
            completed: n(completed),
            failed: n(failed),
            oldest_pending_due,
        })
    }
}
