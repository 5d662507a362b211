//! Incident types and custom fields through the real server: a `security`
//! type with a required select refuses a declaration missing it or naming
//! an unknown option (400 naming the field) at the API and the alert
//! webhook; values show in the API JSON, on the card Slack receives and in
//! the post-mortem; `POST …/fields` records a `fields_set` event and checks
//! its values; a type naming an undefined field stops `check-config`.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use sima_server::Settings;

use crate::helpers::{api_error, count_kind, wait_until, TestApp};

const MODEL: &str = r#"
[[fields]]
name = "category"
label = "Attack category"
kind = "select"
options = ["phishing", "malware", "leak"]
required = true

[[fields]]
name = "records"
label = "Records exposed"
kind = "number"

[[fields]]
name = "ticket"
kind = "link"

[[incident_types]]
name = "security"
description = "Breaches and attacks"
default_severity = "sev2"
fields = ["category", "records", "ticket"]
postmortem_sections = ["Disclosure"]
"#;

async fn app() -> TestApp {
    let file: Settings = toml::from_str(MODEL).expect("a valid configuration");
    TestApp::spawn_with(|settings| {
        settings.fields = file.fields;
        settings.incident_types = file.incident_types;
    })
    .await
}

fn security(fields: Value) -> Value {
    json!({ "domain": "identity", "summary": "Phishing wave", "type": "security", "fields": fields })
}

#[tokio::test]
async fn a_security_incident_missing_its_required_field_or_naming_an_unknown_option_is_refused() {
    let app = app().await;
    let missing = app.post_json("/api/v1/incidents", &security(json!({ "records": 12 }))).await;
    let message = api_error(missing, 400, "invalid_input").await;
    assert!(message.contains("field `category` is required for type `security`"), "{message}");
    let unknown = app.post_json("/api/v1/incidents", &security(json!({ "category": "ransom" }))).await;
    let message = api_error(unknown, 400, "invalid_input").await;
    assert!(message.contains("field `category` option `ransom` is unknown"), "{message}");
    let stranger = app.post_json("/api/v1/incidents", &security(json!({ "category": "leak", "colour": 1 }))).await;
    assert!(api_error(stranger, 400, "invalid_input").await.contains("field `colour`"));
    let no_type = json!({ "domain": "identity", "summary": "Phishing", "type": "hr" });
    assert!(api_error(app.post_json("/api/v1/incidents", &no_type).await, 400, "invalid_input")
        .await
        .contains("`type`"));
    let alert = json!({ "dedup_key": "sec-1", "domain": "identity", "summary": "Phishing", "status": "firing",
        "type": "security", "fields": { "category": "fax" } });
    let message = api_error(app.webhook("/webhooks/alerts", &alert).await, 400, "invalid_input").await;
    assert!(message.contains("option `fax` is unknown"), "{message}");
    assert!(app.incidents().await.is_empty(), "nothing was declared");
}

#[tokio::test]
async fn field_values_show_in_the_api_on_the_card_and_in_the_postmortem() {
    let app = app().await;
    let body = security(json!({ "category": "Leak", "records": "1200", "ticket": "https://jira.example.com/SEC-9" }));
    let response = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(response.status(), 201);
    let incident: Value = response.json().await.expect("the incident");
    assert_eq!(incident["type"], "security");
    assert_eq!(
        incident["fields"],
        json!({ "category": "leak", "records": 1200, "ticket": "https://jira.example.com/SEC-9" })
    );
    assert_eq!(incident["severity"], "sev2", "the type's default severity");
    let id = incident["id"].as_str().expect("an id").to_owned();
    app.wait_for_room(&id).await;

    let card = wait_until("the card is posted", || async {
        let posts = app.slack_calls("chat.postMessage");
        posts.into_iter().find(|c| c.request["text"].as_str().is_some_and(|t| t.contains("Phishing wave [")))
    })
    .await;
    let blocks = card.request["blocks"].to_string();
    for shown in ["*Type*", "security", "*Attack category*", "leak", "*Records exposed*", "1200", "*ticket*"] {
        assert!(blocks.contains(shown), "{shown} on the card: {blocks}");
    }
    for name in ["*category*", "*records*"] {
        assert!(!blocks.contains(name), "fields are shown by their labels, not {name}: {blocks}");
    }

    let resolved = json!({ "status": "resolved", "message": "Contained" });
    assert_eq!(app.post_json(&format!("/api/v1/incidents/{id}/status"), &resolved).await.status(), 200);
    let page = wait_until("the post-mortem page is created", || async { app.notion_pages().await.pop() }).await;
    let page = page.to_string();
    for shown in ["Fields", "Attack category", "leak", "Records exposed", "1200", "Disclosure"] {
        assert!(page.contains(shown), "{shown} in the post-mortem: {page}");
    }
}

