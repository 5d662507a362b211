//! Idempotency keys remembered concurrently: calls share inserts, and each
//! caller still gets its own key's answer, after the commit that holds it.

use std::collections::HashMap;

use futures::future::join_all;
use sima_core::ports::{IdempotencyKeys, PortError};
use sima_core::testkit::contract::at_ms;
use sima_store_sqlite::SqliteStore;

use crate::helpers::TestDb;

async fn stored_keys(store: &SqliteStore, prefix: &str) -> i64 {
    let pattern = format!("{prefix}%");
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM idempotency_keys WHERE key LIKE ?1")
        .bind(pattern)
        .fetch_one(store.pool())
        .await
        .expect("count the keys");
    count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distinct_keys_remembered_concurrently_are_all_new_and_all_stored() {
    let db = TestDb::create().await;
    let calls = (0..200).map(|i| {
        let store = db.store.clone();
        tokio::spawn(async move { store.remember(&format!("slack:request:v0={i}"), at_ms(i)).await })
    });
    let answers: Vec<_> = join_all(calls).await.into_iter().map(|joined| joined.expect("the call ends")).collect();
    assert!(answers.iter().all(|answer| answer == &Ok(true)), "{answers:?}");
    assert_eq!(stored_keys(&db.store, "slack:request:").await, 200);
    for i in [0, 99, 199] {
        let again = db.store.remember(&format!("slack:request:v0={i}"), at_ms(10_000)).await;
        assert_eq!(again, Ok(false), "a remembered key answers false afterwards");
    }
}

/// Two stores on one file stand for two replicas sharing a database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_remembered_concurrently_on_two_replicas_is_new_exactly_once() {
    let db = TestDb::create().await;
    let replica = SqliteStore::connect(&db.config).await.expect("a second store on the file");
    let calls = (0..120).map(|i| {
        let store = if i % 2 == 0 { db.store.clone() } else { replica.clone() };
        let key = format!("slack:event:Ev{}", i % 4);
        tokio::spawn(async move { (key.clone(), store.remember(&key, at_ms(0)).await) })
    });
    let mut firsts: HashMap<String, usize> = HashMap::new();
    for joined in join_all(calls).await {
        let (key, answer) = joined.expect("the call ends");
        let first = answer.unwrap_or_else(|e| panic!("remember {key}: {e}"));
        *firsts.entry(key).or_default() += usize::from(first);
    }
    assert_eq!(firsts.len(), 4);
    assert!(firsts.values().all(|&n| n == 1), "each key is new for exactly one caller: {firsts:?}");
    assert_eq!(stored_keys(&db.store, "slack:event:").await, 4);
}

#[tokio::test]
async fn a_failed_insert_fails_every_caller_of_its_batch_and_stores_none_of_their_keys() {
    let db = TestDb::create().await;
    sqlx::query(
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON idempotency_keys WHEN NEW.key = 'poison' \
         BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .execute(db.store.pool())
    .await
    .expect("a trigger refusing one key");
    // On this single-threaded runtime every call below is queued before the
    // batch task first runs, so they form one batch.
    let keys: Vec<String> = (0..9).map(|i| format!("batch:k{i}")).chain(["poison".to_owned()]).collect();
    let answers = join_all(keys.iter().map(|key| db.store.remember(key, at_ms(0)))).await;
    let refused = answers.last().and_then(|answer| answer.clone().err()).expect("the poisoned key is refused");
    assert!(answers.iter().all(|answer| answer == &Err(refused.clone())), "one error for all: {answers:?}");
    assert_eq!(stored_keys(&db.store, "batch:").await, 0, "the batch was rolled back");
    let retried = db.store.remember("batch:k3", at_ms(1)).await;
    assert_eq!(retried, Ok(true), "a refused call left no key behind, so a retry acts");
}

#[tokio::test]
async fn the_connection_kept_for_replay_checks_closes_with_the_store() {
    let db = TestDb::create().await;
    assert_eq!(db.store.remember("kept:1", at_ms(0)).await, Ok(true), "the first batch keeps a connection");
    db.store.close().await;
    let after = db.store.remember("kept:2", at_ms(1)).await;
    assert!(matches!(after, Err(PortError::Transient(_))), "closed means closed: {after:?}");
}

#[tokio::test]
async fn a_closed_store_fails_every_waiting_caller() {
    let db = TestDb::create().await;
    db.store.close().await;
    let keys: Vec<String> = (0..5).map(|i| format!("closed:{i}")).collect();
    let answers = join_all(keys.iter().map(|key| db.store.remember(key, at_ms(0)))).await;
    assert!(answers.iter().all(|answer| matches!(answer, Err(PortError::Transient(_)))), "{answers:?}");
}
