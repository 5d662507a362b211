//! A fresh SQLite file per test, in a temporary directory.

use sima_core::ports::IncidentStore;
use sima_core::testkit::contract::CheckFuture;
use sima_core::testkit::views::{SqlViews, ViewCheckFuture};
use sima_store_sqlite::{SqliteStore, SqliteStoreConfig};
use tempfile::TempDir;

/// A store on a new file; the directory goes away on drop.
pub(crate) struct TestDb {
    /// The file's config.
    pub(crate) config: SqliteStoreConfig,
    /// A store on it, migrations applied.
    pub(crate) store: SqliteStore,
    _dir: TempDir,
}

impl TestDb {
    /// A store on `<tmp>/sima.db`.
    pub(crate) async fn create() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config = SqliteStoreConfig::file(dir.path().join("sima.db"));
        let store = SqliteStore::connect(&config).await.expect("open the store");
        Self { config, store, _dir: dir }
    }
}

/// Runs one contract check against a store on a fresh file.
pub(crate) async fn fresh<F>(check: F)
where
    F: for<'a> FnOnce(&'a dyn IncidentStore) -> CheckFuture<'a>,
{
    let db = TestDb::create().await;
    check(&db.store).await;
    db.store.close().await;
}

/// Runs the views check against a store on a fresh file and its views.
pub(crate) async fn fresh_with_views<F>(check: F)
where
    F: for<'a> FnOnce(&'a dyn IncidentStore, &'a dyn SqlViews) -> ViewCheckFuture<'a>,
{
    let db = TestDb::create().await;
    check(&db.store, &db).await;
    db.store.close().await;
}
