//! Mentions show people's names: looked up in Graph once and kept, learned
//! from inbound activities, and never holding a message back when Graph
//! fails; an id Graph says is nobody is plain text, not a mention.

use std::time::Duration;

use serde_json::{json, Value};
use sima_core::domain::{RoomId, UserRef};
use sima_core::model::{Message, RichText};
use sima_core::ports::ChatPort;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{bodies, command_activity, received, Teams};
use crate::world::World;

const ROOM: &str = "19:room@thread.tacv2";

fn lead(user: &str) -> Message {
    let text = RichText::new().plain("Lead: ").mention(&UserRef::parse(user).unwrap());
    Message { text, blocks: Vec::new() }
}

/// The card of every thread the Connector was asked to start.
async fn cards(teams: &Teams) -> Vec<Value> {
    let threads = bodies(&teams.connector, "POST", "/v3/conversations").await;
    threads.into_iter().map(|t| t["activity"]["attachments"][0]["content"].clone()).collect()
}

#[tokio::test]
async fn a_name_is_looked_up_once_and_shown_with_its_mention_entity() {
    let teams = Teams::start().await;
    let chat = teams.chat();
    for _ in 0..3 {
        chat.post(&RoomId::new(ROOM), &lead("aad-ann")).await.unwrap();
    }
    let cards = cards(&teams).await;
    assert_eq!(cards.len(), 3);
    for card in &cards {
        assert_eq!(card["body"][0]["text"], "Lead: <at>Ann Smith</at>");
        let entities = json!([{
            "type": "mention",
            "text": "<at>Ann Smith</at>",
            "mentioned": { "id": "aad-ann", "name": "Ann Smith" },
        }]);
        assert_eq!(card["msteams"]["entities"], entities);
    }
    let lookups = received(&teams.graph, "GET", "/v1.0/users/aad-ann").await;
    assert_eq!(lookups.len(), 1, "the name is kept");
    assert_eq!(lookups[0].url.query(), Some("%24select=displayName"));
}

#[tokio::test]
async fn an_id_graph_does_not_know_is_plain_text_not_a_mention() {
    let teams = Teams::start().await;
    teams.chat().post(&RoomId::new(ROOM), &lead("monitoring-bot")).await.unwrap();
    let card = &cards(&teams).await[0];
    assert_eq!(card["body"][0]["text"], "Lead: @monitoring-bot");
    assert_eq!(card["msteams"]["entities"], json!([]));
}

#[tokio::test]
async fn without_permission_to_read_users_people_are_mentioned_by_id_and_graph_is_not_asked_again() {
    let teams = Teams::bare().await;
    teams.mount_connector().await;
    let denied = json!({ "error": { "code": "Authorization_RequestDenied", "message": "Insufficient privileges" } });
    Mock::given(method("GET"))
        .and(path("/v1.0/users/aad-ann"))
        .respond_with(ResponseTemplate::new(403).set_body_json(denied))
        .mount(&teams.graph)
        .await;
    let chat = teams.chat();
    chat.post(&RoomId::new(ROOM), &lead("aad-ann")).await.unwrap();
    chat.post(&RoomId::new(ROOM), &lead("aad-ann")).await.unwrap();
    for card in cards(&teams).await {
        assert_eq!(card["body"][0]["text"], "Lead: <at>aad-ann</at>");
        assert_eq!(card["msteams"]["entities"][0]["mentioned"], json!({ "id": "aad-ann", "name": "aad-ann" }));
    }
    assert_eq!(received(&teams.graph, "GET", "/v1.0/users").await.len(), 1);
}

#[tokio::test]
async fn a_graph_that_does_not_answer_does_not_hold_the_message_back() {
    let teams = Teams::bare().await;
    teams.mount_connector().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/aad-ann"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&teams.graph)
        .await;
    teams.chat().post(&RoomId::new(ROOM), &lead("aad-ann")).await.unwrap();
    let card = &cards(&teams).await[0];
    assert_eq!(card["body"][0]["text"], "Lead: <at>aad-ann</at>");
}

#[tokio::test]
async fn a_display_name_is_shown_as_it_is_never_as_markup() {
    let teams = Teams::bare().await;
    teams.mount_connector().await;
    teams.mount_people(&[("aad-eve", "Eve <b>Admin</b> & co")]).await;
    teams.chat().post(&RoomId::new(ROOM), &lead("aad-eve")).await.unwrap();
    let card = &cards(&teams).await[0];
    let shown = "<at>Eve &lt;b&gt;Admin&lt;/b&gt; &amp; co</at>";
    assert_eq!(card["body"][0]["text"], format!("Lead: {shown}"));
    assert_eq!(card["msteams"]["entities"][0]["text"], shown);
    assert_eq!(card["msteams"]["entities"][0]["mentioned"]["name"], "Eve <b>Admin</b> & co");
}

#[tokio::test]
async fn names_teams_gives_on_activities_are_used_without_asking_graph() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let room = incident.room().unwrap().id.clone();
    let mut typed = command_activity("8001", room.as_str(), "incident manager me");
    typed["from"] = json!({ "id": "29:1carol", "name": "Carol Diaz", "aadObjectId": "aad-carol" });
    assert_eq!(world.deliver_signed(&typed).await, 200);
    world.worker.run_until_idle().await.unwrap();

    let updates = bodies(&world.teams.connector, "PUT", "/v3/conversations/").await;
    let card = updates.last().expect("the card was refreshed").to_string();
    assert!(card.contains("<at>Carol Diaz</at>"), "{card}");
    assert!(received(&world.teams.graph, "GET", "/v1.0/users/aad-carol").await.is_empty());
}
