//! Slack over Socket Mode, end to end: the real server connects to a local
//! server that behaves like Slack's, and what arrives there acts exactly as
//! the signed HTTP routes do.

use std::time::Duration;

use serde_json::{json, Value};
use sima_slack::socket::testing::{SocketPeer, SocketServer};

use crate::helpers::{count_kind, wait_until, TestApp};

const REPORTER: &str = "U0REPORTER";
const MANAGER: &str = "U0MANAGER";
const ACK: Duration = Duration::from_secs(3);

/// SIMA's next connection (it opens two).
async fn connection(sockets: &mut SocketServer) -> SocketPeer {
    sockets.next_connection(Duration::from_secs(5)).await.expect("the server connects over Socket Mode")
}

fn declare_submission() -> Value {
    let input = |value: &str| json!({ "type": "plain_text_input", "value": value });
    json!({
        "type": "view_submission",
        "team": { "id": "T0TEAM" },
        "user": { "id": REPORTER },
        "trigger_id": "trigger-submission",
        "view": {
            "id": "V0DECLARE",
            "type": "modal",
            "callback_id": "declare_incident",
            "private_metadata": "",
            "state": { "values": {
                "domain": { "domain": input("outbound-email") },
                "summary": { "summary": input("Emails are late") },
                "severity": { "severity": { "type": "static_select", "selected_option": { "value": "sev2" } } }
            } }
        }
    })
}

/// `/incident <text>` as a `slash_commands` envelope carries it.
fn slash(user: &str, channel: &str, text: &str) -> Value {
    json!({
        "token": "verification-token",
        "team_id": "T0TEAM",
        "channel_id": channel,
        "user_id": user,
        "command": "/incident",
        "text": text,
        "trigger_id": format!("trigger-{user}-{}", text.len()),
        "is_enterprise_install": "false",
    })
}

/// Declares an incident through the API and returns its id and room.
async fn declared(app: &TestApp) -> (String, String) {
    let declared = json!({ "domain": "checkout", "summary": "Payments time out", "severity": "sev3" });
    let response = app.post_json("/api/v1/incidents", &declared).await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.expect("the incident")["id"].as_str().expect("an id").to_owned();
    let incident = app.wait_for_room(&id).await;
    let room = incident["room"]["id"].as_str().expect("a room id").to_owned();
    app.wait_for_idle_outbox().await;
    (id, room)
}

