//! The declare modal asks for the incident type first, then shows that
//! type's fields: `/incident` opens a modal whose first input is the type
//! (dispatching `block_actions`); choosing a type makes Slack receive
//! `views.update` with the type's field inputs and the values already
//! given; a submission missing a required field is answered with an error
//! on that input; a valid one declares an incident carrying the type and
//! fields.

use serde_json::{json, Value};
use sima_server::Settings;

use crate::helpers::{wait_until, TestApp};

const REPORTER: &str = "U0REPORTER";

const MODEL: &str = r#"
[[fields]]
name = "category"
label = "Attack category"
kind = "select"
options = ["phishing", "malware", "leak"]
required = true

[[fields]]
name = "systems"
label = "Systems hit"
kind = "multi_select"
options = ["mail", "vpn", "wiki"]

[[fields]]
name = "handler"
label = "Security handler"
kind = "user"

[[fields]]
name = "records"
label = "Records exposed"
kind = "number"

[[fields]]
name = "ticket"
kind = "link"

[[fields]]
name = "vendor"
label = "Vendor"
kind = "text"

[[incident_types]]
name = "security"
description = "Breaches and attacks"
default_severity = "sev2"
fields = ["category", "systems", "handler", "records", "ticket"]

[[incident_types]]
name = "vendor-outage"
description = "A supplier is down"
fields = ["vendor"]
"#;

async fn app() -> TestApp {
    let file: Settings = toml::from_str(MODEL).expect("a valid configuration");
    TestApp::spawn_with(|settings| {
        settings.fields = file.fields;
        settings.incident_types = file.incident_types;
    })
    .await
}

fn text_input(value: &str) -> Value {
    json!({ "type": "plain_text_input", "value": value })
}

fn select(value: &str) -> Value {
    json!({ "type": "static_select", "selected_option": { "value": value } })
}

/// The modal's state as Slack sends it: the built-in inputs plus `extra`.
fn state(extra: &[(&str, Value)]) -> Value {
    let mut values = json!({
        "domain": { "domain": text_input("identity") },
        "summary": { "summary": text_input("Phishing wave") },
        "severity": { "severity": select("sev2") },
    });
    for (id, element) in extra {
        values[*id] = json!({ *id: element });
    }
    json!({ "values": values })
}

fn view(state: Value) -> Value {
    json!({
        "id": "V0DECLARE",
        "hash": "1712345678.abcdEFGH",
        "type": "modal",
        "callback_id": "declare_incident",
        "private_metadata": "",
        "state": state,
    })
}

/// The `block_actions` Slack sends when the type select changes in the modal.
fn type_chosen(incident_type: &str) -> Value {
    json!({
        "type": "block_actions",
        "user": { "id": REPORTER },
        "team": { "id": "T0TEAM" },
        "trigger_id": "trigger-type",
        "container": { "type": "view", "view_id": "V0DECLARE" },
        "view": view(state(&[("type", select(incident_type))])),
        "actions": [{
            "type": "static_select", "action_id": "type", "block_id": "type",
            "selected_option": { "text": { "type": "plain_text", "text": incident_type }, "value": incident_type },
            "action_ts": "1712345679.000100"
        }]
    })
}

fn submission(extra: &[(&str, Value)]) -> Value {
    json!({
        "type": "view_submission",
        "team": { "id": "T0TEAM" },
        "user": { "id": REPORTER },
        "trigger_id": "trigger-submission",
        "view": view(state(extra)),
    })
}

/// The block of `view` whose `block_id` is `id`.
fn block<'a>(view: &'a Value, id: &str) -> Option<&'a Value> {
    view["blocks"].as_array().and_then(|blocks| blocks.iter().find(|b| b["block_id"] == id))
}

fn block_ids(view: &Value) -> Vec<String> {
    view["blocks"].as_array().map_or_else(Vec::new, |blocks| {
        blocks.iter().filter_map(|b| b["block_id"].as_str().map(str::to_owned)).collect()
    })
}

