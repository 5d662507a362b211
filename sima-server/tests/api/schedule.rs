//! Scheduled work through the real server: `SIMA_REMINDER_AFTER=3s` and
//! `SIMA_ARCHIVE_AFTER=4s`, asserted on what the Slack fake received. Upper
//! bounds are generous; the spacing is read from the server's own timeline.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{action_ids, time, wait_at_most, TestApp};

const REPORTER: &str = "U0REPORTER";
const PATIENCE: Duration = Duration::from_secs(30);

async fn declared(app: &TestApp) -> (String, String) {
    let body =
        json!({ "domain": "outbound-email", "summary": "Emails are late", "severity": "sev2", "reporter": REPORTER });
    let response = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(response.status(), 201);
    let incident: Value = response.json().await.unwrap();
    let id = incident["id"].as_str().unwrap().to_owned();
    let room = app.wait_for_room(&id).await["room"]["id"].as_str().unwrap().to_owned();
    (id, room)
}

/// When the first event of `kind` happened, by the server's clock.
fn at(events: &[Value], kind: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    events.iter().find(|e| e["kind"] == kind).map(|e| time(&e["at"]))
}

#[tokio::test]
async fn a_quiet_incident_is_reminded_and_a_resolved_one_archived() {
    let app = TestApp::spawn_with_env(&[("SIMA_REMINDER_AFTER", "3s"), ("SIMA_ARCHIVE_AFTER", "4s")]).await;
    let (id, room) = declared(&app).await;

    let reminder = wait_at_most(PATIENCE, "a reminder is posted in the room", || async {
        app.slack_calls("chat.postMessage").into_iter().find(|c| {
            c.request["channel"] == room.as_str() && c.request["text"].as_str().is_some_and(|t| t.contains("no update"))
        })
    })
    .await;
    let text = reminder.request["text"].as_str().unwrap();
    let blocks = &reminder.request["blocks"];
    assert!(blocks.to_string().contains(&format!("<@{REPORTER}>")), "mentions the reporter: {text} {blocks}");
    assert_eq!(action_ids(blocks), ["update_status", "resolve_incident", "become_incident_manager"]);
    let events = wait_at_most(PATIENCE, "the reminder is on the timeline", || async {
        let events = app.timeline(&id).await;
        at(&events, "update_reminder_posted").is_some().then_some(events)
    })
    .await;
    let (room_up, reminded) = (at(&events, "room_created").unwrap(), at(&events, "update_reminder_posted").unwrap());
    let waited = (reminded - room_up).to_std().unwrap();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_secs(20),
        "first reminder {waited:?} after the room"
    );

    let resolved = app.post_json(&format!("/api/v1/incidents/{id}/status"), &json!({ "status": "resolved" })).await;
    assert_eq!(resolved.status(), 200);
    let archived = wait_at_most(PATIENCE, "the room is archived", || async {
        app.slack_calls("conversations.archive").into_iter().find(|c| c.request["channel"] == room.as_str())
    })
    .await;
    assert_eq!(archived.request, json!({ "channel": room }));
    // Slack answered; the outcome is recorded right after.
    let events = wait_at_most(PATIENCE, "the archive is on the timeline", || async {
        let events = app.timeline(&id).await;
        at(&events, "room_archived").is_some().then_some(events)
    })
    .await;
    let resolved_at =
        events.iter().find(|e| e["kind"] == "status_changed" && e["to"] == "resolved").map(|e| time(&e["at"])).unwrap();
    let summary_at = at(&events, "closing_summary_posted").expect("the summary came first");
    let archived_at = at(&events, "room_archived").expect("waited for above");
    let waited = (archived_at - resolved_at).to_std().unwrap();
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(20),
        "archived {waited:?} after resolution"
    );
    assert!(summary_at <= archived_at);
    let summary = app.slack_calls("chat.postMessage").into_iter().any(|c| {
        c.request["channel"] == room.as_str()
            && c.request["text"].as_str().is_some_and(|t| t.contains("closing summary"))
    });
    assert!(summary, "the closing summary was posted in the room");

    // No reminder is posted once the incident is resolved, and none after the archive.
    let posts_in_room =
        || app.slack_calls("chat.postMessage").into_iter().filter(|c| c.request["channel"] == room.as_str()).count();
    let before = posts_in_room();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(posts_in_room(), before, "nothing posted in the archived room");
    app.stop().await;
}
