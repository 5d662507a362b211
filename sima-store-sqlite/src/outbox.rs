//! The outbox: effects enqueued with incident writes, claimed by workers
//! inside a write transaction, with a lease.

use async_trait::async_trait;
use sima_core::ports::Outbox;

use crate::store::SqliteStore;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sima_core::domain::IncidentId;
use sima_core::ports::{Claim, ClaimedEffect, EffectId, OutboxStats, PortError};
use sima_store_sql::ClaimRequest;
use sqlx::Sqlite;
use uuid::Uuid;

use crate::db::{Db, Writer};
use crate::error::{corrupt, port_error};
use crate::time::{parse, parse_opt, ts};

fn uuid(s: &str) -> Result<Uuid, PortError> {
    Uuid::parse_str(s).map_err(|e| corrupt("id", e))
}

type SqliteArgs<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// The condition every holder-only update ends with.
/// The outbox gauges as of `?1`: each count reads a partial index
/// (`effects_pending_due` or `effects_done`), never the effects themselves.
const OUTBOX_STATS: &str =
    "SELECT (SELECT count(*) FROM effects WHERE done_at IS NULL AND (due_at <= ?1 OR attempts > 0)),
        (SELECT count(*) FROM effects WHERE done_at IS NULL AND due_at > ?1 AND attempts = 0),
        (SELECT count(*) FROM effects WHERE done_at IS NOT NULL AND failed = 0),
        (SELECT count(*) FROM effects WHERE done_at IS NOT NULL AND failed = 1),
        (SELECT min(due_at) FROM effects WHERE done_at IS NULL AND due_at <= ?1)";

/// The unfinished effects only (`effects_pending_due`): what `/metrics`
/// reads at every scrape, whatever the outbox's history.
const OUTBOX_BACKLOG: &str =
    "SELECT (SELECT count(*) FROM effects WHERE done_at IS NULL AND (due_at <= ?1 OR attempts > 0)),
        (SELECT count(*) FROM effects WHERE done_at IS NULL AND due_at > ?1 AND attempts = 0),
        (SELECT min(due_at) FROM effects WHERE done_at IS NULL AND due_at <= ?1)";

const HELD: &str = "WHERE id = ?1 AND claim = ?2 AND done_at IS NULL";

/// One update of the effect `claim` holds: `NotFound` if the effect is
/// unknown, `Conflict` if the claim no longer holds it.
async fn held<'q>(
    db: &Db,
    claim: Claim,
    update: &'q str,
    bind: impl FnOnce(SqliteArgs<'q>) -> SqliteArgs<'q>,
) -> Result<(), PortError> {
    let _write = db.write.lock(Writer::Background).await;
    let query =
        bind(sqlx::query(update).bind(claim.effect.as_uuid().to_string()).bind(claim.token.as_uuid().to_string()));
    if query.execute(&db.pool).await.map_err(port_error)?.rows_affected() == 1 {
        return Ok(());
    }
    let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM effects WHERE id = ?1")
        .bind(claim.effect.as_uuid().to_string())
        .fetch_optional(&db.pool)
        .await
        .map_err(port_error)?;
    Err(claim.refused(exists.is_some()))
}

