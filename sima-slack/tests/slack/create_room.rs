//! `create_room`: legal names, suffixes on collision, and finding the room an
//! earlier unrecorded call created.

use serde_json::json;
use sima_core::ports::{ChatPort, PortError, RoomSpec};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{bodies, calls, chat, eventual_bodies, fixture_json};

const KEY: &str = "0190a6c2-8a7e-7bb1-9c2e-3f1f2b9d6a11";

fn spec(hint: &str) -> RoomSpec {
    RoomSpec { name_hint: hint.into(), topic: "INC-42 Emails are late · open".into(), key: KEY.into(), private: false }
}

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn channel(id: &str, name: &str, purpose: &str) -> serde_json::Value {
    json!({ "id": id, "name": name, "is_channel": true, "is_archived": false, "purpose": { "value": purpose, "creator": "U0BOT", "last_set": 1 } })
}

async fn labels_succeed(server: &MockServer) {
    for m in ["conversations.setTopic", "conversations.setPurpose"] {
        Mock::given(path(format!("/{m}"))).respond_with(ok(json!({"ok": true}))).mount(server).await;
    }
}

async fn name_taken(server: &MockServer, name: &str) {
    Mock::given(path("/conversations.create"))
        .and(body_partial_json(json!({ "name": name })))
        .respond_with(ok(json!({"ok": false, "error": "name_taken"})))
        .mount(server)
        .await;
}

async fn created(server: &MockServer, name: &str, id: &str) {
    Mock::given(path("/conversations.create"))
        .and(body_partial_json(json!({ "name": name })))
        .respond_with(ok(json!({"ok": true, "channel": channel(id, name, "")})))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn creates_a_legal_public_channel_with_topic_and_purpose() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/conversations.create"))
        .respond_with(ok(fixture_json("conversations_create.json")))
        .expect(1)
        .mount(&server)
        .await;
    labels_succeed(&server).await;

    let room = chat(&server).create_room(&spec("incident_11_25_Emails are LATE!")).await.unwrap();

    assert_eq!(room.id.as_str(), "C0NEWROOM");
    assert_eq!(room.name, "incident_11_25_emails-are-late");
    assert_eq!(room.url, "https://slack.com/app_redirect?channel=C0NEWROOM");
    assert_eq!(
        bodies(&server, "conversations.create").await[0],
        json!({"name": "incident_11_25_emails-are-late", "is_private": false})
    );
    let purpose = &eventual_bodies(&server, "conversations.setPurpose").await[0];
    assert_eq!(purpose["channel"], "C0NEWROOM");
    assert!(purpose["purpose"].as_str().unwrap().contains(KEY));
    let topic = &eventual_bodies(&server, "conversations.setTopic").await[0];
    assert_eq!(topic, &json!({"channel": "C0NEWROOM", "topic": "INC-42 Emails are late · open"}));
}

#[tokio::test]
async fn a_taken_name_owned_by_another_incident_gets_a_suffix() {
    let server = MockServer::start().await;
    name_taken(&server, "incident_11_25_emails").await;
    name_taken(&server, "incident_11_25_emails-2").await;
    created(&server, "incident_11_25_emails-3", "C0THIRD").await;
    Mock::given(path("/conversations.list"))
        .respond_with(ok(json!({"ok": true, "channels": [
            channel("C0OLD1", "incident_11_25_emails", "SIMA incident room. Key: another-incident"),
            channel("C0OLD2", "incident_11_25_emails-2", ""),
        ], "response_metadata": {"next_cursor": ""}})))
        .mount(&server)
        .await;
    labels_succeed(&server).await;

    let room = chat(&server).create_room(&spec("incident_11_25_emails")).await.unwrap();

    assert_eq!(room.name, "incident_11_25_emails-3");
    assert_eq!(room.id.as_str(), "C0THIRD");
    let list = &bodies(&server, "conversations.list").await[0];
    assert_eq!(list["types"], "public_channel");
    assert_eq!(list["exclude_archived"], true);
}

