//! Errors, migrations, and several processes writing one file.

use futures::future::join_all;
use sima_core::domain::{Command, IncidentId, Severity, Text};
use sima_core::ports::{IdempotencyKeys, IncidentStore, Incidents, PortError};
use sima_core::testkit::contract::{act, at_ms, create_new, declaration, new_incident};
use sima_store_sqlite::{SqliteStore, SqliteStoreConfig};

use crate::helpers::TestDb;

#[tokio::test]
async fn a_malformed_url_is_invalid() {
    match SqliteStore::connect(&SqliteStoreConfig::new("postgres://db/sima")).await {
        Err(PortError::Invalid(_)) => {}
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_closed_pool_is_transient() {
    let db = TestDb::create().await;
    db.store.close().await;
    assert!(matches!(db.store.ping().await, Err(PortError::Transient(_))));
    assert!(matches!(db.store.get(IncidentId::new()).await, Err(PortError::Transient(_))));
}

#[tokio::test]
async fn the_file_is_created_in_wal_mode_and_migrations_are_idempotent() {
    let db = TestDb::create().await;
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(db.store.pool()).await.unwrap();
    assert_eq!(mode, "wal");
    let again = SqliteStore::connect(&db.config).await.expect("migrate twice");
    again.ping().await.unwrap();
    let (applied,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM _sqlx_migrations").fetch_one(db.store.pool()).await.unwrap();
    assert_eq!(applied as usize, sima_store_sqlite::MIGRATOR.iter().count());
    let mut config = db.config.clone();
    config.migrate = false;
    SqliteStore::connect(&config).await.expect("open without migrating");
}

/// Two stores on one file stand for two processes: their writes do not share
/// the in-process lock, so `BEGIN IMMEDIATE` and the busy timeout must keep
/// "database is locked" away; losers see `Conflict` and retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_appending_see_conflicts_never_locks() {
    let db = TestDb::create().await;
    let other = SqliteStore::connect(&db.config).await.unwrap();
    let id = create_new(&db.store, new_incident(&declaration("payments", Severity::Sev1, None), at_ms(0))).await.id();
    let stores: [&dyn IncidentStore; 2] = [&db.store, &other];
    let writer = |w: usize| async move {
        let store = stores[w % 2];
        for n in 0..10 {
            loop {
                let note = Command::AddNote(Text::parse(&format!("w{w} n{n}")).unwrap());
                match act(store, id, note, at_ms(1)).await {
                    Ok(_) => break,
                    Err(PortError::Conflict(_)) => continue,
                    Err(e) => panic!("writer {w}: {e}"),
                }
            }
        }
    };
    join_all((0..8).map(writer)).await;
    let events = db.store.events(id).await.unwrap();
    assert_eq!(events.len(), 81);
    assert!(events.iter().zip(1..).all(|(e, seq)| e.seq == seq));
}

#[tokio::test]
async fn action_items_are_kept_in_their_table() {
    let db = TestDb::create().await;
    let incident = create_new(&db.store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    for (i, text) in ["rotate the keys", "add an alert"].into_iter().enumerate() {
        act(&db.store, incident.id(), Command::AddActionItem(Text::parse(text).unwrap().into()), at_ms(i as i64 + 1))
            .await
            .unwrap();
    }
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT position, text, added_by FROM action_items WHERE incident_id = ?1 ORDER BY position")
            .bind(incident.id().to_string())
            .fetch_all(db.store.pool())
            .await
            .unwrap();
    assert_eq!(rows, vec![(0, "rotate the keys".into(), "api".into()), (1, "add an alert".into(), "api".into())]);
}

#[tokio::test]
async fn a_connection_left_inside_a_failed_transaction_is_closed_not_reused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = SqliteStoreConfig::file(dir.path().join("sima.db"));
    config.max_connections = 1;
    let store = SqliteStore::connect(&config).await.expect("open the store");
    // What a COMMIT refused by a read-only file leaves: SQLite rolled the
    // transaction back, sqlx still counts it open on the connection.
    let mut conn = store.pool().acquire().await.unwrap();
    std::mem::forget(sqlx::Connection::begin(&mut *conn).await.unwrap());
    sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap();
    assert!(sqlx::Connection::is_in_transaction(&*conn));
    drop(conn);

    let incident = create_new(&store, new_incident(&declaration("payments", Severity::Sev1, None), at_ms(0))).await;
    assert_eq!(store.get(incident.id()).await.unwrap().map(|i| i.id()), Some(incident.id()));
}

/// The WAL is copied into the database file beside the writes, about every
/// second, not by whichever commit fills it.
#[tokio::test]
async fn the_wal_is_checkpointed_in_the_background() {
    let db = TestDb::create().await;
    let file = db.config.url.trim_start_matches("sqlite://").to_owned();
    let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let before = size();
    for i in 0..50 {
        create_new(&db.store, new_incident(&declaration("payments", Severity::Sev3, None), at_ms(i))).await;
    }
    assert_eq!(size(), before, "the commits themselves leave the database file alone");
    let mut copied = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        copied = size() > before;
        if copied {
            break;
        }
    }
    assert!(copied, "within 4 s the WAL is copied into {file}");
}

/// `close` returns once every connection is closed, the checkpoints' own
/// included: the last one to close removes the WAL file.
#[tokio::test]
async fn closing_the_store_closes_every_connection() {
    let db = TestDb::create().await;
    let wal = format!("{}-wal", db.config.url.trim_start_matches("sqlite://"));
    create_new(&db.store, new_incident(&declaration("payments", Severity::Sev3, None), at_ms(0))).await;
    assert_eq!(db.store.remember("closing:1", at_ms(0)).await, Ok(true));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(std::path::Path::new(&wal).exists(), "the open store writes {wal}");
    db.store.close().await;
    assert!(!std::path::Path::new(&wal).exists(), "{wal} is removed when its last connection closes");
}

/// The thread that copies the WAL runs at the lowest CPU priority (nice 19),
/// so requests go first; the store's other connections keep the normal one.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_checkpoint_thread_runs_at_the_lowest_priority() {
    let _db = TestDb::create().await;
    let sqlite_threads_by_nice = || {
        let mut nice = std::collections::BTreeMap::<i64, usize>::new();
        for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
            let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
            // `pid (comm) state …`: the fields after the name, nice is the 17th of them.
            let Some((name, rest)) = stat.rsplit_once(") ") else { continue };
            if name.contains("sqlx-sqlite") {
                let value = rest.split(' ').nth(16).and_then(|n| n.parse().ok()).unwrap_or(0);
                *nice.entry(value).or_default() += 1;
            }
        }
        nice
    };
    let mut seen = sqlite_threads_by_nice();
    for _ in 0..40 {
        if seen.contains_key(&19) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        seen = sqlite_threads_by_nice();
    }
    assert!(seen.contains_key(&19), "a SQLite thread at nice 19 copies the WAL: {seen:?}");
    assert!(seen.get(&0).is_some_and(|&n| n > 0), "the pool's threads keep the normal priority: {seen:?}");
}
