//! Idempotency keys: `remember` is true the first time a key is seen.

use async_trait::async_trait;
use sima_core::ports::IdempotencyKeys;

use crate::store::SqliteStore;
use chrono::{DateTime, Utc};
use sima_core::ports::PortError;

use crate::db::Writer;
use crate::error::port_error;
use crate::time::ts;

#[async_trait]
impl IdempotencyKeys for SqliteStore {
    /// Records `key`; `true` the first time.
    async fn remember(&self, key: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
        let db = &self.db;
        let _write = db.write.lock(Writer::Foreground).await;
        let done = sqlx::query(
            "INSERT INTO idempotency_keys (key, first_seen_at) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(ts(now))
        .execute(&db.pool)
        .await
        .map_err(port_error)?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes one key.
    async fn forget_key(&self, key: &str) -> Result<(), PortError> {
        let db = &self.db;
        let _write = db.write.lock(Writer::Foreground).await;
        sqlx::query("DELETE FROM idempotency_keys WHERE key = ?1")
            .bind(key)
            .execute(&db.pool)
            .await
            .map_err(port_error)?;
        Ok(())
    }

    /// Deletes keys first seen before `cutoff`.
    async fn forget_keys_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
        let db = &self.db;
        let _write = db.write.lock(Writer::Background).await;
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE first_seen_at < ?1")
            .bind(ts(cutoff))
            .execute(&db.pool)
            .await
            .map_err(port_error)?;
        Ok(done.rows_affected())
    }
}
