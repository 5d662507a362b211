//! `TeamsChat` as a `ChatPort`: the requests Graph and the Connector receive.

use serde_json::{json, Value};
use sima_core::domain::{MessageRef, RoomId, UserRef};
use sima_core::model::{FormTrigger, Message};
use sima_core::ports::{ChatPort, PortError, RoomSpec};
use sima_core::testkit::messages::warning;
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{bodies, channel, received, Teams, TEAM};

const ROOM: &str = "19:room@thread.tacv2";

fn spec(key: &str) -> RoomSpec {
    RoomSpec {
        name_hint: "incident_11_25_payments-fail".into(),
        topic: "Payments fail (open)".into(),
        key: key.into(),
        private: false,
    }
}

fn name_taken() -> ResponseTemplate {
    ResponseTemplate::new(409).set_body_json(json!({ "error": { "code": "NameAlreadyExists", "message": "exists" } }))
}

async fn list_answers(teams: &Teams, name: &str, channels: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/v1.0/teams/{TEAM}/channels")))
        .and(query_param("$filter", format!("displayName eq '{name}'")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": channels })))
        .mount(&teams.graph)
        .await;
}

#[tokio::test]
async fn a_retried_create_finds_the_channel_an_earlier_unrecorded_call_made() {
    let teams = Teams::bare().await;
    Mock::given(method("POST")).respond_with(name_taken()).mount(&teams.graph).await;
    let earlier = channel("incident_11_25_payments-fail", "SIMA incident room. Key: inc-42. Payments fail (open)");
    list_answers(&teams, "incident_11_25_payments-fail", json!([earlier])).await;

    let room = teams.chat().create_room(&spec("inc-42")).await.unwrap();
    assert_eq!(room.id.as_str(), "19:incident_11_25_payments-fail@thread.tacv2");
    assert_eq!(room.name, "incident_11_25_payments-fail");
    assert!(room.url.starts_with("https://teams.microsoft.com/"));
    assert_eq!(received(&teams.graph, "POST", "/").await.len(), 1, "no second channel is created");
}

#[tokio::test]
async fn a_name_another_channel_holds_gets_a_suffix() {
    let teams = Teams::bare().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({ "displayName": "incident_11_25_payments-fail" })))
        .respond_with(name_taken())
        .mount(&teams.graph)
        .await;
    teams.mount_graph().await;
    let other = channel("incident_11_25_payments-fail", "SIMA incident room. Key: inc-7. Last year's outage");
    list_answers(&teams, "incident_11_25_payments-fail", json!([other])).await;

    let room = teams.chat().create_room(&spec("inc-42")).await.unwrap();
    assert_eq!(room.name, "incident_11_25_payments-fail-2");
    let created = bodies(&teams.graph, "POST", "/").await;
    assert_eq!(created.len(), 2);
    assert!(created[1]["description"].as_str().unwrap().contains("inc-42"));
}

