//! The SQL recipes of the README and of docs/metrics.md run as written
//! against the views: a recipe that names a missing column or uses a wrong
//! function fails here.

use sima_core::testkit::contract::{action_items_history, generated, security_history, untyped_history, write_history};
use sqlx::{Executor, Row};

use crate::helpers::TestDb;

/// The README's fenced `sql` blocks for PostgreSQL (those not marked `sqlite`).
fn recipes() -> Vec<String> {
    recipes_in(include_str!("../../../README.md"))
}

/// A page's fenced `sql` blocks for PostgreSQL (those not marked `sqlite`).
fn recipes_in(page: &str) -> Vec<String> {
    page.split("```sql\n").skip(1).filter_map(|rest| rest.split_once("```").map(|(sql, _)| sql.to_owned())).collect()
}

#[tokio::test]
async fn every_readme_recipe_runs_on_postgres() {
    let Some(db) = TestDb::create().await else { return };
    for n in 0..40 {
        write_history(&db.store, &generated(n)).await;
    }
    let with_items = write_history(&db.store, &action_items_history()).await;
    let recipes = recipes();
    assert!(recipes.len() >= 6, "the README lost its recipes: {}", recipes.len());
    let pool = db.store.pool();
    for sql in &recipes {
        let sql = sql.replace("'INC-1'", &format!("'{}'", with_items.number()));
        if sql.trim_start().starts_with("SELECT") {
            let rows = sqlx::query(&sql).fetch_all(pool).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
            if sql.contains("date_trunc") {
                assert!(!rows.is_empty(), "no rows from\n{sql}");
                assert!(rows.iter().all(|r| r.try_get::<i64, _>("incidents").is_ok_and(|n| n > 0)));
            }
        } else {
            // Role and grant statements: checked, then rolled back (roles are cluster-wide).
            let mut tx = pool.begin().await.expect("begin");
            tx.execute(sql.as_str()).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
            tx.rollback().await.expect("rollback");
        }
    }
    db.store.close().await;
}

#[tokio::test]
async fn every_docs_metrics_recipe_runs_on_postgres() {
    let Some(db) = TestDb::create().await else { return };
    for n in 0..40 {
        write_history(&db.store, &generated(n)).await;
    }
    let with_items = write_history(&db.store, &action_items_history()).await;
    write_history(&db.store, &security_history()).await;
    write_history(&db.store, &untyped_history()).await;
    let recipes = recipes_in(include_str!("../../../docs/metrics.md"));
    assert!(recipes.iter().any(|sql| sql.contains("incident_fields")), "docs/metrics.md lost its fields recipe");
    let pool = db.store.pool();
    for sql in &recipes {
        let sql = sql.replace("'INC-1'", &format!("'{}'", with_items.number()));
        if !sql.trim_start().starts_with("SELECT") {
            let mut tx = pool.begin().await.expect("begin");
            tx.execute(sql.as_str()).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
            tx.rollback().await.expect("rollback");
            continue;
        }
        let rows = sqlx::query(&sql).fetch_all(pool).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
        if sql.contains("incident_fields") {
            assert!(rows.iter().all(|r| r.try_get::<i64, _>("incidents").is_ok_and(|n| n > 0)), "{sql}");
            assert!(rows.iter().any(is_security_systems_db), "no security/systems/db row from\n{sql}");
        }
    }
    db.store.close().await;
}

/// The fields recipe's row for the `db` option of the security incident's `systems`.
fn is_security_systems_db(row: &sqlx::postgres::PgRow) -> bool {
    let column = |name: &str| row.try_get::<String, _>(name).unwrap_or_default();
    (column("type"), column("field"), column("value")) == ("security".into(), "systems".into(), "db".into())
        && row.try_get::<i64, _>("incidents").is_ok_and(|n| n == 1)
}
