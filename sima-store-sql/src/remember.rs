//! What both stores' batched `remember` share: one call, the distinct keys of
//! a batch in key order (so replicas inserting overlapping batches wait for
//! each other in the same order instead of deadlocking), and the answers.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sima_core::ports::PortError;
use tokio::sync::oneshot;

/// One `remember` call: its key, when it was seen, and where its answer goes.
pub type Remember = (String, DateTime<Utc>, oneshot::Sender<Result<bool, PortError>>);

/// The distinct keys of `calls` in key order, each with its first caller's time.
pub fn first_seen(calls: &[Remember]) -> BTreeMap<&str, DateTime<Utc>> {
    let mut keys = BTreeMap::new();
    for (key, now, _) in calls {
        keys.entry(key.as_str()).or_insert(*now);
    }
    keys
}

/// Answers each call: `true` for the first caller of each key in `new` (the
/// keys the batch stored), `false` for the others, or the batch's error for all.
pub fn answer_remembered(calls: Vec<Remember>, written: Result<HashSet<String>, PortError>) {
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
        assert_eq!(first_seen(&calls).into_iter().collect::<Vec<_>>(), vec![("a", at(1)), ("b", at(2))]);
    }

    #[tokio::test]
    async fn a_new_key_is_true_for_its_first_caller_only_and_an_error_reaches_every_caller() {
        let (calls, answers): (Vec<_>, Vec<_>) = [call("a", 0), call("a", 0), call("b", 0)].into_iter().unzip();
        answer_remembered(calls, Ok(HashSet::from(["a".to_owned()])));
        let mut got = Vec::new();
        for answered in answers {
            got.push(answered.await.ok());
        }
        assert_eq!(got, vec![Some(Ok(true)), Some(Ok(false)), Some(Ok(false))]);

        let (calls, answers): (Vec<_>, Vec<_>) = [call("a", 0), call("c", 0)].into_iter().unzip();
        let failed = PortError::Transient("disk full".into());
        answer_remembered(calls, Err(failed.clone()));
        for answered in answers {
            assert_eq!(answered.await.ok(), Some(Err(failed.clone())));
        }
    }
}