#[tokio::test]
async fn setting_fields_records_an_event_and_checks_each_value() {
    let app = app().await;
    let response = app.post_json("/api/v1/incidents", &security(json!({ "category": "phishing" }))).await;
    let id = response.json::<Value>().await.expect("the incident")["id"].as_str().expect("an id").to_owned();
    let path = format!("/api/v1/incidents/{id}/fields");

    let response = app.post_json(&path, &json!({ "records": 40, "category": "malware" })).await;
    assert_eq!(response.status(), 200);
    let incident: Value = response.json().await.expect("the incident");
    assert_eq!(incident["fields"], json!({ "category": "malware", "records": 40 }));
    let events = app.timeline(&id).await;
    assert_eq!(count_kind(&events, "fields_set"), 1);
    let set = events.iter().find(|e| e["kind"] == "fields_set").expect("the event");
    assert_eq!(set["changes"][0], json!({ "field": "category", "old": "phishing", "new": "malware" }));
    assert_eq!(set["actor"], "api");

    for (body, named) in [
        (json!({ "records": "many" }), "field `records` `many` is not a number"),
        (json!({ "records": 1e300 }), "is not a number"),
        (json!({ "ticket": "javascript:alert(1)" }), "field `ticket`"),
        (json!({ "category": "" }), "field `category` is required"),
        (json!({ "severity": "sev1" }), "field `severity` is unknown"),
        (json!({}), "give at least one field"),
    ] {
        let message = api_error(app.post_json(&path, &body).await, 400, "invalid_input").await;
        assert!(message.contains(named), "{body}: {message}");
    }
    let not_json = app.post_json(&path, &json!(["records"])).await;
    assert_eq!(not_json.status(), 422, "a body that is not an object is refused as JSON of the wrong shape");
    assert_eq!(app.post_json("/api/v1/incidents/INC-999/fields", &json!({ "records": 1 })).await.status(), 404);
    let same = app.post_json(&path, &json!({ "records": 40 })).await;
    assert_eq!(same.status(), 200);
    assert_eq!(count_kind(&app.timeline(&id).await, "fields_set"), 1, "no change, no event");
}

/// `sima-server check-config` with `config`, without this process's `SIMA_*` variables.
fn check_config(dir: &Path, config: &str) -> (Option<i32>, String) {
    let file = dir.join("sima.toml");
    std::fs::write(&file, config).expect("the file is written");
    let mut command = Command::new(env!("CARGO_BIN_EXE_sima-server"));
    command.current_dir(dir).args(["check-config", "--config", file.to_str().expect("a path")]);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SIMA_") {
            command.env_remove(name);
        }
    }
    let out = command.stdin(Stdio::null()).output().expect("check-config runs");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_type_naming_an_undefined_field_stops_the_start_naming_it() {
    let dir = tempfile::tempdir().expect("a directory");
    let config = format!("{MODEL}\n[[incident_types]]\nname = \"data\"\nfields = [\"blast_radius\"]\n");
    let (code, stderr) = check_config(dir.path(), &config);
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("incident type `data` names field `blast_radius`"), "{stderr}");
    let (code, stderr) = check_config(dir.path(), MODEL);
    assert_eq!(code, Some(0), "{stderr}");
}
