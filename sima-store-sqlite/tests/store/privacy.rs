//! Rows written before private incidents existed (no `private` in the
//! snapshot nor in the `declared` event) still load, as public incidents.

use sima_core::domain::{EventKind, Incident};
use sima_core::ports::Incidents;
use sima_core::testkit::contract::{action_items_history, write_history};

use crate::helpers::TestDb;

#[tokio::test]
async fn an_incident_stored_before_private_incidents_existed_loads_as_public() {
    let db = TestDb::create().await;
    let written = write_history(&db.store, &action_items_history()).await;
    let pool = db.store.pool();
    sqlx::query("UPDATE incidents SET snapshot = json_remove(snapshot, '$.private')")
        .execute(pool)
        .await
        .expect("strip the snapshots");
    sqlx::query("UPDATE incident_events SET event = json_remove(event, '$.private')")
        .execute(pool)
        .await
        .expect("strip the events");
    let left: i64 = sqlx::query_scalar(r#"SELECT count(*) FROM incidents WHERE snapshot LIKE '%"private"%'"#)
        .fetch_one(pool)
        .await
        .expect("count");
    assert_eq!(left, 0, "the rows are as an older version wrote them");

    let loaded = db.store.get(written.id()).await.expect("the store answers").expect("the incident loads");
    assert!(!loaded.is_private());
    assert_eq!((loaded.number(), loaded.version()), (written.number(), written.version()));
    let events = db.store.events(written.id()).await.expect("the events load");
    assert!(matches!(events[0].kind, EventKind::Declared { private: false, .. }), "{:?}", events[0].kind);
    let replayed = Incident::replay(written.id(), written.number(), &events).expect("the log replays");
    assert!(!replayed.is_private());
    assert_eq!(replayed.status(), written.status());
}
