//! The README's SQLite recipes run as written against the views.

use sima_core::testkit::contract::{generated, write_history};
use sqlx::Row;

use crate::helpers::TestDb;

/// The README's fenced blocks marked `sql sqlite`.
fn recipes() -> Vec<String> {
    let readme = include_str!("../../../README.md");
    let blocks = readme.split("```sql sqlite\n").skip(1);
    blocks.filter_map(|rest| rest.split_once("```").map(|(sql, _)| sql.to_owned())).collect()
}

#[tokio::test]
async fn every_readme_sqlite_recipe_runs() {
    let db = TestDb::create().await;
    for n in 0..40 {
        write_history(&db.store, &generated(n)).await;
    }
    let recipes = recipes();
    assert!(!recipes.is_empty(), "the README lost its SQLite recipe");
    for sql in &recipes {
        let rows = sqlx::query(sql).fetch_all(db.store.pool()).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
        assert!(!rows.is_empty(), "no rows from\n{sql}");
        assert!(rows.iter().all(|r| r.try_get::<i64, _>("incidents").is_ok_and(|n| n > 0)), "{sql}");
    }
}
