//! The group commit of idempotency keys.
//!
//! Concurrent `remember` calls share one write transaction ([`GroupCommit`]):
//! a batch inserts its distinct keys with one statement and answers each
//! caller after the commit, `true` for the first caller of a key that was
//! not stored yet and `false` for the others; a failed write answers every
//! caller of its batch with the error.

use std::collections::HashSet;

use sima_core::ports::PortError;
use sima_store_sql::{answer_remembered, first_seen, BatchWriter, GroupCommit, Remember};

use crate::db::{Db, Writer};
use crate::error::port_error;
use crate::time::ts;

/// The most keys one transaction inserts.
pub(crate) const MAX_KEYS: usize = 64;

/// Inserts the keys of a batch, handed over as one JSON array of
/// `[key, first_seen_at]` pairs so that one prepared statement serves every
/// batch size; returns the keys that were not stored yet.
const INSERT_NEW_KEYS: &str = "INSERT INTO idempotency_keys (key, first_seen_at) \
     SELECT value ->> 0, value ->> 1 FROM json_each(?1) WHERE true \
     ON CONFLICT (key) DO NOTHING RETURNING key";

/// Inserts batches of keys, one write transaction each.
#[derive(Debug)]
pub(crate) struct KeyWriter {
    pub(crate) db: Db,
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
    /// Inserts `keys` (with when each was first seen) in one committed
    /// transaction; returns those that were new.
    async fn insert_new(&self, keys: &[(&str, String)]) -> Result<HashSet<String>, PortError> {
        let pairs = serde_json::to_string(keys).map_err(|e| PortError::Invalid(format!("idempotency keys: {e}")))?;
        let (_write, mut tx) = self.db.write_tx(Writer::Foreground).await?;
        let new: Vec<String> =
            sqlx::query_scalar(INSERT_NEW_KEYS).bind(pairs).fetch_all(&mut *tx).await.map_err(port_error)?;
        tx.commit().await.map_err(port_error)?;
        Ok(new.into_iter().collect())
    }
}
