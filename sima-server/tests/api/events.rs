//! Slack's Events API: redelivered events act once.

use chrono::Utc;
use serde_json::json;

use crate::helpers::{count_kind, wait_until, Options, TestApp};

#[tokio::test]
async fn an_event_delivered_three_times_welcomes_once() {
    let app = TestApp::spawn(Options::default()).await;
    let declared = json!({ "domain": "checkout", "summary": "Payments time out", "severity": "sev3" });
    let response = app.post_json("/api/v1/incidents", &declared).await;
    assert_eq!(response.status(), 201);
    let id =
        response.json::<serde_json::Value>().await.expect("the incident")["id"].as_str().expect("an id").to_owned();
    let incident = app.wait_for_room(&id).await;
    let room = incident["room"]["id"].as_str().expect("a room id");

    let joined = json!({
        "type": "event_callback",
        "team_id": "T0TEAM",
        "event_id": "Ev0REDELIVERED",
        "event_time": Utc::now().timestamp(),
        "event": { "type": "member_joined_channel", "user": "U0LATE", "channel": room, "channel_type": "C" }
    });
    for retry in [None, Some("1"), Some("2")] {
        let headers: Vec<(&str, &str)> = retry.map(|n| ("X-Slack-Retry-Num", n)).into_iter().collect();
        let response = app.event(&joined, &headers).await;
        assert_eq!(response.status(), 200, "delivery {retry:?} is acknowledged");
    }

    assert_eq!(count_kind(&app.timeline(&id).await, "member_joined"), 1);
    wait_until("the newcomer is welcomed", || async {
        let welcomes = app.slack_calls("chat.postEphemeral");
        welcomes.iter().any(|c| c.request["user"] == "U0LATE").then_some(())
    })
    .await;
    app.wait_for_idle_outbox().await;
    let welcomes = app.slack_calls("chat.postEphemeral");
    assert_eq!(welcomes.len(), 1, "one welcome: {welcomes:?}");
    assert_eq!(welcomes[0].request["channel"], room);
    app.stop().await;
}
