//! The group commit of idempotency keys.
//!
//! Concurrent `remember` calls share one write transaction ([`GroupCommit`]):
//! a batch inserts its distinct keys with one statement and answers each
//! caller after the commit, `true` for the first caller of a key that was
//! not stored yet and `false` for the others; a failed write answers every
//! caller of its batch with the error.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sima_core::ports::PortError;
use sima_store_sql::{BatchWriter, GroupCommit};
use tokio::sync::oneshot;

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

/// One `remember` call: its key, when it was seen, and where its answer goes.
pub(crate) type Remember = (String, DateTime<Utc>, oneshot::Sender<Result<bool, PortError>>);

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
        let written = self.insert_new(&distinct_keys(&calls)).await;
        answer(calls, written);
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

/// The distinct keys of `calls` in key order, each with its first caller's time as stored.
fn distinct_keys(calls: &[Remember]) -> Vec<(&str, String)> {
    let mut keys = BTreeMap::new();
    for (key, now, _) in calls {
        keys.entry(key.as_str()).or_insert(*now);
    }
    keys.into_iter().map(|(key, now)| (key, ts(now))).collect()
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

    fn call(key: &str, ms: i64) -> (Remember, oneshot::Receiver<Result<bool, PortError>>) {
        let (reply, answered) = oneshot::channel();
        ((key.to_owned(), DateTime::from_timestamp_millis(ms).unwrap_or_default(), reply), answered)
    }

    #[test]
    fn a_batch_inserts_each_key_once_in_key_order_with_its_first_time() {
        let (calls, _answers): (Vec<_>, Vec<_>) = [call("b", 2), call("a", 1), call("b", 3)].into_iter().unzip();
        let keys = distinct_keys(&calls);
        assert_eq!(keys, vec![("a", ts(at(1))), ("b", ts(at(2)))]);
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
        let failed = PortError::Transient("disk full".into());
        answer(calls, Err(failed.clone()));
        for answered in answers {
            assert_eq!(answered.await.ok(), Some(Err(failed.clone())));
        }
    }

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }
}
