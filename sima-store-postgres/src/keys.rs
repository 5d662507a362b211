//! Idempotency keys: `remember` is true the first time a key is seen.

use chrono::{DateTime, Utc};
use sima_core::ports::PortError;
use sqlx::postgres::PgPool;

use crate::error::port_error;

/// Records `key`; `true` the first time.
pub(crate) async fn remember(pool: &PgPool, key: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
    let done =
        sqlx::query("INSERT INTO idempotency_keys (key, first_seen_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(now)
            .execute(pool)
            .await
            .map_err(port_error)?;
    Ok(done.rows_affected() == 1)
}

/// Deletes one key.
pub(crate) async fn forget(pool: &PgPool, key: &str) -> Result<(), PortError> {
    sqlx::query("DELETE FROM idempotency_keys WHERE key = $1").bind(key).execute(pool).await.map_err(port_error)?;
    Ok(())
}

/// Deletes keys first seen before `cutoff`.
pub(crate) async fn forget_before(pool: &PgPool, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE first_seen_at < $1")
        .bind(cutoff)
        .execute(pool)
        .await
        .map_err(port_error)?;
    Ok(done.rows_affected())
}
