//! Company policy through the real server: `[[guards]]` refuse over the API
//! and in Slack without recording anything, and `[[workflows]]` steps run
//! once per trigger.

use std::time::Duration;

use serde_json::{json, Value};
use sima_server::Settings;

use crate::helpers::{api_error, count_kind, wait_at_most, TestApp};

const REPORTER: &str = "U0REPORTER";
const MANAGER: &str = "U0MANAGER";

const POLICY: &str = r#"
[[guards]]
name = "manager-decides"
commands = ["resolve", "false_positive"]
only = "incident_manager"

[[workflows]]
name = "announce-security"
on = "declared"
when = { domain = ["security"] }
steps = [{ post = { room = "C0SEC", text = "A security incident was declared" } }]

[[workflows]]
name = "ack-escalation"
on = "unacknowledged_for"
after = "2s"
when = { domain = ["security"] }
steps = ["escalate"]
"#;

async fn app() -> TestApp {
    let policy: Settings = toml::from_str(POLICY).expect("a valid policy");
    TestApp::spawn_with(|settings| {
        settings.guards = policy.guards;
        settings.workflows = policy.workflows;
    })
    .await
}

async fn declared(app: &TestApp, domain: &str) -> (String, String) {
    let body = json!({ "domain": domain, "summary": "Tokens leak", "severity": "sev2", "reporter": REPORTER });
    let response = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(response.status(), 201);
    let incident: Value = response.json().await.unwrap();
    let id = incident["id"].as_str().unwrap().to_owned();
    let room = app.wait_for_room(&id).await["room"]["id"].as_str().unwrap().to_owned();
    (id, room)
}

#[tokio::test]
async fn a_guard_refuses_with_403_and_a_private_answer_and_records_nothing() {
    let app = app().await;
    let (id, room) = declared(&app, "payments").await;
    app.wait_for_idle_outbox().await;
    let before = app.timeline(&id).await;

    let refused = app.post_json(&format!("/api/v1/incidents/{id}/status"), &json!({ "status": "resolved" })).await;
    let message = api_error(refused, 403, "forbidden").await;
    assert!(message.contains("only the Incident Manager may resolve"), "{message}");

    let response = app.slash(REPORTER, &room, "status resolved").await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("a private answer");
    assert_eq!(answer["response_type"], "ephemeral");
    let text = answer["text"].as_str().unwrap_or_default();
    assert!(text.contains("only the Incident Manager may resolve"), "{answer}");

    assert_eq!(app.timeline(&id).await, before, "nothing recorded");
    assert_eq!(app.incident(&id).await["status"], "open");

    assert_eq!(app.slash(MANAGER, &room, "manager me").await.status(), 200);
    let resolved = app.slash(MANAGER, &room, "status resolved").await;
    assert_eq!(resolved.status(), 200);
    assert_eq!(app.incident(&id).await["status"], "resolved");
}

#[tokio::test]
async fn workflow_steps_run_once_per_trigger() {
    let app = app().await;
    let (id, _room) = declared(&app, "security").await;
    let escalation = format!("{id}:security");
    wait_at_most(Duration::from_secs(30), "the unacknowledged incident is escalated", || async {
        let pages = app.pagerduty_events().await;
        pages.iter().any(|p| p["dedup_key"] == escalation.as_str()).then_some(())
    })
    .await;
    // Well past the timer: nothing runs twice.
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.wait_for_idle_outbox().await;
    let to_security = app.slack_calls("chat.postMessage").into_iter().filter(|c| c.request["channel"] == "C0SEC");
    assert_eq!(to_security.count(), 1);
    let escalations = app.pagerduty_events().await;
    assert_eq!(escalations.iter().filter(|p| p["dedup_key"] == escalation.as_str()).count(), 1);
    let events = app.timeline(&id).await;
    assert_eq!(count_kind(&events, "timer_fired"), 1);
    assert_eq!(count_kind(&events, "effect_failed"), 0);

    // Another domain takes none of these steps.
    let (other, _) = declared(&app, "payments").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.wait_for_idle_outbox().await;
    assert_eq!(count_kind(&app.timeline(&other).await, "timer_fired"), 0);
    let to_security = app.slack_calls("chat.postMessage").into_iter().filter(|c| c.request["channel"] == "C0SEC");
    assert_eq!(to_security.count(), 1);
}
