//! Outages surface as `Transient`; the pool reconnects; migrations are idempotent.

use sima_core::domain::{Command, Severity, Text};
use sima_core::ports::{Incidents, PortError};
use sima_core::testkit::contract::{act, at_ms, create_new, declaration, new_incident};
use sima_store_postgres::{PgStore, PgStoreConfig, ScratchDatabase};
use sqlx::{Connection, PgConnection};

use crate::helpers::TestDb;

#[tokio::test]
async fn an_unreachable_server_is_transient() {
    let mut config = PgStoreConfig::new("postgres://postgres@127.0.0.1:1/nothing");
    config.acquire_timeout_secs = 2;
    match PgStore::connect(&config).await {
        Err(PortError::Transient(_)) => {}
        other => panic!("expected Transient, got {other:?}"),
    }
}

#[tokio::test]
async fn a_malformed_url_is_invalid() {
    match PgStore::connect(&PgStoreConfig::new("mysql://nope")).await {
        Err(PortError::Invalid(_)) => {}
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pool_is_transient() {
    let Some(db) = TestDb::create().await else { return };
    db.store.close().await;
    assert!(matches!(db.store.ping().await, Err(PortError::Transient(_))));
    assert!(matches!(db.store.get(sima_core::domain::IncidentId::new()).await, Err(PortError::Transient(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_connections_are_transient_then_the_pool_reconnects() {
    let Some(db) = TestDb::create().await else { return };
    let incident = create_new(&db.store, new_incident(&declaration("payments", Severity::Sev1, None), at_ms(0))).await;
    let mut admin = PgConnection::connect(&ScratchDatabase::server_url()).await.unwrap();
    // What a server restart does to every open connection.
    let (killed,): (i64,) = sqlx::query_as(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(db.database.name())
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert!(killed > 0, "the pool had connections open");
    let mut outcomes = Vec::new();
    for _ in 0..10 {
        match db.store.get(incident.id()).await {
            Ok(found) => {
                assert_eq!(found.map(|i| i.id()), Some(incident.id()));
                outcomes.push("ok");
            }
            Err(PortError::Transient(_)) => outcomes.push("transient"),
            Err(other) => panic!("a dropped connection must be Transient, got {other}"),
        }
    }
    assert_eq!(outcomes.last(), Some(&"ok"), "the pool reconnects: {outcomes:?}");
    let note = Command::AddNote(Text::parse("after the restart").unwrap());
    act(&db.store, incident.id(), note, at_ms(10)).await.expect("writes work again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_are_idempotent_and_optional() {
    let Some(db) = TestDb::create().await else { return };
    let again = PgStore::connect(&PgStoreConfig::new(db.database.url().to_owned())).await.expect("migrate twice");
    again.ping().await.unwrap();
    let mut config = PgStoreConfig::new(db.database.url().to_owned());
    config.migrate = false;
    PgStore::connect(&config).await.expect("connect without migrating");
    let (applied,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM _sqlx_migrations").fetch_one(db.store.pool()).await.unwrap();
    assert_eq!(applied as usize, sima_store_postgres::MIGRATOR.iter().count());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_items_are_kept_in_their_table() {
    let Some(db) = TestDb::create().await else { return };
    let incident = create_new(&db.store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    for (i, text) in ["rotate the keys", "add an alert"].into_iter().enumerate() {
        act(&db.store, incident.id(), Command::AddActionItem(Text::parse(text).unwrap().into()), at_ms(i as i64 + 1))
            .await
            .unwrap();
    }
    let rows: Vec<(i32, String, String)> =
        sqlx::query_as("SELECT position, text, added_by FROM action_items WHERE incident_id = $1 ORDER BY position")
            .bind(incident.id().as_uuid())
            .fetch_all(db.store.pool())
            .await
            .unwrap();
    assert_eq!(rows, vec![(0, "rotate the keys".into(), "api".into()), (1, "add an alert".into(), "api".into())]);
}

#[test]
fn the_skip_switch_is_off_by_default() {
    if std::env::var("SIMA_SKIP_POSTGRES").is_err() {
        assert!(!ScratchDatabase::skipped());
    }
}