#[tokio::test]
async fn the_room_an_earlier_call_created_is_returned_not_duplicated() {
    let server = MockServer::start().await;
    name_taken(&server, "incident_11_25_emails").await;
    Mock::given(path("/conversations.list"))
        .and(body_partial_json(json!({"cursor": "page2"})))
        .respond_with(ok(json!({"ok": true, "channels": [
            channel("C0MINE", "incident_11_25_emails", &format!("SIMA incident room. Key: {KEY}")),
        ], "response_metadata": {"next_cursor": ""}})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/conversations.list"))
        .respond_with(ok(json!({"ok": true, "channels": [channel("C0GEN", "general", "")], "response_metadata": {"next_cursor": "page2"}})))
        .mount(&server)
        .await;
    labels_succeed(&server).await;

    let room = chat(&server).create_room(&spec("incident_11_25_emails")).await.unwrap();

    assert_eq!(room.id.as_str(), "C0MINE");
    assert_eq!(room.name, "incident_11_25_emails");
    let methods = calls(&server).await;
    assert_eq!(methods.iter().filter(|m| *m == "conversations.create").count(), 1, "{methods:?}");
    assert_eq!(methods.iter().filter(|m| *m == "conversations.list").count(), 2, "{methods:?}");
    assert_eq!(eventual_bodies(&server, "conversations.setTopic").await[0]["channel"], "C0MINE");
}

#[tokio::test]
async fn a_name_with_nothing_legal_is_invalid_without_a_call() {
    let server = MockServer::start().await;
    let error = chat(&server).create_room(&spec("!!! ???")).await.unwrap_err();
    assert!(matches!(error, PortError::Invalid(_)), "{error:?}");
    assert!(calls(&server).await.is_empty());
}

#[tokio::test]
async fn create_errors_map_to_port_errors() {
    for (code, unauthorized) in [("invalid_auth", true), ("invalid_name_specials", false)] {
        let server = MockServer::start().await;
        Mock::given(path("/conversations.create"))
            .respond_with(ok(json!({"ok": false, "error": code})))
            .mount(&server)
            .await;
        let error = chat(&server).create_room(&spec("incident_1")).await.unwrap_err();
        if unauthorized {
            assert!(matches!(error, PortError::Unauthorized(_)), "{error:?}");
        } else {
            assert!(matches!(error, PortError::Invalid(_)), "{error:?}");
        }
    }
}

#[tokio::test]
async fn a_failed_topic_does_not_fail_the_room() {
    let server = MockServer::start().await;
    Mock::given(path("/conversations.create"))
        .respond_with(ok(fixture_json("conversations_create.json")))
        .mount(&server)
        .await;
    Mock::given(path("/conversations.setPurpose")).respond_with(ok(json!({"ok": true}))).mount(&server).await;
    Mock::given(path("/conversations.setTopic"))
        .respond_with(ok(json!({"ok": false, "error": "too_long"})))
        .mount(&server)
        .await;
    let room = chat(&server).create_room(&spec("incident_11_25_emails-are-late")).await.unwrap();
    assert_eq!(room.id.as_str(), "C0NEWROOM");
}

fn listed(id: &str, name: &str, purpose: &str, creator: &str, members: u64) -> serde_json::Value {
    let mut c = channel(id, name, purpose);
    c["creator"] = json!(creator);
    c["num_members"] = json!(members);
    c
}

async fn list_answers(server: &MockServer, channels: Vec<serde_json::Value>) {
    Mock::given(path("/conversations.list"))
        .respond_with(ok(json!({"ok": true, "channels": channels, "response_metadata": {"next_cursor": ""}})))
        .mount(server)
        .await;
}

async fn bot_is(server: &MockServer, user: &str) {
    Mock::given(path("/auth.test"))
        .respond_with(ok(json!({"ok": true, "user_id": user, "bot_id": "B0BOT", "team_id": "T0"})))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_retry_adopts_and_labels_the_unlabelled_room_of_a_crashed_attempt() {
    let server = MockServer::start().await;
    name_taken(&server, "incident_11_25_emails").await;
    list_answers(&server, vec![listed("C0ORPHAN", "incident_11_25_emails", "", "U0BOT", 1)]).await;
    bot_is(&server, "U0BOT").await;
    labels_succeed(&server).await;
    let chat = chat(&server);

    let room = chat.create_room(&spec("incident_11_25_emails")).await.unwrap();

    assert_eq!((room.id.as_str(), room.name.as_str()), ("C0ORPHAN", "incident_11_25_emails"));
    let purpose = bodies(&server, "conversations.setPurpose").await;
    assert_eq!(purpose.len(), 1, "labelled before returning");
    assert_eq!(purpose[0]["channel"], "C0ORPHAN");
    assert!(purpose[0]["purpose"].as_str().unwrap().contains(KEY));
    assert_eq!(calls(&server).await.iter().filter(|m| *m == "conversations.create").count(), 1);

    // Another retry lands on the same room and asks auth.test no more (the id is cached).
    let again = chat.create_room(&spec("incident_11_25_emails")).await.unwrap();
    assert_eq!(again.id.as_str(), "C0ORPHAN");
}

#[tokio::test]
async fn an_unlabelled_room_that_is_not_the_bots_alone_is_left_alone() {
    let server = MockServer::start().await;
    name_taken(&server, "incident_11_25_emails").await;
    name_taken(&server, "incident_11_25_emails-2").await;
    list_answers(
        &server,
        vec![
            listed("C0HUMAN", "incident_11_25_emails", "", "U0HUMAN", 1),
            listed("C0BUSY", "incident_11_25_emails-2", "", "U0BOT", 4),
        ],
    )
    .await;
    bot_is(&server, "U0BOT").await;
    created(&server, "incident_11_25_emails-3", "C0NEW").await;
    labels_succeed(&server).await;

    let room = chat(&server).create_room(&spec("incident_11_25_emails")).await.unwrap();

    assert_eq!((room.id.as_str(), room.name.as_str()), ("C0NEW", "incident_11_25_emails-3"));
}

#[tokio::test]
async fn a_collision_costs_one_list_pass_not_one_per_candidate() {
    let server = MockServer::start().await;
    let others: Vec<_> = (1..=9)
        .map(|n| {
            let name = if n == 1 { "incident_11_25_emails".to_owned() } else { format!("incident_11_25_emails-{n}") };
            listed(&format!("C0OTHER{n}"), &name, "SIMA incident room. Key: another", "U0BOT", 3)
        })
        .collect();
    name_taken(&server, "incident_11_25_emails").await;
    list_answers(&server, others).await;
    created(&server, "incident_11_25_emails-10", "C0TENTH").await;
    labels_succeed(&server).await;

    let room = chat(&server).create_room(&spec("incident_11_25_emails")).await.unwrap();

    assert_eq!(room.name, "incident_11_25_emails-10");
    let methods = calls(&server).await;
    let count = |m: &str| methods.iter().filter(|x| *x == m).count();
    assert_eq!(
        (count("conversations.create"), count("conversations.list"), count("auth.test")),
        (2, 1, 0),
        "{methods:?}"
    );
}

#[tokio::test]
async fn slack_failures_while_resolving_a_collision_map_to_port_errors() {
    // 429 with Retry-After on the list: waited, then answered.
    let server = MockServer::start().await;
    name_taken(&server, "incident_1").await;
    Mock::given(path("/conversations.list"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    list_answers(&server, vec![listed("C0MINE", "incident_1", &format!("SIMA incident room. Key: {KEY}"), "U0BOT", 2)])
        .await;
    labels_succeed(&server).await;
    let room = chat(&server).create_room(&spec("incident_1")).await.unwrap();
    assert_eq!(room.id.as_str(), "C0MINE");

    // 5xx on create: transient, for the outbox to retry.
    let server = MockServer::start().await;
    Mock::given(path("/conversations.create")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let error = chat(&server).create_room(&spec("incident_1")).await.unwrap_err();
    assert!(matches!(error, PortError::Transient(_)), "{error:?}");

    // ok:false on the list: mapped, not swallowed.
    let server = MockServer::start().await;
    name_taken(&server, "incident_1").await;
    Mock::given(path("/conversations.list"))
        .respond_with(ok(json!({"ok": false, "error": "missing_scope"})))
        .mount(&server)
        .await;
    let error = chat(&server).create_room(&spec("incident_1")).await.unwrap_err();
    assert!(matches!(error, PortError::Unauthorized(_)), "{error:?}");
}
