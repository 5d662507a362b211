//! `GET /api/v1/metrics?type=`: the metrics of one incident type, with the
//! read token kept from private incidents, and the refusals of a type that
//! is unknown, empty, too long or asked of a server without types.

use serde_json::{json, Value};
use sima_server::settings::Secret;
use sima_server::Settings;

use crate::helpers::{api_error, TestApp};

const API_TOKEN: &str = "api-token-for-tests-0123456789";
const READ_TOKEN: &str = "read-token-for-tests-0123456789";

const MODEL: &str = r#"
[[fields]]
name = "category"
label = "Attack category"
kind = "select"
options = ["phishing", "leak"]

[[incident_types]]
name = "security"
description = "Breaches and attacks"
fields = ["category"]

[[incident_types]]
name = "customer-facing"
description = "Customers see it"
"#;

/// A server with the model above, an API token and a read token.
async fn app() -> TestApp {
    let file: Settings = toml::from_str(MODEL).expect("a valid configuration");
    TestApp::spawn_with(|settings| {
        settings.fields = file.fields;
        settings.incident_types = file.incident_types;
        settings.api_token = Some(Secret::new(API_TOKEN));
        settings.api_read_token = Some(Secret::new(READ_TOKEN));
    })
    .await
}

async fn send(request: reqwest::RequestBuilder, token: &str) -> reqwest::Response {
    request.bearer_auth(token).send().await.expect("the server answers")
}

async fn declare(app: &TestApp, body: Value) -> String {
    let request = app.http.post(format!("{}/api/v1/incidents", app.address)).json(&body);
    let response = send(request, API_TOKEN).await;
    assert_eq!(response.status(), 201);
    let incident: Value = response.json().await.expect("the incident");
    incident["id"].as_str().expect("an id").to_owned()
}

async fn acknowledge(app: &TestApp, id: &str) {
    let body = json!({ "status": "investigating", "message": "Looking" });
    let request = app.http.post(format!("{}/api/v1/incidents/{id}/status", app.address)).json(&body);
    assert_eq!(send(request, API_TOKEN).await.status(), 200);
}

async fn metrics(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    send(app.http.get(format!("{}/api/v1/metrics{query}", app.address)), token).await
}

async fn metrics_json(app: &TestApp, token: &str, query: &str) -> Value {
    let response = metrics(app, token, query).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.expect("the metrics")
}

fn security(summary: &str, private: bool) -> Value {
    json!({ "domain": "identity", "summary": summary, "type": "security", "private": private,
        "fields": { "category": "phishing" } })
}

#[tokio::test]
async fn metrics_of_a_type_count_its_incidents_only_and_private_ones_only_for_those_who_see_them() {
    let app = app().await;
    let first = declare(&app, security("Phishing wave", false)).await;
    declare(&app, security("Leaked keys", false)).await;
    let hidden = declare(&app, security("Insider", true)).await;
    let other = declare(&app, json!({ "domain": "checkout", "summary": "502s", "type": "customer-facing" })).await;
    declare(&app, json!({ "domain": "search", "summary": "Slow" })).await;
    acknowledge(&app, &first).await;
    acknowledge(&app, &hidden).await;
    acknowledge(&app, &other).await;

    let everything = metrics_json(&app, API_TOKEN, "").await;
    assert_eq!((everything["incidents"].as_u64(), everything["mtta"]["count"].as_u64()), (Some(5), Some(3)));

    let admin = metrics_json(&app, API_TOKEN, "?type=security").await;
    assert_eq!(admin["incidents"], 3, "{admin}");
    assert_eq!(admin["mtta"]["count"], 2, "{admin}");
    assert_eq!(admin["mtta"]["missing"], 1, "{admin}");

    let reader = metrics_json(&app, READ_TOKEN, "?type=security").await;
    assert_eq!(reader["incidents"], 2, "the read token never learns of the private one: {reader}");
    assert_eq!(reader["mtta"]["count"], 1, "{reader}");

    let facing = metrics_json(&app, READ_TOKEN, "?type=customer-facing&domain=checkout").await;
    assert_eq!((facing["incidents"].as_u64(), facing["mtta"]["count"].as_u64()), (Some(1), Some(1)));
    let elsewhere = metrics_json(&app, READ_TOKEN, "?type=customer-facing&domain=search").await;
    assert_eq!(elsewhere["incidents"], 0, "the other filters still apply: {elsewhere}");
    assert_eq!(elsewhere["mtta"]["mean"], Value::Null);
    let before = metrics_json(&app, API_TOKEN, "?type=security&to=2000-01-01T00:00:00Z").await;
    assert_eq!(before["incidents"], 0, "{before}");
}

#[tokio::test]
async fn an_unknown_empty_or_overlong_type_is_refused_naming_what_to_give() {
    let app = app().await;
    let message = api_error(metrics(&app, READ_TOKEN, "?type=ransom").await, 400, "invalid_input").await;
    for part in ["`type`", "`ransom`", "`security`", "`customer-facing`"] {
        assert!(message.contains(part), "{part} in {message}");
    }
    let message = api_error(metrics(&app, READ_TOKEN, "?type=").await, 400, "invalid_input").await;
    assert!(message.contains("`type` is empty"), "{message}");
    let long = format!("?type={}", "x".repeat(5000));
    let message = api_error(metrics(&app, READ_TOKEN, &long).await, 400, "invalid_input").await;
    assert!(message.contains("`type`") && message.len() < 300, "{message}");
    let message =
        api_error(metrics(&app, READ_TOKEN, "?type=security&type=security").await, 400, "invalid_input").await;
    assert!(message.contains("type"), "{message}");
    let message = api_error(metrics(&app, READ_TOKEN, "?type=security&status=open").await, 400, "invalid_input").await;
    assert!(message.contains("`status`"), "{message}");
    let message = api_error(metrics(&app, READ_TOKEN, "?type=security&limit=5").await, 400, "invalid_input").await;
    assert!(message.contains("`limit`"), "{message}");
    let unauthenticated = app.http.get(format!("{}/api/v1/metrics?type=security", app.address)).send().await;
    assert_eq!(unauthenticated.expect("the server answers").status(), 401);
}

#[tokio::test]
async fn a_type_asked_of_a_server_without_incident_types_is_refused() {
    let app = TestApp::spawn_with(|_| {}).await;
    let response = app.http.get(format!("{}/api/v1/metrics?type=security", app.address)).send().await;
    let message = api_error(response.expect("the server answers"), 400, "invalid_input").await;
    assert!(message.contains("[[incident_types]]") && message.contains("`security`"), "{message}");
}

#[tokio::test]
async fn the_api_document_describes_the_type_filter() {
    let app = app().await;
    let request = app.http.get(format!("{}/api/v1/openapi.json", app.address));
    let document: Value = send(request, READ_TOKEN).await.json().await.expect("the document");
    let operation = &document["paths"]["/api/v1/metrics"]["get"];
    let parameters = operation["parameters"].as_array().expect("parameters");
    let described = parameters.iter().find(|p| p["name"] == "type").expect("`type` is described");
    assert_eq!((&described["in"], &described["schema"]["maxLength"]), (&json!("query"), &json!(40)), "{described}");
    assert!(operation["responses"]["400"].is_object(), "{operation}");
}
