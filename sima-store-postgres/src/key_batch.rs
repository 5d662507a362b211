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

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sima_core::ports::PortError;
use sima_store_sql::{BatchWriter, GroupCommit};
use sqlx::postgres::PgPool;
use tokio::sync::oneshot;

use crate::error::port_error;

/// The most keys one statement inserts.
pub(crate) const MAX_KEYS: usize = 64;

/// Inserts a batch's keys and times (two arrays, so one prepared statement
/// serves every batch size); returns the keys that were not stored yet.
const INSERT_NEW_KEYS: &str = "INSERT INTO idempotency_keys (key, first_seen_at) \
     SELECT * FROM UNNEST($1::text[], $2::timestamptz[]) \
     ON CONFLICT (key) DO NOTHING RETURNING key";

/// One `remember` call: its key, when it was seen, and where its answer goes.
pub(crate) type Remember = (String, DateTime<Utc>, oneshot::Sender<Result<bool, PortError>>);

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
        let (keys, seen_at) = distinct_keys(&calls);
        let written = sqlx::query_scalar::<_, String>(INSERT_NEW_KEYS)
            .bind(keys)
            .bind(seen_at)
            .fetch_all(&self.pool)
            .await
            .map(|new| new.into_iter().collect())
            .map_err(port_error);
        answer(calls, written);
    }
}

/// The distinct keys of `calls` in key order, and beside them when each
/// was first seen (its first caller's time).
fn distinct_keys(calls: &[Remember]) -> (Vec<&str>, Vec<DateTime<Utc>>) {
    let mut keys = BTreeMap::new();
    for (key, now, _) in calls {
        keys.entry(key.as_str()).or_insert(*now);
    }
    keys.into_iter().unzip()
}

/// Answers each call: `true` for the first caller of each key in `new`,
/// `false` for the others, or the batch's error for all.
fn answer(calls: Vec<Remember>, written: Result<HashSet<String>, PortError>) {
    match written {
        Ok(mut new) => {
            for (key, _, reply) in calls {
                let _ = reply.send(Ok(new.remove(&key)));
            }
        }
        Err(error) => {
            for (_, _, reply) in calls {
                let _ = reply.send(Err(error.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }

    fn call(key: &str, ms: i64) -> (Remember, oneshot::Receiver<Result<bool, PortError>>) {
        let (reply, answered) = oneshot::channel();
        ((key.to_owned(), at(ms), reply), answered)
    }

    #[test]
    fn a_batch_inserts_each_key_once_in_key_order_with_its_first_time() {
        let (calls, _answers): (Vec<_>, Vec<_>) = [call("b", 2), call("a", 1), call("b", 3)].into_iter().unzip();
        assert_eq!(distinct_keys(&calls), (vec!["a", "b"], vec![at(1), at(2)]));
    }

    #[tokio::test]
    async fn a_new_key_is_true_for_its_first_caller_only_and_an_error_reaches_every_caller() {
        let (calls, answers): (Vec<_>, Vec<_>) = [call("a", 0), call("a", 0), call("b", 0)].into_iter().unzip();
        answer(calls, Ok(HashSet::from(["a".to_owned()])));
        let mut got = Vec::new();
        for answered in answers {
            got.push(answered.await.ok());
        }
        assert_eq!(got, vec![Some(Ok(true)), Some(Ok(false)), Some(Ok(false))]);

        let (calls, answers): (Vec<_>, Vec<_>) = [call("a", 0), call("c", 0)].into_iter().unzip();
        let failed = PortError::Transient("connection reset".into());
        answer(calls, Err(failed.clone()));
        for answered in answers {
            assert_eq!(answered.await.ok(), Some(Err(failed.clone())));
        }
    }
}
