//! The external contract at its edges: refused requests, bad input, and the
//! monitoring endpoints.

use chrono::Utc;
use serde_json::{json, Value};

use crate::helpers::{api_error, Options, TestApp, WEBHOOK_TOKEN};

async fn declare(app: &TestApp, body: &Value) -> Value {
    let response = app.post_json("/api/v1/incidents", body).await;
    assert_eq!(response.status(), 201);
    response.json().await.expect("the incident")
}

#[tokio::test]
async fn slack_requests_without_a_fresh_valid_signature_are_refused() {
    let app = TestApp::spawn(Options::default()).await;
    let body = "command=%2Fincident&text=&user_id=U0X&channel_id=C0X&trigger_id=t1".to_owned();
    let form = "application/x-www-form-urlencoded";

    let unsigned = app.http.post(format!("{}/slack/commands", app.address)).header("Content-Type", form);
    assert_eq!(unsigned.body(body.clone()).send().await.expect("an answer").status(), 401);
    let forged = app
        .http
        .post(format!("{}/slack/commands", app.address))
        .header("Content-Type", form)
        .header("X-Slack-Request-Timestamp", Utc::now().timestamp().to_string())
        .header("X-Slack-Signature", format!("v0={}", "0".repeat(64)));
    assert_eq!(forged.body(body.clone()).send().await.expect("an answer").status(), 401);
    let ten_minutes_ago = Utc::now().timestamp() - 600;
    let stale = app.post_slack("/slack/commands", form, body.clone(), ten_minutes_ago, &[]).await;
    assert_eq!(stale.status(), 401);
    let event = json!({ "type": "url_verification", "challenge": "c" }).to_string();
    let stale = app.post_slack("/slack/events", "application/json", event, ten_minutes_ago, &[]).await;
    assert_eq!(stale.status(), 401);
    assert!(app.slack_calls("views.open").is_empty(), "a refused command opens nothing");

    // The same body, signed now, is accepted.
    assert_eq!(app.post_signed_slack("/slack/commands", form, body).await.status(), 200);
    assert_eq!(app.slack_calls("views.open").len(), 1);
}

#[tokio::test]
async fn webhooks_need_the_bearer_token() {
    let app = TestApp::spawn(Options::default()).await;
    let alert = json!({ "dedup_key": "k1", "domain": "storage", "summary": "Disk full", "status": "firing" });
    let url = format!("{}/webhooks/alerts", app.address);

    let anonymous = app.http.post(&url).json(&alert).send().await.expect("an answer");
    api_error(anonymous, 401, "unauthorized").await;
    let wrong = app.http.post(&url).bearer_auth("not-the-token").json(&alert).send().await.expect("an answer");
    api_error(wrong, 401, "unauthorized").await;
    let basic = app.http.post(&url).basic_auth("sima", Some(WEBHOOK_TOKEN)).json(&alert).send().await;
    api_error(basic.expect("an answer"), 401, "unauthorized").await;
    assert!(app.incidents().await.is_empty(), "refused alerts open nothing");

    assert_eq!(app.webhook("/webhooks/alerts", &alert).await.status(), 201);
}

#[tokio::test]
async fn bad_bodies_are_answered_with_what_to_fix() {
    let app = TestApp::spawn(Options::default()).await;
    let url = format!("{}/api/v1/incidents", app.address);
    let post = |content_type: &'static str, body: String| {
        app.http.post(&url).header("Content-Type", content_type).body(body).send()
    };

    let malformed = post("application/json", r#"{"domain": "storage", "summary": "#.to_owned()).await;
    api_error(malformed.expect("an answer"), 400, "invalid_json").await;
    let malformed_alert = app
        .http
        .post(format!("{}/webhooks/alerts", app.address))
        .bearer_auth(WEBHOOK_TOKEN)
        .header("Content-Type", "application/json")
        .body(r#"{"dedup_key": "k1", "status": "#)
        .send()
        .await;
    api_error(malformed_alert.expect("an answer"), 400, "invalid_json").await;

    let as_text = post("text/plain", json!({ "domain": "storage", "summary": "Disk full" }).to_string()).await;
    api_error(as_text.expect("an answer"), 415, "unsupported_media_type").await;

    let huge = json!({ "domain": "storage", "summary": "Disk full", "description": "x".repeat(1024 * 1024 + 1) });
    api_error(post("application/json", huge.to_string()).await.expect("an answer"), 413, "payload_too_large").await;

    let bad_severity = json!({ "domain": "storage", "summary": "Disk full", "severity": "sev9" });
    let message = api_error(app.post_json("/api/v1/incidents", &bad_severity).await, 400, "invalid_input").await;
    assert!(message.contains("`severity`") && message.contains("sev9"), "{message}");
    let bad_domain = json!({ "domain": "Not A Slug", "summary": "Disk full" });
    let message = api_error(app.post_json("/api/v1/incidents", &bad_domain).await, 400, "invalid_input").await;
    assert!(message.contains("`domain`"), "{message}");

    assert!(app.incidents().await.is_empty(), "nothing was declared");
}

#[tokio::test]
async fn unknown_incidents_are_404() {
    let app = TestApp::spawn(Options::default()).await;
    declare(&app, &json!({ "domain": "storage", "summary": "Disk full" })).await;

    for id in ["INC-999", "0190a6c2-8a7e-7bb1-9c2e-3f1f2b9d6a11", "nonsense"] {
        api_error(app.get(&format!("/api/v1/incidents/{id}")).await, 404, "not_found").await;
        api_error(app.get(&format!("/api/v1/incidents/{id}/timeline")).await, 404, "not_found").await;
    }
    let status = app.post_json("/api/v1/incidents/INC-999/status", &json!({ "status": "investigating" })).await;
    api_error(status, 404, "not_found").await;
    assert_eq!(app.get_json("/api/v1/incidents/INC-1").await["number"], "INC-1");
}

#[tokio::test]
async fn a_refused_transition_is_409_naming_the_allowed_statuses() {
    let app = TestApp::spawn(Options::default()).await;
    declare(&app, &json!({ "domain": "storage", "summary": "Disk full" })).await;

    let response = app.post_json("/api/v1/incidents/INC-1/status", &json!({ "status": "closed" })).await;
    let message = api_error(response, 409, "refused").await;
    for allowed in ["investigating", "identified", "monitoring", "resolved", "false_positive"] {
        assert!(message.contains(allowed), "`{message}` names {allowed}");
    }
    assert_eq!(app.incident("INC-1").await["status"], "open", "nothing changed");

    let investigating = json!({ "status": "investigating", "message": "on it" });
    let response = app.post_json("/api/v1/incidents/INC-1/status", &investigating).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.expect("the incident")["status"], "investigating");
}

