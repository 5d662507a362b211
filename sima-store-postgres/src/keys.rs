//! Idempotency keys: `remember` is true the first time a key is seen;
//! concurrent calls share one insert (`key_batch`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::ports::{IdempotencyKeys, PortError};
use tokio::sync::oneshot;

use crate::error::port_error;
use crate::store::PgStore;

#[async_trait]
impl IdempotencyKeys for PgStore {
    /// Records `key`; `true` the first time. Shares a statement with the
    /// calls queued beside it, and answers after its commit.
    async fn remember(&self, key: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
        let (reply, answered) = oneshot::channel();
        self.keys.submit((key.to_owned(), now, reply), true);
        answered.await.map_err(|_| PortError::Transient("the batch of this key stopped before answering".into()))?
    }

    /// Deletes one key.
    async fn forget_key(&self, key: &str) -> Result<(), PortError> {
        let pool = &self.pool;
        sqlx::query("DELETE FROM idempotency_keys WHERE key = $1").bind(key).execute(pool).await.map_err(port_error)?;
        Ok(())
    }

    /// Deletes keys first seen before `cutoff`.
    async fn forget_keys_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
        let pool = &self.pool;
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE first_seen_at < $1")
            .bind(cutoff)
            .execute(pool)
            .await
            .map_err(port_error)?;
        Ok(done.rows_affected())
    }
}
