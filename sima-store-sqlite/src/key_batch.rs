//! The group commit of idempotency keys.
//!
//! Concurrent `remember` calls share one write ([`GroupCommit`]): a batch
//! inserts its distinct keys with one statement, its own transaction, under
//! the process's write lock, and answers each caller after it committed,
//! `true` for the first caller of a key that was not stored yet and `false`
//! for the others. A failed write answers every caller of its batch with the
//! error, so nothing is acted on; that includes the rare `Transient` when
//! another process writes the file in the instant between the statement's
//! read and its write.

use std::collections::HashSet;

use sima_core::ports::PortError;
use sima_store_sql::{answer_remembered, first_seen, BatchWriter, GroupCommit, Remember};
use sqlx::SqliteConnection;

use crate::db::{Db, Writer};
use crate::error::port_error;
use crate::time::ts;

/// The most keys one statement inserts.
pub(crate) const MAX_KEYS: usize = 64;

/// Inserts the keys of a batch, handed over as one JSON array of
/// `[key, first_seen_at]` pairs so that one prepared statement serves every
/// batch size; returns the keys that were not stored yet.
const INSERT_NEW_KEYS: &str = "INSERT INTO idempotency_keys (key, first_seen_at) \
     SELECT value ->> 0, value ->> 1 FROM json_each(?1) WHERE true \
     ON CONFLICT (key) DO NOTHING RETURNING key";

/// Inserts batches of keys, one statement each, on a connection of its own.
#[derive(Debug)]
pub(crate) struct KeyWriter {
    pub(crate) db: Db,
    /// Taken out of the pool once and kept: a pooled connection costs a ping
    /// on its thread each time it goes back. Dropped after any failure, so
    /// the next batch starts on a fresh one.
    pub(crate) connection: tokio::sync::Mutex<Option<SqliteConnection>>,
}

/// The group commit of a store's `remember` calls.
pub(crate) type KeyWrites = GroupCommit<KeyWriter>;

impl BatchWriter for KeyWriter {
    type Job = Remember;

    async fn write(&self, calls: Vec<Remember>) {
        let keys: Vec<(&str, String)> = first_seen(&calls).into_iter().map(|(key, at)| (key, ts(at))).collect();
        let written = self.insert_new(&keys).await;
        answer_remembered(calls, written);
    }
}

impl KeyWriter {
    /// Closes the connection kept for the batches, if one is open.
    pub(crate) async fn close(&self) {
        if let Some(connection) = self.connection.lock().await.take() {
            if let Err(error) = sqlx::Connection::close(connection).await {
                tracing::debug!(%error, "closing the replay checks' connection");
            }
        }
    }

    /// Inserts `keys` (with when each was first seen) with one statement;
    /// returns those that were new.
    async fn insert_new(&self, keys: &[(&str, String)]) -> Result<HashSet<String>, PortError> {
        let pairs = serde_json::to_string(keys).map_err(|e| PortError::Invalid(format!("idempotency keys: {e}")))?;
        // One statement is its own transaction: one trip to the connection's
        // thread where `BEGIN`, the insert and `COMMIT` took three.
        let _write = self.db.write.lock(Writer::Foreground).await;
        let mut kept = self.connection.lock().await;
        if self.db.pool.is_closed() {
            // The store was closed: so is its file, for this connection too.
            *kept = None;
            return Err(PortError::Transient("the store is closed".into()));
        }
        let connection = match kept.as_mut() {
            Some(connection) => connection,
            None => kept.insert(self.db.pool.acquire().await.map_err(port_error)?.detach()),
        };
        let inserted = sqlx::query_scalar(INSERT_NEW_KEYS).bind(pairs).fetch_all(&mut *connection).await;
        let new: Vec<String> = inserted.map_err(|error| {
            *kept = None;
            port_error(error)
        })?;
        Ok(new.into_iter().collect())
    }
}
