//! A fresh database per test, dropped afterwards.
//!
//! The server comes from `SIMA_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). An unreachable server fails
//! the test, unless `SIMA_SKIP_POSTGRES=1`: then each test prints a
//! `SIMA_POSTGRES_TESTS_SKIPPED` line on stderr and returns, so CI can refuse
//! a run that skipped them.

use std::io::Write;

use sima_core::ports::IncidentStore;
use sima_core::testkit::contract::CheckFuture;
use sima_store_postgres::{PgStore, PgStoreConfig};
use sqlx::{Connection, PgConnection};

/// The server the tests use.
pub(crate) fn base_url() -> String {
    std::env::var("SIMA_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// `base` pointing at another database.
pub(crate) fn with_database(base: &str, database: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (base, None),
    };
    let (scheme, rest) = head.split_once("://").expect("a postgres:// URL");
    let host = rest.split_once('/').map_or(rest, |(h, _)| h);
    match query {
        Some(q) => format!("{scheme}://{host}/{database}?{q}"),
        None => format!("{scheme}://{host}/{database}"),
    }
}

/// True (after printing the marker line) when Postgres tests are to be skipped.
pub(crate) fn skipped() -> bool {
    if std::env::var("SIMA_SKIP_POSTGRES").as_deref() != Ok("1") {
        return false;
    }
    let test = std::thread::current().name().unwrap_or("?").to_owned();
    // Written straight to stderr so the test harness does not capture it.
    let _ = writeln!(std::io::stderr(), "SIMA_POSTGRES_TESTS_SKIPPED: {test} skipped (SIMA_SKIP_POSTGRES=1)");
    true
}

/// A database created for one test; dropped (with its connections) on drop.
pub(crate) struct TestDb {
    /// Its name.
    pub(crate) name: String,
    /// Its URL.
    pub(crate) url: String,
    /// A store connected to it, migrations applied.
    pub(crate) store: PgStore,
}

impl TestDb {
    /// Creates `sima_test_<uuid>` and connects a store to it; `None` when skipped.
    pub(crate) async fn create() -> Option<Self> {
        Self::create_with(|_| {}).await
    }

    /// Like [`TestDb::create`], adjusting the store's config first.
    pub(crate) async fn create_with(adjust: impl FnOnce(&mut PgStoreConfig)) -> Option<Self> {
        if skipped() {
            return None;
        }
        let base = base_url();
        let mut admin = PgConnection::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {base} is unreachable ({e}); set SIMA_SKIP_POSTGRES=1 to skip"));
        let name = format!("sima_test_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
        let _ = admin.close().await;
        let url = with_database(&base, &name);
        let mut config = PgStoreConfig::new(url.clone());
        config.max_connections = 8;
        adjust(&mut config);
        let store = PgStore::connect(&config).await.expect("connect the store");
        Some(Self { name, url, store })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let base = base_url();
        // Dropping needs async I/O; do it on a thread of its own so it also
        // runs while a failed test unwinds.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&base).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Runs one contract check against a store on a fresh database.
pub(crate) async fn fresh<F>(check: F)
where
    F: for<'a> FnOnce(&'a dyn IncidentStore) -> CheckFuture<'a>,
{
    let Some(db) = TestDb::create().await else { return };
    check(&db.store).await;
    db.store.close().await;
}

#[test]
fn urls_point_at_the_test_database() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
