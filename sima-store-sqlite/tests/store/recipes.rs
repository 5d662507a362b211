//! The SQLite recipes of the README and of docs/metrics.md run as written
//! against the views.

use sima_core::testkit::contract::{generated, security_history, untyped_history, write_history};
use sqlx::Row;

use crate::helpers::TestDb;

/// The README's fenced blocks marked `sql sqlite`.
fn recipes() -> Vec<String> {
    recipes_in(include_str!("../../../README.md"))
}

/// The fenced blocks marked `sql sqlite` of a page.
fn recipes_in(page: &str) -> Vec<String> {
    let blocks = page.split("```sql sqlite\n").skip(1);
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

#[tokio::test]
async fn every_docs_metrics_sqlite_recipe_runs() {
    let db = TestDb::create().await;
    for n in 0..40 {
        write_history(&db.store, &generated(n)).await;
    }
    write_history(&db.store, &security_history()).await;
    write_history(&db.store, &untyped_history()).await;
    let recipes = recipes_in(include_str!("../../../docs/metrics.md"));
    assert!(recipes.iter().any(|sql| sql.contains("incident_fields")), "docs/metrics.md lost its fields recipe");
    for sql in &recipes {
        let rows = sqlx::query(sql).fetch_all(db.store.pool()).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
        assert!(!rows.is_empty(), "no rows from\n{sql}");
        assert!(rows.iter().all(|r| r.try_get::<i64, _>("incidents").is_ok_and(|n| n > 0)), "{sql}");
        if sql.contains("incident_fields") {
            assert!(rows.iter().any(is_security_systems_db), "no security/systems/db row from\n{sql}");
        }
    }
}

/// The fields recipe's row for the `db` option of the security incident's `systems`.
fn is_security_systems_db(row: &sqlx::sqlite::SqliteRow) -> bool {
    let column = |name: &str| row.try_get::<String, _>(name).unwrap_or_default();
    (column("type"), column("field"), column("value")) == ("security".into(), "systems".into(), "db".into())
        && row.try_get::<i64, _>("incidents").is_ok_and(|n| n == 1)
}