#[tokio::test]
async fn an_unusable_name_is_invalid_without_a_call() {
    let teams = Teams::bare().await;
    let spec = RoomSpec { name_hint: "???".into(), topic: String::new(), key: "k".into(), private: false };
    assert!(matches!(teams.chat().create_room(&spec).await, Err(PortError::Invalid(_))));
    assert!(teams.graph.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn post_reply_and_update_address_the_thread_and_the_activity() {
    let teams = Teams::start().await;
    let chat = teams.chat();
    let message = warning("Gateway down");
    let root = chat.post(&RoomId::new(ROOM), &message).await.unwrap();
    assert_eq!(root, MessageRef { room: RoomId::new(ROOM), ts: format!("{ROOM};messageid=1000|1000") });

    let reply = chat.reply(&root, &message).await.unwrap();
    assert_eq!(reply.room.as_str(), ROOM);
    let replies =
        received(&teams.connector, "POST", &format!("/v3/conversations/{ROOM};messageid=1000/activities/1000")).await;
    assert_eq!(replies.len(), 1);
    let body: Value = serde_json::from_slice(&replies[0].body).unwrap();
    assert_eq!(body["replyToId"], "1000");
    assert_eq!(body["summary"], "⚠️ Gateway down");

    chat.update(&reply, &message).await.unwrap();
    let (thread, id) = reply.ts.rsplit_once('|').unwrap();
    let updates = bodies(&teams.connector, "PUT", &format!("/v3/conversations/{thread}/activities/{id}")).await;
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["id"], id);
    assert_eq!(updates[0]["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
}

#[tokio::test]
async fn a_reference_from_another_platform_is_invalid() {
    let teams = Teams::start().await;
    let slack = MessageRef { room: RoomId::new("C0123"), ts: "1700000000.000100".into() };
    assert!(matches!(teams.chat().update(&slack, &Message::default()).await, Err(PortError::Invalid(_))));
    assert!(matches!(teams.chat().reply(&slack, &Message::default()).await, Err(PortError::Invalid(_))));
    let trigger = FormTrigger("12345.98765.abcd".into());
    let form = sima_core::model::Form {
        id: sima_core::model::FormId::UpdateStatus,
        title: "t".into(),
        submit: "s".into(),
        inputs: vec![],
        metadata: None,
    };
    assert!(matches!(teams.chat().open_form(&trigger, &form).await, Err(PortError::Invalid(_))));
    assert!(teams.connector.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn pins_are_unsupported_and_invites_succeed_without_a_call() {
    let teams = Teams::start().await;
    let chat = teams.chat();
    let reference = MessageRef { room: RoomId::new(ROOM), ts: format!("{ROOM};messageid=1|1") };
    assert!(matches!(chat.pin(&reference).await, Err(PortError::Unsupported(_))));
    let ann = UserRef::parse("aad-ann").unwrap();
    chat.invite(&RoomId::new(ROOM), &[ann]).await.unwrap();
    assert!(teams.graph.received_requests().await.unwrap().is_empty());
    assert!(teams.connector.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_message_for_one_person_is_a_new_thread_in_the_room_that_mentions_them_by_name() {
    let teams = Teams::start().await;
    let ann = UserRef::parse("aad-ann").unwrap();
    teams.chat().post_ephemeral(&RoomId::new(ROOM), &ann, &warning("Welcome aboard")).await.unwrap();
    let threads = bodies(&teams.connector, "POST", "/v3/conversations").await;
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0]["channelData"]["channel"]["id"], ROOM);
    let card = &threads[0]["activity"]["attachments"][0]["content"];
    assert_eq!(card["body"][0]["text"], "For <at>Ann Smith</at>:");
    assert_eq!(card["msteams"]["entities"][0]["mentioned"], json!({ "id": "aad-ann", "name": "Ann Smith" }));
    assert!(card.to_string().contains("Welcome aboard"), "{card}");
}

#[tokio::test]
async fn rooms_are_archived_through_graph_only_when_configured() {
    let teams = Teams::bare().await;
    assert!(matches!(teams.chat().archive(&RoomId::new(ROOM)).await, Err(PortError::Unsupported(_))));
    assert!(teams.graph.received_requests().await.unwrap().is_empty());

    Mock::given(method("POST"))
        .and(path(format!("/v1.0/teams/{TEAM}/channels/{ROOM}/archive")))
        .respond_with(ResponseTemplate::new(202))
        .mount(&teams.graph)
        .await;
    let mut config = teams.config();
    config.archive_rooms = true;
    let chat = sima_teams::TeamsChat::new(config).unwrap();
    chat.archive(&RoomId::new(ROOM)).await.unwrap();
    assert_eq!(received(&teams.graph, "POST", "/v1.0/teams").await.len(), 1);
    let missing = chat.archive(&RoomId::new("19:gone@thread.tacv2")).await;
    assert!(matches!(missing, Err(PortError::NotFound(_))), "{missing:?}");
}
