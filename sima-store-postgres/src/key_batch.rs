//! The group commit of idempotency keys.
//!
//! Concurrent `remember` calls share one statement ([`GroupCommit`]): a batch
//! inserts its distinct keys with one `INSERT … ON CONFLICT DO NOTHING
//! RETURNING key` (its own transaction) and answers each caller after it
//! commits, `true` for the first caller of a key that was not stored yet and
//! `false` for the others; a failed insert answers every caller of its batch
//! with the error. Keys go in key order, so two replicas inserting
//! overlapping batches wait for each other instead of deadlocking, and the
//! unique key makes one of them the first whichever commits first.

use chrono::{DateTime, Utc};
use sima_store_sql::{answer_remembered, first_seen, BatchWriter, GroupCommit, Remember};
use sqlx::postgres::PgPool;

use crate::error::port_error;

/// The most keys one statement inserts.
pub(crate) const MAX_KEYS: usize = 64;

/// Inserts a batch's keys and times (two arrays, so one prepared statement
/// serves every batch size); returns the keys that were not stored yet.
const INSERT_NEW_KEYS: &str = "INSERT INTO idempotency_keys (key, first_seen_at) \
     SELECT * FROM UNNEST($1::text[], $2::timestamptz[]) \
     ON CONFLICT (key) DO NOTHING RETURNING key";

/// Inserts batches of keys, one statement each.
#[derive(Debug)]
pub(crate) struct KeyWriter {
    pub(crate) pool: PgPool,
}

/// The group commit of a store's `remember` calls.
pub(crate) type KeyWrites = GroupCommit<KeyWriter>;

impl BatchWriter for KeyWriter {
    type Job = Remember;

    async fn write(&self, calls: Vec<Remember>) {
        let (keys, seen_at): (Vec<&str>, Vec<DateTime<Utc>>) = first_seen(&calls).into_iter().unzip();
        let written = sqlx::query_scalar::<_, String>(INSERT_NEW_KEYS)
            .bind(keys)
            .bind(seen_at)
            .fetch_all(&self.pool)
            .await
            .map(|new| new.into_iter().collect())
            .map_err(port_error);
        answer_remembered(calls, written);
    }
}
