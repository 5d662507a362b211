//! Socket Mode against a local server that behaves like Slack's: two
//! connections, envelopes of the three kinds and their acknowledgements,
//! `disconnect`, dropped connections, redeliveries, shutdown.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};
use sima_core::chat::{Inbound, InboundHandler, Reply};
use sima_core::model::{Block, Message, RichText};
use sima_slack::socket::testing::{SocketPeer, SocketServer};
use sima_slack::{Secret, SlackState, SocketConfig, SocketMode};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{engine, ephemerals, fixture, fixture_json, Recorder};

const APP_TOKEN: &str = "xapp-1-A0SIMA-1234-0123456789abcdef";
const WAIT: Duration = Duration::from_secs(2);

/// A running Socket Mode client, the fake Slack it talks to, and its handler.
struct Running {
    slack: MockServer,
    sockets: SocketServer,
    handler: Arc<Recorder>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    async fn start(reply: Reply) -> Self {
        Self::start_on(SocketServer::start().await.unwrap(), Recorder::replying(reply)).await
    }

    /// Starts against `sockets`, with the fake Web API answering its URL.
    async fn start_on(sockets: SocketServer, handler: Arc<Recorder>) -> Self {
        let slack = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/apps.connections.open"))
            .and(header("authorization", format!("Bearer {APP_TOKEN}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "url": sockets.url() })))
            .mount(&slack)
            .await;
        Self::start_with(slack, sockets, handler).await
    }

    async fn start_against(slack: MockServer, sockets: SocketServer, reply: Reply) -> Self {
        Self::start_with(slack, sockets, Recorder::replying(reply)).await
    }

    /// Starts against these fakes, handing requests to `handler`.
    async fn start_with(slack: MockServer, sockets: SocketServer, handler: Arc<Recorder>) -> Self {
        let state = SlackState::unsigned(handler.clone() as Arc<dyn InboundHandler>);
        let mut config = SocketConfig::new(Secret::new(APP_TOKEN)).unwrap().with_api_url(slack.uri());
        config.min_backoff = Duration::from_millis(10);
        config.max_backoff = Duration::from_millis(100);
        config.hello_timeout = Duration::from_millis(300);
        let socket_mode = SocketMode::new(config, state).unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(socket_mode.run(async move {
            let _ = stopped.await;
        }));
        Self { slack, sockets, handler, stop: Some(stop), task }
    }

    async fn connection(&mut self) -> SocketPeer {
        self.sockets.next_connection(WAIT).await.expect("SIMA opens a connection")
    }

    /// Waits (at most 2 s) until the handler has seen `n` events.
    async fn seen(&self, n: usize) -> Vec<Inbound> {
        for _ in 0..100 {
            if self.handler.seen().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.handler.seen()
    }

    /// Shuts down and asserts the client stops within 2 s.
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(WAIT, self.task).await.expect("Socket Mode stops within 2 s").unwrap();
    }
}

fn answer() -> Message {
    Message {
        text: "INC-42 is open".into(),
        blocks: vec![Block::Text { text: RichText::new().bold("INC-42").plain(" is open") }],
    }
}

/// The slash command fixture as Socket Mode carries it: the form's fields as JSON.
fn slash_command_payload() -> Value {
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(&fixture("slash_command.txt")).unwrap();
    Value::Object(fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect::<Map<_, _>>())
}

#[tokio::test]
async fn two_connections_are_opened_with_the_app_token_and_pings_are_answered() {
    let mut running = Running::start(Reply::Ack).await;
    let first = running.connection().await;
    let second = running.connection().await;

    let opened = running.slack.received_requests().await.unwrap();
    assert_eq!(opened.len(), 2, "one apps.connections.open per connection");
    assert!(opened.iter().all(|r| r.headers["authorization"] == format!("Bearer {APP_TOKEN}").as_str()));
    first.ping();
    second.ping();
    for _ in 0..100 {
        if first.pongs() == 1 && second.pongs() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!((first.pongs(), second.pongs()), (1, 1), "every ping gets its pong");
    assert_eq!(running.sockets.accepted(), 2, "two connections, no more");
    running.stop().await;
}

#[tokio::test]
async fn a_slash_command_is_acknowledged_with_the_reply_the_route_would_give() {
    let mut running = Running::start(Reply::Private(answer())).await;
    let mut peer = running.connection().await;

    peer.envelope("env-cmd-1", "slash_commands", &slash_command_payload(), true, 0);

    let ack = peer.ack("env-cmd-1", WAIT).await.expect("the command is acknowledged");
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    assert_eq!(ack["payload"]["text"], "INC-42 is open");
    assert_eq!(ack["payload"]["blocks"][0]["text"]["text"], "*INC-42* is open");
    assert!(matches!(
        &running.seen(1).await[..],
        [Inbound::Command { text, trigger: Some(_), .. }] if text == "status monitoring queue drained"
    ));
    running.stop().await;
}

#[tokio::test]
async fn a_modal_answer_rides_on_the_acknowledgement_and_a_button_press_is_handled() {
    let errors = Reply::form_error("domain", "Use lowercase letters, digits and dashes");
    let mut running = Running::start(errors).await;
    let mut peer = running.connection().await;

    peer.envelope("env-view-1", "interactive", &fixture_json("view_submission.json"), true, 0);
    let ack = peer.ack("env-view-1", WAIT).await.expect("the submission is acknowledged");
    assert_eq!(
        ack,
        json!({
            "envelope_id": "env-view-1",
            "payload": { "response_action": "errors", "errors": { "domain": "Use lowercase letters, digits and dashes" } }
        })
    );

    peer.envelope("env-button-1", "interactive", &fixture_json("block_actions.json"), false, 0);
    let ack = peer.ack("env-button-1", WAIT).await.expect("the press is acknowledged");
    assert_eq!(ack, json!({ "envelope_id": "env-button-1" }), "no payload where Slack accepts none");
    let seen = running.seen(2).await;
    assert!(matches!(&seen[0], Inbound::FormSubmitted { values, .. } if values["severity"] == "sev2"), "{seen:?}");
    assert!(matches!(&seen[1], Inbound::ButtonPressed { value: Some(v), .. } if v.starts_with("0190a6c2")));
    running.stop().await;
}

#[tokio::test]
async fn an_event_redelivered_on_the_other_connection_acts_once() {
    let test = engine();
    let mut running =
        Running::start_on(SocketServer::start().await.unwrap(), Recorder::around(test.engine.inbound())).await;
    let mut first = running.connection().await;
    let mut second = running.connection().await;
    let mention = fixture_json("app_mention.json");

    first.envelope("env-ev-1", "events_api", &mention, false, 0);
    assert_eq!(first.ack("env-ev-1", WAIT).await, Some(json!({ "envelope_id": "env-ev-1" })));
    second.envelope("env-ev-2", "events_api", &mention, false, 1);
    assert_eq!(second.ack("env-ev-2", WAIT).await, Some(json!({ "envelope_id": "env-ev-2" })));

    let seen = running.seen(2).await;
    assert!(matches!(&seen[..], [Inbound::Mention { .. }, Inbound::Mention { .. }]), "{seen:?}");
    let keys = running.handler.keys();
    assert_eq!(keys[0], keys[1], "both envelopes carry the event's key, not their own");
    assert_eq!(ephemerals(&test), 1, "the core answered the mention once");
    running.stop().await;
}

#[tokio::test]
async fn refresh_requested_replaces_the_connection_and_the_other_keeps_receiving() {
    let mut running = Running::start(Reply::Private(answer())).await;
    let mut first = running.connection().await;
    let mut second = running.connection().await;

    first.disconnect("refresh_requested");
    // While the first is replaced, the second still answers.
    second.envelope("env-during", "slash_commands", &slash_command_payload(), true, 0);
    assert!(second.ack("env-during", WAIT).await.is_some());
    let mut third = running.connection().await;
    assert!(first.closed(WAIT).await, "SIMA closes the connection Slack asked to refresh");
    third.envelope("env-after", "slash_commands", &slash_command_payload(), true, 0);
    let ack = third.ack("env-after", WAIT).await.expect("the new connection answers");
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    assert_eq!(running.seen(2).await.len(), 2);
    assert_eq!(running.sockets.accepted(), 3);
    running.stop().await;
}

#[tokio::test]
async fn a_dropped_connection_is_replaced_and_the_redelivered_event_acts_once() {
    let test = engine();
    let mut running =
        Running::start_on(SocketServer::start().await.unwrap(), Recorder::around(test.engine.inbound())).await;
    let first = running.connection().await;
    let mut second = running.connection().await;
    let mention = fixture_json("app_mention.json");

    // Handled, then the connection fails before Slack reads the acknowledgement.
    first.envelope("env-lost", "events_api", &mention, false, 0);
    assert_eq!(running.seen(1).await.len(), 1);
    first.drop_connection();
    second.envelope("env-retry", "events_api", &mention, false, 1);
    assert_eq!(second.ack("env-retry", WAIT).await, Some(json!({ "envelope_id": "env-retry" })));
    let mut third = running.connection().await;
    let joined = fixture_json("member_joined_channel.json");
    third.envelope("env-next", "events_api", &joined, false, 0);
    assert!(third.ack("env-next", WAIT).await.is_some(), "the replacement receives");

    let seen = running.seen(3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let seen_later = running.handler.seen();
    assert_eq!(seen, seen_later, "nothing arrives late");
    assert_eq!(seen.len(), 3, "the mention, its redelivery, then the join: {seen:?}");
    assert!(matches!(seen[1], Inbound::Mention { .. }) && matches!(seen[2], Inbound::Joined { .. }));
    assert_eq!(ephemerals(&test), 1, "the redelivered mention acted once");
    running.stop().await;
}

#[tokio::test]
async fn malformed_envelopes_are_acknowledged_and_the_connection_goes_on() {
    let mut running = Running::start(Reply::Private(answer())).await;
    let mut peer = running.connection().await;

    peer.send_text("this is not JSON");
    peer.envelope("env-bad-1", "slash_commands", &json!({ "text": "no user, no channel" }), true, 0);
    peer.envelope("env-bad-2", "interactive", &json!({ "type": "view_submission" }), true, 0);
    peer.send(&json!({ "envelope_id": "env-bad-3", "type": "some_future_type", "payload": {} }));
    // Acknowledgements come in any order: unreadable types at once, the others once parsed.
    let mut acks = Vec::new();
    while acks.len() < 3 {
        acks.push(peer.next_message(WAIT).await.expect("every envelope is acknowledged"));
    }
    acks.sort_by_key(|ack| ack["envelope_id"].as_str().map(str::to_owned));
    let expected: Vec<Value> = ["env-bad-1", "env-bad-2", "env-bad-3"].map(|id| json!({ "envelope_id": id })).into();
    assert_eq!(acks, expected);
    peer.envelope("env-good", "slash_commands", &slash_command_payload(), true, 0);
    assert!(peer.ack("env-good", WAIT).await.expect("still served")["payload"].is_object());
    assert_eq!(running.seen(1).await.len(), 1, "only the valid command reached the handler");
    assert_eq!(running.sockets.accepted(), 2, "no reconnection");
    running.stop().await;
}

#[tokio::test]
async fn an_event_that_failed_is_not_acknowledged_so_slack_delivers_it_again() {
    let mut running = Running::start(Reply::Retry).await;
    let mut peer = running.connection().await;
    peer.envelope("env-fail", "events_api", &fixture_json("member_joined_channel.json"), false, 0);
    assert_eq!(peer.ack("env-fail", Duration::from_millis(300)).await, None);
    peer.envelope("env-fail-retry", "events_api", &fixture_json("member_joined_channel.json"), false, 1);
    assert_eq!(running.seen(2).await.len(), 2, "the redelivery reaches the core again");
    running.stop().await;
}

#[tokio::test]
async fn link_disabled_stops_reconnecting() {
    let mut running = Running::start(Reply::Ack).await;
    let first = running.connection().await;
    let second = running.connection().await;
    first.disconnect("link_disabled");
    second.disconnect("link_disabled");

    let Running { sockets, task, .. } = running;
    tokio::time::timeout(WAIT, task).await.expect("Socket Mode gives up at once").unwrap();
    assert_eq!(sockets.accepted(), 2, "no new connection after link_disabled");
}

#[tokio::test]
async fn a_refused_token_stops_and_a_rate_limit_is_waited_out() {
    let refusing = MockServer::start().await;
    Mock::given(path("/apps.connections.open"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": false, "error": "invalid_auth" })))
        .mount(&refusing)
        .await;
    let running = Running::start_against(refusing, SocketServer::start().await.unwrap(), Reply::Ack).await;
    tokio::time::timeout(WAIT, running.task).await.expect("a refused token stops Socket Mode").unwrap();
    assert_eq!(running.slack.received_requests().await.unwrap().len(), 2, "one try per connection");

    let limited = MockServer::start().await;
    let sockets = SocketServer::start().await.unwrap();
    Mock::given(path("/apps.connections.open"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&limited)
        .await;
    Mock::given(path("/apps.connections.open"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "url": sockets.url() })))
        .mount(&limited)
        .await;
    let mut running = Running::start_against(limited, sockets, Reply::Ack).await;
    running.connection().await;
    running.connection().await;
    assert_eq!(running.slack.received_requests().await.unwrap().len(), 4, "two refused, two answered");
    running.stop().await;
}

#[tokio::test]
async fn shutdown_acknowledges_and_closes_every_connection() {
    let mut running = Running::start(Reply::Ack).await;
    let mut first = running.connection().await;
    let mut second = running.connection().await;
    running.stop().await;
    assert!(first.closed(WAIT).await && second.closed(WAIT).await, "both connections are closed");
}

#[tokio::test]
async fn a_connection_that_never_says_hello_is_replaced() {
    let mut running =
        Running::start_on(SocketServer::start_with(false).await.unwrap(), Recorder::replying(Reply::Ack)).await;
    let mut silent = running.connection().await;
    running.connection().await;
    assert!(silent.closed(WAIT).await, "SIMA gives up on a connection without hello");
    running.connection().await;
    assert!(running.sockets.accepted() >= 3);
    running.stop().await;
}

#[tokio::test]
async fn when_nothing_could_be_recorded_a_command_is_told_and_an_event_is_left_for_redelivery() {
    // What the core answers while its store is down.
    let handler = Recorder::answering(|inbound| match inbound {
        Inbound::Joined { .. } | Inbound::Mention { .. } => Reply::Retry,
        _ => Reply::not_recorded(),
    });
    let mut running = Running::start_on(SocketServer::start().await.unwrap(), handler).await;
    let mut peer = running.connection().await;
    peer.envelope("env-cmd-down", "slash_commands", &slash_command_payload(), true, 0);
    peer.envelope("env-ev-down", "events_api", &fixture_json("member_joined_channel.json"), false, 0);
    let ack = peer.ack("env-cmd-down", WAIT).await.expect("the command is acknowledged");
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    let text = ack["payload"]["text"].as_str().unwrap_or_default();
    assert!(text.contains("could not record this yet"), "{ack}");
    assert_eq!(peer.next_message(Duration::from_millis(300)).await, None, "the event is not acknowledged");
    running.stop().await;
}