#[tokio::test]
async fn health_readiness_and_prometheus_metrics() {
    let app = TestApp::spawn(Options::default()).await;
    assert_eq!(app.get_json("/healthz").await, json!({ "status": "ok" }));
    assert_eq!(app.get_json("/readyz").await, json!({ "status": "ready" }));

    declare(&app, &json!({ "domain": "checkout", "summary": "Checkout is down", "severity": "sev1" })).await;
    declare(&app, &json!({ "domain": "storage", "summary": "Disk full", "severity": "sev3" })).await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().expect("text").to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.text().await.expect("a body");
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        r#"sima_incidents{status="open",severity="sev1"} 1"#,
        r#"sima_incidents{status="open",severity="sev3"} 1"#,
        r#"sima_incidents{status="open",severity="sev2"} 0"#,
        r#"sima_incidents{status="resolved",severity="sev1"} 0"#,
    ] {
        assert!(lines.contains(&expected), "/metrics has `{expected}`:\n{text}");
    }
    assert!(text.contains(r#"sima_http_requests_total{route="/api/v1/incidents",status="201"} 2"#), "{text}");
}

#[tokio::test]
async fn numbers_and_times_out_of_range_are_400_naming_the_field() {
    let app = TestApp::spawn(Options::default()).await;
    declare(&app, &json!({ "domain": "storage", "summary": "Disk full" })).await;
    let actions = "/api/v1/incidents/INC-1/actions";
    assert_eq!(app.post_json(actions, &json!({ "text": "Add an alert" })).await.status(), 201);

    for (path, field) in [
        ("/api/v1/incidents?from=1969-12-31T23:59:59Z", "`from`"),
        ("/api/v1/incidents?to=9999-12-31T23:59:59-01:00", "`to`"),
        ("/api/v1/incidents?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "`from`"),
        ("/api/v1/incidents?limit=0", "`limit`"),
        ("/api/v1/incidents?limit=99999999999999999999", "`limit`"),
        ("/api/v1/incidents?cursor=INC-99999999999999999999", "`cursor`"),
        ("/api/v1/incidents?cursor=INC-9223372036854775808", "`cursor`"),
        ("/api/v1/metrics?from=0001-01-01T00:00:00Z", "`from`"),
        ("/api/v1/metrics?to=1969-07-20T20:17:00Z", "`to`"),
        ("/api/v1/incidents/INC-99999999999999999999", "`id`"),
        ("/api/v1/incidents/INC-0/timeline", "`id`"),
        ("/api/v1/incidents/INC-18446744073709551616/actions", "`id`"),
    ] {
        let message = api_error(app.get(path).await, 400, "invalid_input").await;
        assert!(message.contains(field), "{path}: {message}");
    }
    for path in [
        format!("{actions}/99999999999999999999/done"),
        format!("{actions}/4294967296/done"),
        format!("{actions}/0/done"),
        "/api/v1/incidents/INC-99999999999999999999/status".to_owned(),
    ] {
        let body = if path.ends_with("/status") { json!({ "status": "investigating" }) } else { json!({}) };
        let response = app.post_json(&path, &body).await;
        let message = api_error(response, 400, "invalid_input").await;
        assert!(message.contains("out of range"), "{path}: {message}");
    }

    // The bounds themselves are allowed, and the server answers on.
    let page = app.get_json("/api/v1/incidents?from=1970-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&limit=1000").await;
    assert_eq!(page["incidents"].as_array().map(Vec::len), Some(1));
    api_error(app.get("/api/v1/incidents/INC-9223372036854775807").await, 404, "not_found").await;
    let done = app.post_json(&format!("{actions}/1/done"), &json!({})).await;
    assert_eq!(done.status(), 200);
}
