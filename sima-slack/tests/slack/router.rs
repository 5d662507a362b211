//! The routes end to end: signature, parsing, de-duplication, handler, answer.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sima_core::chat::{Inbound, Reply, NOT_RECORDED};
use sima_core::model::{Block, Message, RichText};
use sima_core::ports::Incidents;
use sima_slack::{router, sign, Secret, SlackState};
use tower::ServiceExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{engine, ephemerals, fixture, interaction_body, now, now_plus, Recorder, SIGNING_SECRET};

fn app(handler: Arc<Recorder>) -> Router {
    Router::new().nest("/slack", router(state(handler)))
}

fn state(handler: Arc<Recorder>) -> SlackState {
    SlackState::new(Secret::new(SIGNING_SECRET), handler)
}

fn signed(uri: &str, body: &str, timestamp: &str) -> Request<Body> {
    let signature = sign(&Secret::new(SIGNING_SECRET), timestamp, body.as_bytes());
    Request::post(uri)
        .header("x-slack-request-timestamp", timestamp)
        .header("x-slack-signature", signature)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn answer() -> Message {
    Message {
        text: "INC-42 is open".into(),
        blocks: vec![Block::Text { text: RichText::new().bold("INC-42").plain(" is open") }],
    }
}

#[tokio::test]
async fn a_signed_command_reaches_the_handler_and_its_answer_is_rendered() {
    let handler = Recorder::replying(Reply::Private(answer()));
    let app = app(handler.clone());

    let (status, body) = send(&app, signed("/slack/commands", &fixture("slash_command.txt"), &now())).await;

    assert_eq!(status, StatusCode::OK);
    let body = json_of(&body);
    assert_eq!(body["response_type"], "ephemeral");
    assert_eq!(body["text"], "INC-42 is open");
    assert_eq!(body["blocks"][0]["text"]["text"], "*INC-42* is open");
    let seen = handler.seen();
    assert!(
        matches!(&seen[..], [Inbound::Command { text, trigger: Some(_), .. }] if text == "status monitoring queue drained")
    );
}

#[tokio::test]
async fn ephemeral_answers_escape_what_people_typed() {
    let typed = "<!channel> <https://evil.test|Join>";
    for reply in [
        Reply::Private(sima_core::testkit::messages::warning(typed)),
        Reply::private_text(format!("could not record {typed}")),
    ] {
        let app = app(Recorder::replying(reply));
        let (_, body) = send(&app, signed("/slack/commands", &fixture("slash_command.txt"), &now())).await;
        assert!(!body.contains("<!channel>") && !body.contains("<https://evil"), "{body}");
        assert!(json_of(&body)["text"].as_str().unwrap().contains("&lt;!channel&gt; &lt;https://evil.test|Join&gt;"));
    }
}

#[tokio::test]
async fn in_channel_and_empty_acknowledgements() {
    let app_in = app(Recorder::replying(Reply::InRoom(answer())));
    let (_, body) = send(&app_in, signed("/slack/commands", &fixture("slash_command.txt"), &now())).await;
    assert_eq!(json_of(&body)["response_type"], "in_channel");

    let app_ack = app(Recorder::replying(Reply::Ack));
    let (status, body) = send(&app_ack, signed("/slack/commands", &fixture("slash_command.txt"), &now())).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
}

#[tokio::test]
async fn unsigned_tampered_and_stale_requests_are_refused() {
    let handler = Recorder::replying(Reply::Ack);
    let app = app(handler.clone());
    let body = fixture("slash_command.txt");

    let unsigned = Request::post("/slack/commands").body(Body::from(body.clone())).unwrap();
    let (status, message) = send(&app, unsigned).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("missing header x-slack-request-timestamp"), "{message}");

    let mut tampered = signed("/slack/commands", &body, &now());
    *tampered.body_mut() = Body::from(body.replace("steve", "mallory"));
    let (status, message) = send(&app, tampered).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("signature mismatch"), "{message}");

    for timestamp in [now_plus(-400), now_plus(400)] {
        let (status, message) = send(&app, signed("/slack/events", &fixture("app_mention.json"), &timestamp)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(message.contains("5 minutes"), "{message}");
    }
    assert!(handler.seen().is_empty());
}

