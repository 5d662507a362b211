//! Every Web API method: the request Slack receives and the errors it maps.

use std::time::Duration;

use serde_json::json;
use sima_core::domain::{MessageRef, RoomId, UserRef};
use sima_core::model::{ActionId, ActionStyle, Block, Form, FormId, FormTrigger, Message};
use sima_core::ports::{ChatPort, PortError};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{bodies, chat, fixture_json, TOKEN};

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn failed(code: &str) -> ResponseTemplate {
    ok(json!({ "ok": false, "error": code }))
}

fn card() -> Message {
    Message {
        text: "INC-42 declared: Emails are late".into(),
        blocks: vec![
            Block::Header { text: "INC-42 Emails are late".into() },
            Block::Actions { actions: vec![ActionId::UpdateStatus.button(ActionStyle::Primary, Some("id-42".into()))] },
        ],
    }
}

fn message_ref() -> MessageRef {
    MessageRef { room: RoomId::new("C0INCIDENT"), ts: "1700000200.000300".into() }
}

async fn answering(method_name: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(format!("/{method_name}"))).respond_with(response).mount(&server).await;
    server
}

#[tokio::test]
async fn post_sends_blocks_fallback_text_and_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json; charset=utf-8"))
        .respond_with(ok(fixture_json("chat_postMessage.json")))
        .expect(1)
        .mount(&server)
        .await;

    let posted = chat(&server).post(&RoomId::new("C0INCIDENT"), &card()).await.unwrap();

    assert_eq!(posted, message_ref());
    let body = &bodies(&server, "chat.postMessage").await[0];
    assert_eq!(body["channel"], "C0INCIDENT");
    assert_eq!(body["text"], "INC-42 declared: Emails are late");
    assert_eq!(body["blocks"][0]["type"], "header");
    assert_eq!(body["blocks"][0]["text"]["text"], "INC-42 Emails are late");
    assert_eq!(body["blocks"][1]["elements"][0]["action_id"], "update_status");
    assert_eq!(body["blocks"][1]["elements"][0]["value"], "id-42");
    assert!(body.get("thread_ts").is_none());
}

#[tokio::test]
async fn reply_posts_in_the_parent_thread() {
    let server = answering("chat.postMessage", ok(fixture_json("chat_postMessage.json"))).await;
    let parent = MessageRef { room: RoomId::new("C0BROADCAST"), ts: "1690000000.000001".into() };

    chat(&server).reply(&parent, &card()).await.unwrap();

    let body = &bodies(&server, "chat.postMessage").await[0];
    assert_eq!(body["channel"], "C0BROADCAST");
    assert_eq!(body["thread_ts"], "1690000000.000001");
}

#[tokio::test]
async fn update_replaces_the_message_by_channel_and_ts() {
    let server =
        answering("chat.update", ok(json!({"ok": true, "channel": "C0INCIDENT", "ts": "1700000200.000300"}))).await;

    chat(&server).update(&message_ref(), &card()).await.unwrap();

    let body = &bodies(&server, "chat.update").await[0];
    assert_eq!(body["channel"], "C0INCIDENT");
    assert_eq!(body["ts"], "1700000200.000300");
    assert_eq!(body["blocks"][0]["type"], "header");
    assert_eq!(body["text"], "INC-42 declared: Emails are late");
}

