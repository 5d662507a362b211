//! The `incident_action_items` view: one row per action item, as the core holds it.

use sima_core::testkit::contract::{action_items_history, expected_action_item_rows, write_history};

use crate::helpers::TestDb;

#[derive(sqlx::FromRow, Debug, PartialEq)]
struct Row {
    incident: String,
    incident_status: String,
    item: i64,
    text: String,
    owner: Option<String>,
    status: String,
    due_on: Option<chrono::NaiveDate>,
    done_at: Option<chrono::DateTime<chrono::Utc>>,
    added_by: String,
}

#[tokio::test]
async fn the_view_lists_every_action_item_with_owner_status_and_due_date() {
    let Some(db) = TestDb::create().await else { return };
    let incident = write_history(&db.store, &action_items_history()).await;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT incident, incident_status, item, text, owner, status, due_on, done_at, added_by
         FROM incident_action_items ORDER BY item",
    )
    .fetch_all(db.store.pool())
    .await
    .expect("query incident_action_items");
    assert_eq!(rows.len(), incident.action_items().len());
    let shown: Vec<_> = rows
        .iter()
        .map(|r| (r.item, r.text.clone(), r.owner.clone(), r.status.clone(), r.due_on.map(|d| d.to_string())))
        .collect();
    assert_eq!(shown, expected_action_item_rows());
    assert!(rows.iter().all(|r| r.incident == incident.number().to_string()));
    assert!(rows[1].done_at.is_some() && rows[0].done_at.is_none());
    assert!(rows.iter().all(|r| r.incident_status == "closed" && !r.added_by.is_empty()));
}
