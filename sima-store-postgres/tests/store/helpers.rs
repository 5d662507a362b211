//! A store on a fresh database per test ([`ScratchDatabase`]), dropped
//! afterwards; `None` (after the skip marker) when `SIMA_SKIP_POSTGRES=1`.

use sima_core::ports::IncidentStore;
use sima_core::testkit::contract::CheckFuture;
use sima_core::testkit::views::{SqlViews, ViewCheckFuture};
use sima_store_postgres::{PgStore, PgStoreConfig, ScratchDatabase};

/// A store connected to a database created for one test.
pub(crate) struct TestDb {
    /// A store connected to it, migrations applied.
    pub(crate) store: PgStore,
    /// The database, dropped after the store.
    pub(crate) database: ScratchDatabase,
}

impl TestDb {
    /// Creates `sima_test_<uuid>` and connects a store to it; `None` when skipped.
    pub(crate) async fn create() -> Option<Self> {
        Self::create_with(|_| {}).await
    }

    /// Like [`TestDb::create`], adjusting the store's config first.
    pub(crate) async fn create_with(adjust: impl FnOnce(&mut PgStoreConfig)) -> Option<Self> {
        let database = ScratchDatabase::create("sima_test").await?;
        let mut config = PgStoreConfig::new(database.url().to_owned());
        config.max_connections = 8;
        adjust(&mut config);
        let store = PgStore::connect(&config).await.expect("connect the store");
        Some(Self { store, database })
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

/// Runs the views check against a store on a fresh database and its views.
pub(crate) async fn fresh_with_views<F>(check: F)
where
    F: for<'a> FnOnce(&'a dyn IncidentStore, &'a dyn SqlViews) -> ViewCheckFuture<'a>,
{
    let Some(db) = TestDb::create().await else { return };
    check(&db.store, &db).await;
    db.store.close().await;
}
