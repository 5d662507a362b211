//! The `incident_fields` view: one row per incident, field and value, as the
//! event log says now (the declaration's values, then each `fields_set`).

use sima_core::testkit::contract::{
    field_rows_of, security_history, untyped_history, write_history, FieldRow, History,
};

use crate::helpers::TestDb;

#[tokio::test]
async fn incident_fields_shows_each_fields_latest_value_and_drops_cleared_ones() {
    let db = TestDb::create().await;
    let security = write_history(&db.store, &security_history()).await;
    let untyped = write_history(&db.store, &untyped_history()).await;
    let plain = write_history(&db.store, &History { commands: vec![], ..untyped_history() }).await;

    let rows: Vec<FieldRow> =
        sqlx::query_as("SELECT incident, type, field, value FROM incident_fields ORDER BY number, field, value")
            .fetch_all(db.store.pool())
            .await
            .expect("the view answers");

    let (inc, sec) = (security.number().to_string(), Some("security".to_owned()));
    let row = |incident: &str, kind: &Option<String>, field: &str, value: &str| {
        (incident.to_owned(), kind.clone(), field.to_owned(), value.to_owned())
    };
    let expected = vec![
        row(&inc, &sec, "category", "leak"),
        row(&inc, &sec, "owner", "U0OWNER"),
        row(&inc, &sec, "ratio", "99.5"),
        row(&inc, &sec, "systems", "db"),
        row(&inc, &sec, "systems", "vpn"),
        row(&untyped.number().to_string(), &None, "team", "billing"),
    ];
    assert_eq!(rows, expected);
    let mut from_snapshots = [field_rows_of(&security), field_rows_of(&untyped), field_rows_of(&plain)].concat();
    from_snapshots.sort();
    assert_eq!(rows, from_snapshots, "the view agrees with the incidents' own fields");
    db.store.close().await;
}
