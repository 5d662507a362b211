//! A large SQLite database for the benchmarks that read at scale.
//!
//! A thousand generated histories are written through the store API (real
//! event logs, milestones and snapshots); SQL then copies them into as many
//! incidents as asked, with their own ids and numbers, and gives each the
//! finished outbox a runbook leaves behind.

use sima_store_sqlite::{SqliteStore, SqliteStoreConfig};

/// Histories written through the store; the rest are copies.
pub const WRITTEN: u64 = 1_000;

/// Finished effects per incident, about what a runbook leaves: the room,
/// its pins and bookmarks, the broadcast, the page, a reminder or two.
pub const EFFECTS_PER_INCIDENT: u64 = 8;

/// Writes `total` incidents (a multiple of [`WRITTEN`]) into the SQLite
/// database at `url`.
pub async fn incidents(url: &str, total: u64) {
    let store = SqliteStore::connect(&SqliteStoreConfig::new(url)).await.expect("the SQLite store opens");
    sima_core::testkit::views::write_generated(&store, WRITTEN).await;
    drop(store);
    let pool = sqlx::SqlitePool::connect(url).await.expect("the database opens");
    let copy = "INSERT INTO incidents (id, number, version, status, domain, severity, summary, dedup_key, room_id, \
                declared_at, started_at, acknowledged_at, mitigated_at, resolved_at, snapshot) \
                SELECT printf('%08x', ?1) || substr(id, 9), number + ?1 * ?2, version, status, domain, severity, summary, \
                NULL, NULL, declared_at, started_at, acknowledged_at, mitigated_at, resolved_at, \
                json_set(snapshot, '$.id', printf('%08x', ?1) || substr(id, 9), '$.number', 'INC-' || (number + ?1 * ?2), \
                '$.dedup_key', NULL, '$.room', NULL) \
                FROM incidents WHERE number <= ?2";
    let mut tx = pool.begin().await.expect("a transaction");
    for k in 1..total / WRITTEN {
        sqlx::query(copy)
            .bind(i64::try_from(k).expect("small"))
            .bind(i64::try_from(WRITTEN).expect("small"))
            .execute(&mut *tx)
            .await
            .expect("the copies are written");
    }
    tx.commit().await.expect("the copies are committed");
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM incidents").fetch_one(&pool).await.expect("a count");
    assert_eq!(u64::try_from(count).expect("a count"), total);
    pool.close().await;
}

/// Gives every incident [`EFFECTS_PER_INCIDENT`] finished effects, one in a
/// hundred of them given up, as the outbox keeps them.
pub async fn finished_effects(url: &str) {
    let pool = sqlx::SqlitePool::connect(url).await.expect("the database opens");
    let mut tx = pool.begin().await.expect("a transaction");
    for k in 0..EFFECTS_PER_INCIDENT {
        sqlx::query(
            "INSERT INTO effects (id, incident_id, kind, payload, due_at, attempts, done_at, failed) \
             SELECT printf('%02x', ?1) || substr(id, 3), id, 'post_update', '{\"kind\":\"post_update\"}', \
             declared_at, 1, declared_at, (number % 100 = 0) \
             FROM incidents",
        )
        .bind(i64::try_from(k).expect("small"))
        .execute(&mut *tx)
        .await
        .expect("the effects are written");
    }
    tx.commit().await.expect("the effects are committed");
    pool.close().await;
}