#[async_trait]
impl Outbox for SqliteStore {
    /// Leases up to `limit` due effects until `now + lease` under a new token:
    /// the most severe incidents' first (a sev1 is never queued behind a
    /// flood of sev4s), rooms before other steps, then oldest due first.
    async fn claim_due(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<ClaimedEffect>, PortError> {
        let db = &self.db;
        let Some(ClaimRequest { token, limit, until }) = ClaimRequest::new(limit, now, lease)? else {
            return Ok(Vec::new());
        };
        let (_write, mut tx) = db.write_tx(Writer::Background).await?;
        let mut rows: Vec<(String, String, String, i64, String, String)> = sqlx::query_as(
            "UPDATE effects SET attempts = attempts + 1, lease_until = ?3, claim = ?4,
                 first_claimed_at = coalesce(first_claimed_at, ?1)
             WHERE id IN (
                 SELECT id FROM effects
                 WHERE done_at IS NULL AND due_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
                 ORDER BY claim_rank, due_at, id
                 LIMIT ?2)
             RETURNING id, incident_id, payload, attempts, due_at, first_claimed_at",
        )
        .bind(ts(now))
        .bind(limit)
        .bind(ts(until))
        .bind(token.as_uuid().to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(port_error)?;
        tx.commit().await.map_err(port_error)?;
        rows.sort_by(|a, b| (&a.4, &a.0).cmp(&(&b.4, &b.0)));
        rows.into_iter()
            .map(|(id, incident, payload, attempts, _, first_claimed_at)| {
                Ok(ClaimedEffect {
                    id: EffectId::from_uuid(uuid(&id)?),
                    token,
                    incident_id: IncidentId::from_uuid(uuid(&incident)?),
                    effect: serde_json::from_str(&payload).map_err(|e| corrupt("effect", e))?,
                    attempts: u32::try_from(attempts).unwrap_or(0),
                    first_claimed_at: parse(&first_claimed_at)?,
                })
            })
            .collect()
    }

    /// Extends the leases `claims` still hold until `until`; returns those ids.
    async fn renew(&self, claims: &[Claim], until: DateTime<Utc>) -> Result<Vec<EffectId>, PortError> {
        let db = &self.db;
        if claims.is_empty() {
            return Ok(Vec::new());
        }
        let (_write, mut tx) = db.write_tx(Writer::Background).await?;
        let mut renewed = Vec::new();
        for claim in claims {
            let result = sqlx::query(&format!("UPDATE effects SET lease_until = ?3 {HELD}"))
                .bind(claim.effect.as_uuid().to_string())
                .bind(claim.token.as_uuid().to_string())
                .bind(ts(until))
                .execute(&mut *tx)
                .await
                .map_err(port_error)?;
            if result.rows_affected() == 1 {
                renewed.push(claim.effect);
            }
        }
        tx.commit().await.map_err(port_error)?;
        Ok(renewed)
    }

    /// Marks an effect done.
    async fn complete(&self, claim: Claim, now: DateTime<Utc>) -> Result<(), PortError> {
        let db = &self.db;
        let sql = format!("UPDATE effects SET done_at = ?3, failed = 0, lease_until = NULL, claim = NULL {HELD}");
        held(db, claim, &sql, |q| q.bind(ts(now))).await
    }

    /// Ends the lease and makes the effect due again at `at`.
    async fn retry_at(&self, claim: Claim, at: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        let db = &self.db;
        let sql = format!("UPDATE effects SET due_at = ?3, last_error = ?4, lease_until = NULL, claim = NULL {HELD}");
        held(db, claim, &sql, |q| q.bind(ts(at)).bind(error.to_owned())).await
    }

    /// Marks an effect failed for good.
    async fn give_up(&self, claim: Claim, now: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        let db = &self.db;
        let sql = format!(
            "UPDATE effects SET done_at = ?3, failed = 1, last_error = ?4, lease_until = NULL, claim = NULL {HELD}"
        );
        held(db, claim, &sql, |q| q.bind(ts(now)).bind(error.to_owned())).await
    }

    /// Ends a lease without counting the attempt.
    async fn release(&self, claim: Claim) -> Result<(), PortError> {
        let db = &self.db;
        let sql =
            format!("UPDATE effects SET lease_until = NULL, claim = NULL, attempts = max(attempts - 1, 0) {HELD}");
        held(db, claim, &sql, |q| q).await
    }

    /// Makes an incident's failed effects pending again, due at `now`.
    async fn retry_failed(&self, incident: IncidentId, now: DateTime<Utc>) -> Result<u64, PortError> {
        let db = &self.db;
        let _write = db.write.lock(Writer::Foreground).await;
        let result = sqlx::query(
            "UPDATE effects SET done_at = NULL, failed = 0, due_at = ?2, attempts = 0, first_claimed_at = NULL,
                 lease_until = NULL, claim = NULL
             WHERE incident_id = ?1 AND failed = 1",
        )
        .bind(incident.as_uuid().to_string())
        .bind(ts(now))
        .execute(&db.pool)
        .await
        .map_err(port_error)?;
        Ok(result.rows_affected())
    }

    /// Counts of the effects not done yet, from the unfinished rows only.
    async fn outbox_backlog(&self, now: DateTime<Utc>) -> Result<OutboxStats, PortError> {
        let (pending, scheduled, oldest): (i64, i64, Option<String>) =
            sqlx::query_as(OUTBOX_BACKLOG).bind(ts(now)).fetch_one(&self.db.pool).await.map_err(port_error)?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let oldest_pending_due = parse_opt(oldest.as_deref())?;
        Ok(OutboxStats { pending: n(pending), scheduled: n(scheduled), oldest_pending_due, ..OutboxStats::default() })
    }

    /// Counts of pending (due), scheduled, completed and failed effects.
    async fn outbox_stats(&self, now: DateTime<Utc>) -> Result<OutboxStats, PortError> {
        let db = &self.db;
        let (pending, scheduled, completed, failed, oldest): (i64, i64, i64, i64, Option<String>) =
            sqlx::query_as(OUTBOX_STATS).bind(ts(now)).fetch_one(&db.pool).await.map_err(port_error)?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let oldest_pending_due = parse_opt(oldest.as_deref())?;
        Ok(OutboxStats {
            pending: n(pending),
            scheduled: n(scheduled),
            completed: n(completed),
            failed: n(failed),
            oldest_pending_due,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_plans::{fresh_store, plan};

    #[tokio::test]
    async fn the_gauges_read_partial_indexes_not_every_effect() {
        let (store, _dir) = fresh_store().await;
        let filter = sima_core::ports::IncidentFilter::default();
        let steps = plan(&store, OUTBOX_STATS, &filter).await;
        assert!(steps.contains("COVERING INDEX effects_done"), "{steps}");
        assert!(steps.contains("INDEX effects_pending_due"), "{steps}");
        assert!(!steps.lines().any(|step| step.trim() == "SCAN effects"), "a full scan: {steps}");
    }

    #[tokio::test]
    async fn the_backlog_reads_the_unfinished_effects_only() {
        let (store, _dir) = fresh_store().await;
        let steps = plan(&store, OUTBOX_BACKLOG, &sima_core::ports::IncidentFilter::default()).await;
        assert!(steps.contains("INDEX effects_pending_due"), "{steps}");
        assert!(!steps.contains("effects_done") && !steps.lines().any(|s| s.trim() == "SCAN effects"), "{steps}");
    }
}