#[tokio::test]
async fn malformed_signed_bodies_are_bad_requests() {
    let handler = Recorder::replying(Reply::Ack);
    let app = app(handler.clone());
    for (uri, body) in [("/slack/commands", "text=hi"), ("/slack/interactions", "payload=%7B"), ("/slack/events", "{")]
    {
        let (status, _) = send(&app, signed(uri, body, &now())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
    }
    assert!(handler.seen().is_empty());
}

#[tokio::test]
async fn invalid_modal_input_is_answered_with_errors_by_block_id() {
    let handler = Recorder::replying(Reply::form_error("domain", "Use lowercase letters, digits and dashes"));
    let app = app(handler.clone());

    let body = interaction_body(&fixture("view_submission.json"));
    let (status, answer) = send(&app, signed("/slack/interactions", &body, &now())).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        json_of(&answer),
        json!({"response_action": "errors", "errors": {"domain": "Use lowercase letters, digits and dashes"}})
    );
    assert!(matches!(&handler.seen()[..], [Inbound::FormSubmitted { values, .. }] if values["severity"] == "sev2"));
}

#[tokio::test]
async fn a_submission_can_clear_or_simply_close() {
    let body = interaction_body(&fixture("view_submission.json"));
    let (_, answer) =
        send(&app(Recorder::replying(Reply::CloseForms)), signed("/slack/interactions", &body, &now())).await;
    assert_eq!(json_of(&answer), json!({"response_action": "clear"}));

    let (status, answer) =
        send(&app(Recorder::replying(Reply::Ack)), signed("/slack/interactions", &body, &now())).await;
    assert_eq!((status, answer.as_str()), (StatusCode::OK, ""));
}

#[tokio::test]
async fn a_button_answer_goes_to_its_response_url_after_the_ack() {
    let hooks = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/actions/T3MDE/123/abc"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&hooks)
        .await;
    let handler = Recorder::replying(Reply::Private(answer()));
    let app = Router::new().nest("/slack", router(state(handler.clone()).with_api_url(&hooks.uri())));
    let payload = fixture("block_actions.json").replace("https://hooks.slack.com", &hooks.uri());

    let (status, body) = send(&app, signed("/slack/interactions", &interaction_body(&payload), &now())).await;

    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    let mut received = Vec::new();
    for _ in 0..100 {
        received = hooks.received_requests().await.unwrap();
        if !received.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let posted: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(posted["response_type"], "ephemeral");
    assert_eq!(posted["replace_original"], false);
    assert_eq!(posted["text"], "INC-42 is open");
    assert!(matches!(&handler.seen()[..], [Inbound::ButtonPressed { .. }]));
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let handler = Recorder::replying(Reply::Ack);
    let (status, body) =
        send(&app(handler.clone()), signed("/slack/events", &fixture("url_verification.json"), &now())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_of(&body)["challenge"], "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    assert!(handler.seen().is_empty());
}

#[tokio::test]
async fn a_retried_event_reaches_the_core_with_its_event_id_and_acts_once() {
    let test = engine();
    let handler = Recorder::around(test.engine.inbound());
    let app = app(handler.clone());
    let body = fixture("app_mention.json");

    let (first, _) = send(&app, signed("/slack/events", &body, &now())).await;
    let mut retry = signed("/slack/events", &body, &now());
    retry.headers_mut().insert("x-slack-retry-num", "1".parse().unwrap());
    retry.headers_mut().insert("x-slack-retry-reason", "http_timeout".parse().unwrap());
    let (second, _) = send(&app, retry).await;
    let (other, _) = send(&app, signed("/slack/events", &fixture("member_joined_channel.json"), &now())).await;

    assert_eq!((first, second, other), (StatusCode::OK, StatusCode::OK, StatusCode::OK));
    let keys = handler.keys();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys[0].as_deref().is_some_and(|k| k.starts_with("slack:event:Ev")), "{keys:?}");
    assert_eq!(keys[0], keys[1], "the retry carries the same key");
    assert_ne!(keys[0], keys[2]);
    assert_eq!(ephemerals(&test), 1, "the mention is answered once");
}

#[tokio::test]
async fn unknown_events_are_acknowledged_and_ignored() {
    let handler = Recorder::replying(Reply::Ack);
    let app = app(handler.clone());
    for name in ["reaction_added.json", "app_rate_limited.json"] {
        let (status, body) = send(&app, signed("/slack/events", &fixture(name), &now())).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, ""), "{name}");
    }
    assert!(handler.seen().is_empty());
}

