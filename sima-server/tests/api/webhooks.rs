//! `POST /webhooks/alerts`: the same alert, many times at once, opens one incident.

use serde_json::json;

use crate::helpers::{count_kind, wait_until, Options, TestApp, BROADCAST};

async fn fifty_identical_alerts_open_one_incident(postgres: bool) {
    let app = TestApp::spawn(Options { postgres, ..Options::default() }).await;
    let alert = json!({
        "dedup_key": "disk-full-db-1",
        "domain": "storage",
        "summary": "Disk full on db-1",
        "severity": "sev2",
        "status": "firing"
    });

    let responses = futures::future::join_all((0..50).map(|_| app.webhook("/webhooks/alerts", &alert))).await;
    let mut created = 0;
    let mut numbers = Vec::new();
    for response in responses {
        let status = response.status().as_u16();
        assert!(status == 201 || status == 200, "every delivery is accepted, got {status}");
        let body: serde_json::Value = response.json().await.expect("a JSON answer");
        assert_eq!(body["created"], status == 201);
        created += usize::from(status == 201);
        numbers.push(body["incident"]["number"].clone());
    }
    assert_eq!(created, 1, "exactly one delivery opens the incident");
    assert!(numbers.iter().all(|n| *n == "INC-1"), "every delivery names INC-1: {numbers:?}");

    let incidents = app.incidents().await;
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0]["dedup_key"], "disk-full-db-1");
    let id = incidents[0]["id"].as_str().expect("an id").to_owned();

    // Let the opening runbook finish, then count what the platforms saw.
    app.wait_for_room(&id).await;
    wait_until("the broadcast is posted", || async {
        let posts = app.slack_calls("chat.postMessage");
        posts.iter().any(|c| c.request["channel"] == BROADCAST).then_some(())
    })
    .await;
    app.wait_for_idle_outbox().await;
    assert_eq!(app.slack_calls("conversations.create").len(), 1, "one room");
    let triggers: Vec<_> =
        app.pagerduty_events().await.into_iter().filter(|e| e["event_action"] == "trigger").collect();
    assert_eq!(triggers.len(), 1, "one page: {triggers:?}");
    assert_eq!(triggers[0]["dedup_key"], id.as_str());
    assert_eq!(count_kind(&app.timeline(&id).await, "declared"), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_identical_alerts_open_one_incident_on_sqlite() {
    fifty_identical_alerts_open_one_incident(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_identical_alerts_open_one_incident_on_postgres() {
    if sima_store_postgres::ScratchDatabase::skipped() {
        return;
    }
    fifty_identical_alerts_open_one_incident(true).await;
}

/// A repeat is answered like the store answers it (the open incident,
/// `created: false`); once that incident is ended, a firing alert later than
/// the in-memory index's TTL opens a new incident: the index never outlives it.
#[tokio::test]
async fn a_repeat_names_the_open_incident_and_an_ended_one_stops_answering_after_the_ttl() {
    let app = TestApp::spawn(Options::default()).await;
    let alert = json!({ "dedup_key": "cpu-hot", "domain": "compute", "summary": "CPU hot", "status": "firing" });
    let first = app.webhook("/webhooks/alerts", &alert).await;
    assert_eq!(first.status(), 201);
    let first: serde_json::Value = first.json().await.expect("a JSON answer");
    for _ in 0..3 {
        let repeat = app.webhook("/webhooks/alerts", &alert).await;
        assert_eq!(repeat.status(), 200);
        let repeat: serde_json::Value = repeat.json().await.expect("a JSON answer");
        assert_eq!(repeat["created"], false);
        assert_eq!(repeat["incident"]["id"], first["incident"]["id"]);
        assert_eq!(repeat["incident"]["dedup_key"], "cpu-hot");
    }
    let number = first["incident"]["number"].as_str().expect("a number");
    let ended =
        app.post_json(&format!("/api/v1/incidents/{number}/status"), &json!({ "status": "false_positive" })).await;
    assert_eq!(ended.status(), 200);

    tokio::time::sleep(sima_server::webhooks::open_keys::TTL + std::time::Duration::from_millis(100)).await;
    let again = app.webhook("/webhooks/alerts", &alert).await;
    assert_eq!(again.status(), 201, "the ended incident's key opens a new one");
    let again: serde_json::Value = again.json().await.expect("a JSON answer");
    assert_eq!(again["incident"]["number"], "INC-2");
    assert_eq!(app.incidents().await.len(), 2);
    app.stop().await;
}

/// A generic `resolved` alert notes the incident once (a repeat adds
/// nothing), answers it with `created: false`, and drops the key from the
/// in-memory index at once: a firing alert right after, once the incident
/// has ended, opens a new incident without waiting out the index's TTL.
#[tokio::test]
async fn a_resolved_generic_alert_notes_the_incident_once_and_forgets_its_key() {
    let app = TestApp::spawn(Options::default()).await;
    let firing = json!({ "dedup_key": "queue-deep", "domain": "compute", "summary": "Queue deep", "status": "firing" });
    assert_eq!(app.webhook("/webhooks/alerts", &firing).await.status(), 201);
    assert_eq!(app.webhook("/webhooks/alerts", &firing).await.status(), 200, "a repeat, from the index");

    let resolved =
        json!({ "dedup_key": "queue-deep", "domain": "compute", "summary": "Queue deep", "status": "resolved" });
    for _ in 0..2 {
        let answer = app.webhook("/webhooks/alerts", &resolved).await;
        assert_eq!(answer.status(), 200);
        let body: serde_json::Value = answer.json().await.expect("a JSON answer");
        assert_eq!((body["created"].clone(), body["incident"]["number"].clone()), (json!(false), json!("INC-1")));
    }
    let timeline = app.timeline(app.incidents().await[0]["id"].as_str().expect("an id")).await;
    let notes: Vec<_> = timeline
        .iter()
        .filter(|e| e["kind"] == "note_added" && e["text"].as_str().is_some_and(|t| t.contains("resolved")))
        .collect();
    assert_eq!(notes.len(), 1, "one note for two resolved notifications: {notes:?}");

    let ended = app.post_json("/api/v1/incidents/INC-1/status", &json!({ "status": "false_positive" })).await;
    assert_eq!(ended.status(), 200);
    let again = app.webhook("/webhooks/alerts", &firing).await;
    assert_eq!(again.status(), 201, "the key was forgotten when the alert resolved");
    app.stop().await;
}
