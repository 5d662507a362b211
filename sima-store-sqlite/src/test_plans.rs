//! SQLite's query plans, for tests that check a query reads an index.

use sima_core::ports::IncidentFilter;

use crate::filter::bind_filter;
use crate::{SqliteStore, SqliteStoreConfig};

/// A store on a fresh file (migrated), with its directory.
pub(crate) async fn fresh_store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::connect(&SqliteStoreConfig::file(dir.path().join("sima.db"))).await.expect("a store");
    (store, dir)
}

/// SQLite's plan for `sql` under `filter`'s bindings, one step a line.
pub(crate) async fn plan(store: &SqliteStore, sql: &str, filter: &IncidentFilter) -> String {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let steps: Vec<(i64, i64, i64, String)> =
        bind_filter(sqlx::query_as(&explain), filter).fetch_all(store.pool()).await.expect("a plan");
    steps.into_iter().map(|(.., detail)| detail).collect::<Vec<_>>().join("\n")
}
