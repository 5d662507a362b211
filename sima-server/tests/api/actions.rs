//! `GET|POST /api/v1/incidents/{id}/actions` and `POST …/actions/{n}/done`.

use serde_json::{json, Value};

use crate::helpers::{api_error, TestApp};

#[tokio::test]
async fn action_items_are_added_listed_and_done_through_the_api() {
    let app = TestApp::spawn_with(|_| {}).await;
    let body = json!({ "domain": "payments", "summary": "Card payments fail" });
    let incident: Value = app.post_json("/api/v1/incidents", &body).await.json().await.unwrap();
    let number = incident["number"].as_str().unwrap();
    let actions = format!("/api/v1/incidents/{number}/actions");

    let created = app
        .post_json(&actions, &json!({ "text": "Alert on card declines", "owner": "U0BOB", "due": "2026-12-01" }))
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        created,
        json!({ "number": 1, "text": "Alert on card declines", "owner": "U0BOB", "status": "open",
                "due": "2026-12-01", "added_by": "api", "done_at": null, "ticket": null })
    );
    let second = app.post_json(&actions, &json!({ "text": "Write the runbook" })).await;
    assert_eq!(second.status(), 201);

    let done = app.post_json(&format!("{actions}/2/done"), &json!({})).await;
    assert_eq!(done.status(), 200);
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["status"], "done");
    assert!(done["done_at"].is_string());

    let listed = app.get_json(&actions).await;
    let statuses: Vec<&str> =
        listed["actions"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["open", "done"]);
    let timeline = app.timeline(number).await;
    assert!(timeline.iter().any(|e| e["kind"] == "action_item_done" && e["number"] == 2));
    app.stop().await;
}

#[tokio::test]
async fn bad_action_items_are_answered_with_what_to_fix() {
    let app = TestApp::spawn_with(|_| {}).await;
    let body = json!({ "domain": "payments", "summary": "Card payments fail" });
    let incident: Value = app.post_json("/api/v1/incidents", &body).await.json().await.unwrap();
    let actions = format!("/api/v1/incidents/{}/actions", incident["number"].as_str().unwrap());

    let message = api_error(app.post_json(&actions, &json!({ "text": "" })).await, 400, "invalid_input").await;
    assert!(message.contains("`text`"), "{message}");
    let message =
        api_error(app.post_json(&actions, &json!({ "text": "x", "due": "next week" })).await, 400, "invalid_input")
            .await;
    assert!(message.contains("`due`") && message.contains("YYYY-MM-DD"), "{message}");
    let message =
        api_error(app.post_json(&actions, &json!({ "text": "x", "owner": "<@U1>" })).await, 400, "invalid_input").await;
    assert!(message.contains("`owner`"), "{message}");
    let response = app.post_json(&actions, &json!({ "text": "x", "priority": "high" })).await;
    assert!(response.status().is_client_error(), "unknown fields are refused");
    let message = api_error(app.post_json(&format!("{actions}/9/done"), &json!({})).await, 404, "not_found").await;
    assert!(message.contains("no action item 9"), "{message}");
    let message = api_error(app.post_json(&format!("{actions}/zero/done"), &json!({})).await, 404, "not_found").await;
    assert!(message.contains("action item number"), "{message}");
    api_error(app.get("/api/v1/incidents/INC-999/actions").await, 404, "not_found").await;
    app.stop().await;
}