#[tokio::test]
async fn update_of_a_deleted_message_is_not_found() {
    let server = answering("chat.update", failed("message_not_found")).await;
    let error = chat(&server).update(&message_ref(), &card()).await.unwrap_err();
    assert!(matches!(error, PortError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn pin_adds_by_timestamp() {
    let server = answering("pins.add", ok(json!({"ok": true}))).await;
    chat(&server).pin(&message_ref()).await.unwrap();
    let body = &bodies(&server, "pins.add").await[0];
    assert_eq!(body, &json!({"channel": "C0INCIDENT", "timestamp": "1700000200.000300"}));
}

#[tokio::test]
async fn pin_already_pinned_is_success_and_missing_channel_is_not_found() {
    let server = answering("pins.add", failed("already_pinned")).await;
    chat(&server).pin(&message_ref()).await.unwrap();

    let server = answering("pins.add", failed("channel_not_found")).await;
    let error = chat(&server).pin(&message_ref()).await.unwrap_err();
    assert!(matches!(error, PortError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn archive_sends_the_channel_and_already_archived_counts_as_done() {
    let server = answering("conversations.archive", ok(json!({"ok": true}))).await;
    chat(&server).archive(&RoomId::new("C0INCIDENT")).await.unwrap();
    let body = &bodies(&server, "conversations.archive").await[0];
    assert_eq!(body, &json!({"channel": "C0INCIDENT"}));

    let server = answering("conversations.archive", failed("already_archived")).await;
    chat(&server).archive(&RoomId::new("C0INCIDENT")).await.unwrap();

    let server = answering("conversations.archive", failed("channel_not_found")).await;
    let error = chat(&server).archive(&RoomId::new("C0INCIDENT")).await.unwrap_err();
    assert!(matches!(error, PortError::NotFound(_)), "{error:?}");

    let server = answering("conversations.archive", failed("missing_scope")).await;
    let error = chat(&server).archive(&RoomId::new("C0INCIDENT")).await.unwrap_err();
    assert!(matches!(error, PortError::Unauthorized(_)), "{error:?}");

    let server = answering("conversations.archive", failed("cant_archive_general")).await;
    let error = chat(&server).archive(&RoomId::new("C0INCIDENT")).await.unwrap_err();
    assert!(matches!(error, PortError::Invalid(_)), "{error:?}");
}

#[tokio::test]
async fn invite_sends_comma_separated_users_and_tolerates_members() {
    let server = answering("conversations.invite", ok(fixture_json("conversations_create.json"))).await;
    let users = [UserRef::parse("U1").unwrap(), UserRef::parse("U2").unwrap()];
    chat(&server).invite(&RoomId::new("C0NEWROOM"), &users).await.unwrap();
    let body = &bodies(&server, "conversations.invite").await[0];
    assert_eq!(body, &json!({"channel": "C0NEWROOM", "users": "U1,U2", "force": true}));

    let server = answering("conversations.invite", failed("already_in_channel")).await;
    chat(&server).invite(&RoomId::new("C0NEWROOM"), &users[..1]).await.unwrap();

    let server = answering("conversations.invite", failed("user_not_found")).await;
    let error = chat(&server).invite(&RoomId::new("C0NEWROOM"), &users[..1]).await.unwrap_err();
    assert!(matches!(error, PortError::Invalid(_)), "{error:?}");
}

#[tokio::test]
async fn invite_of_nobody_calls_nothing() {
    let server = MockServer::start().await;
    chat(&server).invite(&RoomId::new("C0NEWROOM"), &[]).await.unwrap();
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn post_ephemeral_targets_one_user() {
    let server = answering("chat.postEphemeral", ok(json!({"ok": true, "message_ts": "1700000300.000400"}))).await;
    let user = UserRef::parse("U0CA5").unwrap();
    chat(&server).post_ephemeral(&RoomId::new("C0INCIDENT"), &user, &card()).await.unwrap();
    let body = &bodies(&server, "chat.postEphemeral").await[0];
    assert_eq!(body["channel"], "C0INCIDENT");
    assert_eq!(body["user"], "U0CA5");
    assert_eq!(body["blocks"][0]["type"], "header");
}

fn form() -> Form {
    Form {
        id: FormId::DeclareIncident,
        title: "Declare an incident".into(),
        submit: "Declare".into(),
        inputs: vec![],
        metadata: Some("C0INCIDENT".into()),
    }
}

#[tokio::test]
async fn open_form_sends_the_trigger_and_the_modal() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/views.open"))
        .and(body_partial_json(json!({"trigger_id": "123.456.abc", "view": {"callback_id": "declare_incident"}})))
        .respond_with(ok(json!({"ok": true, "view": {"id": "V1"}})))
        .expect(1)
        .mount(&server)
        .await;
    chat(&server).open_form(&FormTrigger("123.456.abc".into()), &form()).await.unwrap();
    let body = &bodies(&server, "views.open").await[0];
    assert_eq!(body["view"]["type"], "modal");
    assert_eq!(body["view"]["private_metadata"], "C0INCIDENT");
}

#[tokio::test]
async fn open_form_with_an_expired_trigger_is_invalid() {
    for code in ["expired_trigger_id", "invalid_trigger_id"] {
        let server = answering("views.open", failed(code)).await;
        let error = chat(&server).open_form(&FormTrigger("old".into()), &form()).await.unwrap_err();
        assert!(matches!(error, PortError::Invalid(_)), "{code}: {error:?}");
    }
}

#[tokio::test]
async fn auth_failures_are_unauthorized() {
    for code in ["not_authed", "invalid_auth", "token_revoked"] {
        let server = answering("chat.postMessage", failed(code)).await;
        let error = chat(&server).post(&RoomId::new("C1"), &card()).await.unwrap_err();
        assert!(matches!(error, PortError::Unauthorized(_)), "{code}: {error:?}");
        assert!(!format!("{error:?} {error}").contains(TOKEN));
    }
}

#[tokio::test]
async fn refused_content_is_invalid_and_missing_channels_not_found() {
    let cases = [
        ("invalid_blocks", "invalid"),
        ("invalid_arguments", "invalid"),
        ("msg_too_long", "invalid"),
        ("channel_not_found", "not_found"),
        ("not_in_channel", "not_found"),
        ("is_archived", "not_found"),
    ];
    for (code, expected) in cases {
        let server = answering("chat.postMessage", failed(code)).await;
        let error = chat(&server).post(&RoomId::new("C1"), &card()).await.unwrap_err();
        let got = match error {
            PortError::Invalid(_) => "invalid",
            PortError::NotFound(_) => "not_found",
            _ => "other",
        };
        assert_eq!(got, expected, "{code}");
    }
}

#[tokio::test]
async fn server_errors_and_timeouts_are_transient_and_not_retried() {
    for status in [500, 502, 503] {
        let server = MockServer::start().await;
        Mock::given(path("/chat.postMessage"))
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let error = chat(&server).post(&RoomId::new("C1"), &card()).await.unwrap_err();
        assert!(matches!(error, PortError::Transient(_)), "{status}: {error:?}");
    }

    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(ok(fixture_json("chat_postMessage.json")).set_delay(Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    let error = chat(&server).post(&RoomId::new("C1"), &card()).await.unwrap_err();
    assert!(matches!(error, PortError::Transient(ref m) if m.contains("timed out")), "{error:?}");
}

#[tokio::test]
async fn http_error_statuses_map_through_the_shared_table_and_are_not_retried() {
    for (status, expected) in [
        (400, PortError::Invalid(String::new())),
        (401, PortError::Unauthorized(String::new())),
        (403, PortError::Unauthorized(String::new())),
        (404, PortError::NotFound(String::new())),
        (409, PortError::Conflict(String::new())),
        (410, PortError::NotFound(String::new())),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/chat.postMessage"))
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let error = chat(&server).post(&RoomId::new("C1"), &card()).await.unwrap_err();
        assert_eq!(std::mem::discriminant(&error), std::mem::discriminant(&expected), "{status}: {error:?}");
        assert!(error.to_string().contains(&format!("HTTP {status}")), "{error}");
    }
}

#[tokio::test]
async fn an_unreachable_slack_is_transient() {
    let server = MockServer::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = crate::helpers::config(&server).with_api_url(format!("http://127.0.0.1:{port}"));
    let chat = sima_slack::SlackChat::new(config).unwrap();
    let error = chat.post(&RoomId::new("C1"), &card()).await.unwrap_err();
    assert!(error.is_retryable(), "{error:?}");
}

#[tokio::test]
async fn the_token_never_shows_in_debug_output() {
    let server = MockServer::start().await;
    let config = crate::helpers::config(&server);
    let shown = format!("{:?} {:?}", chat(&server), config);
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(!shown.contains(crate::helpers::SIGNING_SECRET), "{shown}");
}