#[tokio::test]
async fn a_declaration_through_the_modal_arrives_over_socket_mode_without_a_signing_secret() {
    let (app, mut sockets) = TestApp::spawn_socket_mode(false).await;
    let mut peer = connection(&mut sockets).await;

    peer.envelope("env-declare", "interactive", &declare_submission(), true, 0);

    let ack = peer.ack("env-declare", ACK).await.expect("the submission is acknowledged");
    assert_eq!(ack, json!({ "envelope_id": "env-declare" }), "a bare acknowledgement closes the modal");
    let incidents = app.incidents().await;
    assert_eq!(incidents.len(), 1);
    let id = incidents[0]["id"].as_str().expect("an id");
    let incident = app.wait_for_room(id).await;
    assert_eq!((incident["summary"].as_str(), incident["severity"].as_str()), (Some("Emails are late"), Some("sev2")));
    assert_eq!(incident["reporter"], format!("user:{REPORTER}"));
    let created = app.slack_calls("conversations.create");
    assert_eq!(created.len(), 1);
    assert!(created[0].request["name"].as_str().is_some_and(|n| n.ends_with("_emails-are-late")), "{created:?}");
    assert_eq!(created[0].response["channel"]["id"], incident["room"]["id"]);

    // Without a signing secret, the HTTP routes refuse what they cannot verify.
    let refused = app.slash(REPORTER, "CGENERAL", "help").await;
    assert_eq!(refused.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn a_status_update_typed_as_a_slash_command_is_answered_in_the_acknowledgement() {
    let (app, mut sockets) = TestApp::spawn_socket_mode(true).await;
    let mut peer = connection(&mut sockets).await;
    let (id, room) = declared(&app).await;

    peer.envelope("env-status", "slash_commands", &slash(REPORTER, &room, "status investigating looking"), true, 0);

    let ack = peer.ack("env-status", ACK).await.expect("the command is acknowledged");
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    let text = ack["payload"]["text"].as_str().expect("the reply's text");
    assert!(text.contains("investigating"), "{ack}");
    let events = app.timeline(&id).await;
    let change = events.iter().find(|e| e["kind"] == "status_changed").expect("the status change is recorded");
    assert_eq!((change["from"].as_str(), change["to"].as_str()), (Some("open"), Some("investigating")));
    // The signed HTTP routes still work beside Socket Mode.
    let response = app.slash(REPORTER, &room, "info").await;
    assert_eq!(response.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_button_press_over_socket_mode_takes_the_role() {
    let (app, mut sockets) = TestApp::spawn_socket_mode(false).await;
    let mut peer = connection(&mut sockets).await;
    let (id, room) = declared(&app).await;
    let press = json!({
        "type": "block_actions",
        "user": { "id": MANAGER },
        "team": { "id": "T0TEAM" },
        "trigger_id": "trigger-button",
        "container": { "type": "message", "message_ts": "1700000000.000001", "channel_id": room },
        "channel": { "id": room },
        "message": { "ts": "1700000000.000001" },
        "response_url": format!("{}/response_url", app.slack.uri()),
        "actions": [{ "action_id": "become_incident_manager", "type": "button", "value": id }]
    });

    peer.envelope("env-press", "interactive", &press, false, 0);

    assert_eq!(peer.ack("env-press", ACK).await, Some(json!({ "envelope_id": "env-press" })));
    assert_eq!(app.incident(&id).await["roles"]["incident_manager"], MANAGER);
    wait_until("the press is answered through its response_url", || async {
        let answers = app.slack_calls("response_url");
        answers.iter().any(|a| a.request["response_type"] == "ephemeral").then_some(())
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn a_join_survives_a_dropped_connection_and_its_redelivery_welcomes_once() {
    let (app, mut sockets) = TestApp::spawn_socket_mode(false).await;
    let first = connection(&mut sockets).await;
    let mut second = connection(&mut sockets).await;
    let (id, room) = declared(&app).await;
    let joined = json!({
        "type": "event_callback",
        "team_id": "T0TEAM",
        "event_id": "Ev0SOCKETJOIN",
        "event_time": 1_700_000_100,
        "event": { "type": "member_joined_channel", "user": "U0LATE", "channel": room, "channel_type": "C" }
    });

    // Handled, then the connection fails before Slack reads the acknowledgement;
    // Slack redelivers on the other connection.
    first.envelope("env-join", "events_api", &joined, false, 0);
    wait_until("the join is recorded", || async {
        (count_kind(&app.timeline(&id).await, "member_joined") == 1).then_some(())
    })
    .await;
    first.drop_connection();
    second.envelope("env-join-retry", "events_api", &joined, false, 1);
    assert_eq!(second.ack("env-join-retry", ACK).await, Some(json!({ "envelope_id": "env-join-retry" })));
    let mut third = connection(&mut sockets).await;
    third.envelope("env-join-again", "events_api", &joined, false, 2);
    assert!(third.ack("env-join-again", ACK).await.is_some(), "the replacement connection is served");

    wait_until("the newcomer is welcomed", || async {
        app.slack_calls("chat.postEphemeral").iter().any(|c| c.request["user"] == "U0LATE").then_some(())
    })
    .await;
    app.wait_for_idle_outbox().await;
    assert_eq!(count_kind(&app.timeline(&id).await, "member_joined"), 1);
    let welcomes = app.slack_calls("chat.postEphemeral");
    assert_eq!(welcomes.len(), 1, "one welcome: {welcomes:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_refresh_is_answered_by_a_new_connection_and_shutdown_closes_them() {
    let (app, mut sockets) = TestApp::spawn_socket_mode(false).await;
    let mut first = connection(&mut sockets).await;
    let mut second = connection(&mut sockets).await;

    first.disconnect("refresh_requested");
    let mut third = connection(&mut sockets).await;
    assert!(first.closed(ACK).await, "the refreshed connection is closed");
    third.envelope("env-help", "slash_commands", &slash(REPORTER, "CGENERAL", "help"), true, 0);
    let ack = third.ack("env-help", ACK).await.expect("the new connection is served");
    assert_eq!(ack["payload"]["response_type"], "ephemeral");

    app.stop().await;
    assert!(second.closed(ACK).await && third.closed(ACK).await, "a graceful shutdown closes every connection");
}