#[tokio::test]
async fn an_event_the_core_could_not_record_is_left_for_slack_to_retry() {
    let handler = Recorder::replying(Reply::Retry);
    let (status, _) = send(&app(handler.clone()), signed("/slack/events", &fixture("app_mention.json"), &now())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(handler.seen().len(), 1);
}

#[tokio::test]
async fn nothing_recorded_is_still_answered_to_commands_and_forms() {
    let handler = Recorder::answering(|inbound| match inbound {
        Inbound::FormSubmitted { .. } => Reply::form_error("summary", NOT_RECORDED),
        _ => Reply::not_recorded(),
    });
    let app = app(handler.clone());

    let (status, body) = send(&app, signed("/slack/commands", &fixture("slash_command.txt"), &now())).await;
    assert_eq!(status, StatusCode::OK, "Slack gets its acknowledgement");
    let body = json_of(&body);
    assert_eq!(body["response_type"], "ephemeral");
    assert!(body["text"].as_str().unwrap().contains(NOT_RECORDED), "{body}");

    let submission = interaction_body(&fixture("view_submission.json"));
    let (status, body) = send(&app, signed("/slack/interactions", &submission, &now())).await;
    assert_eq!(status, StatusCode::OK);
    let body = json_of(&body);
    assert_eq!(body["response_action"], "errors", "the form stays open: {body}");
    assert_eq!(body["errors"]["summary"], NOT_RECORDED);
}

#[tokio::test]
async fn response_urls_outside_slack_are_never_called() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&elsewhere).await;
    let slack_api = MockServer::start().await;
    let handler = Recorder::replying(Reply::Private(answer()));
    let app = Router::new().nest("/slack", router(state(handler.clone()).with_api_url(&slack_api.uri())));
    let payload = fixture("block_actions.json").replace("https://hooks.slack.com", &elsewhere.uri());

    let (status, _) = send(&app, signed("/slack/interactions", &interaction_body(&payload), &now())).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(handler.seen().len(), 1, "the press itself is handled");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(elsewhere.received_requests().await.unwrap().is_empty(), "no request left for another host");

    let allowed = state(handler).with_api_url("http://127.0.0.1:9/api");
    assert!(allowed.allows_response_url("https://hooks.slack.com/actions/T1/2/x"));
    assert!(allowed.allows_response_url("http://127.0.0.1:9/actions/T1/2/x"));
    for refused in [
        "http://hooks.slack.com/actions/T1/2/x",
        "https://hooks.slack.com.evil.example/x",
        "https://hooks.slack.com:8443/x",
        "http://127.0.0.1:10/x",
        "http://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
        "not a url",
    ] {
        assert!(!allowed.allows_response_url(refused), "{refused}");
    }
}

#[tokio::test]
async fn a_replayed_command_or_interaction_acts_once() {
    let test = engine();
    let handler = Recorder::around(test.engine.inbound());
    let app = app(handler.clone());
    let command = fixture("slash_command.txt");
    let submission = interaction_body(&fixture("view_submission.json"));
    let signed_at = now();
    let mut answers = Vec::new();
    for _ in 0..3 {
        let (status, body) = send(&app, signed("/slack/commands", &command, &signed_at)).await;
        assert_eq!(status, StatusCode::OK);
        answers.push(body);
        let (status, _) = send(&app, signed("/slack/interactions", &submission, &signed_at)).await;
        assert_eq!(status, StatusCode::OK);
    }
    assert!(answers[0].contains("incident room"), "the first is answered: {}", answers[0]);
    assert_eq!(answers[1..], ["", ""], "replays are acknowledged and ignored");
    assert_eq!(test.store.list(&Default::default()).await.unwrap().len(), 1, "the declare form declared once");
    let keys = handler.keys();
    assert!(keys[0].as_deref().is_some_and(|k| k.starts_with("slack:request:v0=")), "{keys:?}");

    // Signed at another moment, the same command is a new request.
    let (status, body) = send(&app, signed("/slack/commands", &command, &now_plus(2))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("incident room"), "{body}");
}