#[tokio::test]
async fn the_modal_asks_for_the_type_first_and_choosing_one_updates_the_view_with_its_fields() {
    let app = app().await;
    assert_eq!(app.slash(REPORTER, "C0GENERAL", "").await.status(), 200);
    let opened = wait_until("views.open", || async { app.slack_calls("views.open").pop() }).await;
    let first = &opened.request["view"]["blocks"][0];
    assert_eq!(first["block_id"], "type", "the type comes first: {:?}", block_ids(&opened.request["view"]));
    assert_eq!(first["dispatch_action"], true, "choosing a type is sent at once");
    assert_eq!(first["element"]["type"], "static_select");
    assert!(
        !block_ids(&opened.request["view"]).iter().any(|id| id.starts_with("field.")),
        "no field before a type is chosen"
    );

    let response = app.interaction(&type_chosen("security")).await;
    assert_eq!(response.status(), 200);
    let updates = app.slack_calls("views.update");
    let [update] = updates.as_slice() else { panic!("one views.update, got {updates:?}") };
    assert_eq!(update.request["view_id"], "V0DECLARE");
    assert_eq!(update.request["hash"], "1712345678.abcdEFGH");
    let view = &update.request["view"];
    assert_eq!(view["callback_id"], "declare_incident");
    let fields: Vec<String> = block_ids(view).into_iter().filter(|id| id.starts_with("field.")).collect();
    assert_eq!(fields, ["field.category", "field.systems", "field.handler", "field.records", "field.ticket"]);
    let element = |id: &str| &block(view, id).unwrap_or_else(|| panic!("no block {id}"))["element"];
    assert_eq!(element("field.category")["type"], "static_select");
    let options: Vec<&str> =
        element("field.category")["options"].as_array().unwrap().iter().filter_map(|o| o["value"].as_str()).collect();
    assert_eq!(options, ["phishing", "malware", "leak"]);
    assert_eq!(block(view, "field.category").unwrap()["optional"], false, "required by the type");
    assert_eq!(block(view, "field.category").unwrap()["label"]["text"], "Attack category");
    assert_eq!(element("field.systems")["type"], "multi_static_select");
    assert_eq!(element("field.handler")["type"], "users_select");
    assert_eq!(element("field.records")["type"], "plain_text_input");
    assert_eq!(element("field.ticket")["type"], "plain_text_input");
    assert_eq!(block(view, "field.records").unwrap()["optional"], true);
    assert_eq!(element("summary")["initial_value"], "Phishing wave", "what was typed is kept");
    assert_eq!(element("type")["initial_option"]["value"], "security");

    app.interaction(&type_chosen("vendor-outage")).await;
    let updates = app.slack_calls("views.update");
    let last = &updates.last().expect("a second update").request["view"];
    let fields: Vec<String> = block_ids(last).into_iter().filter(|id| id.starts_with("field.")).collect();
    assert_eq!(fields, ["field.vendor"], "another type, its own fields");
}

#[tokio::test]
async fn a_submission_missing_a_required_field_is_answered_with_an_error_on_that_input() {
    let app = app().await;
    let missing = submission(&[("type", select("security")), ("field.records", text_input("12"))]);
    let response = app.interaction(&missing).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("a JSON answer");
    assert_eq!(body["response_action"], "errors", "{body}");
    let error = body["errors"]["field.category"].as_str().unwrap_or_default();
    assert!(error.contains("required"), "{body}");
    let wrong = submission(&[
        ("type", select("security")),
        ("field.category", select("leak")),
        ("field.records", text_input("lots")),
    ]);
    let body: Value = app.interaction(&wrong).await.json().await.expect("a JSON answer");
    assert!(body["errors"]["field.records"].as_str().unwrap_or_default().contains("not a number"), "{body}");
    assert!(app.incidents().await.is_empty(), "nothing was declared");
}

#[tokio::test]
async fn a_valid_submission_declares_an_incident_carrying_the_type_and_fields() {
    let app = app().await;
    let multi = json!({ "type": "multi_static_select", "selected_options": [
        { "text": { "type": "plain_text", "text": "vpn" }, "value": "vpn" },
        { "text": { "type": "plain_text", "text": "mail" }, "value": "mail" }
    ] });
    let valid = submission(&[
        ("type", select("security")),
        ("field.category", select("leak")),
        ("field.systems", multi),
        ("field.handler", json!({ "type": "users_select", "selected_user": "U0HANDLER" })),
        ("field.records", text_input("1200")),
        ("field.ticket", text_input("https://jira.example.com/SEC-9")),
    ]);
    let response = app.interaction(&valid).await;
    assert_eq!(response.status(), 200);
    let incidents = wait_until("the declared incident", || async {
        let incidents = app.incidents().await;
        (!incidents.is_empty()).then_some(incidents)
    })
    .await;
    let incident = &incidents[0];
    assert_eq!(incident["type"], "security");
    assert_eq!(incident["fields"]["category"], "leak");
    assert_eq!(incident["fields"]["systems"], json!(["mail", "vpn"]), "in the field's option order");
    assert_eq!(incident["fields"]["handler"], "U0HANDLER");
    assert_eq!(incident["fields"]["records"], 1200);
    assert_eq!(incident["fields"]["ticket"], "https://jira.example.com/SEC-9");
}