#[tokio::test]
async fn an_event_whose_handling_failed_asks_slack_to_retry_and_the_retry_carries_its_key() {
    let failing = Recorder::answering(|_| Reply::Retry);
    let body = fixture("member_joined_channel.json");
    let (status, _) = send(&app(failing.clone()), signed("/slack/events", &body, &now())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "Slack is asked to retry");

    let working = Recorder::replying(Reply::Ack);
    let (status, _) = send(&app(working.clone()), signed("/slack/events", &body, &now())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(failing.keys(), working.keys(), "the core knows the redelivery by its key");
}

#[tokio::test]
async fn the_core_is_handed_neutral_events() {
    use std::collections::BTreeMap;

    use sima_core::domain::{RoomId, UserRef};
    use sima_core::model::{ActionId, FormId, FormTrigger};

    let user = |id: &str| UserRef::parse(id).unwrap();
    let handler = Recorder::replying(Reply::Ack);
    let app = app(handler.clone());
    for (uri, body) in [
        ("/slack/commands", fixture("slash_command.txt")),
        ("/slack/interactions", interaction_body(&fixture("block_actions.json"))),
        ("/slack/interactions", interaction_body(&fixture("view_submission.json"))),
        ("/slack/interactions", interaction_body(&fixture("view_closed.json"))),
        ("/slack/events", fixture("member_joined_channel.json")),
        ("/slack/events", fixture("app_mention.json")),
    ] {
        let (status, _) = send(&app, signed(uri, &body, &now())).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }

    let values = BTreeMap::from([
        ("domain".to_owned(), "outbound-email".to_owned()),
        ("summary".to_owned(), "Emails are late".to_owned()),
        ("severity".to_owned(), "sev2".to_owned()),
        ("impact".to_owned(), "120".to_owned()),
    ]);
    assert_eq!(
        handler.seen(),
        vec![
            Inbound::Command {
                room: RoomId::new("C2147483705"),
                user: user("U2147483697"),
                text: "status monitoring queue drained".into(),
                trigger: Some(FormTrigger("13345224609.738474920.8088930838d88f008e0".into())),
            },
            Inbound::ButtonPressed {
                action: ActionId::BecomeIncidentManager,
                value: Some("0190a6c2-8a7e-7bb1-9c2e-3f1f2b9d6a11".into()),
                room: Some(RoomId::new("C0INCIDENT")),
                user: user("U0CA5"),
                trigger: Some(FormTrigger("12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3".into())),
            },
            Inbound::FormSubmitted {
                form: FormId::DeclareIncident,
                values,
                metadata: Some("C2147483705".into()),
                user: user("U0CA5"),
            },
            Inbound::FormClosed {
                form: FormId::EditIncident,
                metadata: Some("0190a6c2-8a7e-7bb1-9c2e-3f1f2b9d6a11".into()),
                user: user("U0CA5"),
            },
            Inbound::Joined { room: RoomId::new("C0INCIDENT"), user: user("W06GH7XHN") },
            Inbound::Mention { room: RoomId::new("C0INCIDENT"), user: user("U061F7AUR"), text: "help".into() },
        ]
    );
}

#[tokio::test]
async fn without_a_signing_secret_every_route_refuses() {
    let handler = Recorder::replying(Reply::Ack);
    let state = SlackState::unsigned(handler.clone());
    let app = Router::new().nest("/slack", router(state));
    for (uri, body) in [
        ("/slack/commands", fixture("slash_command.txt")),
        ("/slack/interactions", interaction_body(&fixture("block_actions.json"))),
        ("/slack/events", fixture("member_joined_channel.json")),
    ] {
        let (status, message) = send(&app, signed(uri, &body, &now())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        assert!(message.contains("no signing secret"), "{message}");
    }
    assert!(handler.seen().is_empty());
}
