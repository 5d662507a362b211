//! The whole opening runbook and a status update through SIMA's engine, with
//! Teams as the chat platform: what Graph and the Connector received.

use serde_json::Value;
use sima_core::domain::Status;

use crate::helpers::{bodies, command_activity, received, CONNECTOR_TOKEN, GRAPH_TOKEN};
use crate::world::{World, BROADCAST};

const ROOM: &str = "19:incident_11_25_payments-fail@thread.tacv2";

fn card_of(activity: &Value) -> &Value {
    assert_eq!(activity["type"], "message");
    assert_eq!(activity["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
    let card = &activity["attachments"][0]["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.5");
    card
}

fn submit_buttons(card: &Value) -> Vec<String> {
    card["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "ActionSet")
        .flat_map(|e| e["actions"].as_array().unwrap().clone())
        .inspect(|a| assert_eq!(a["type"], "Action.Submit"))
        .map(|a| a["data"]["sima_action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_opening_runbook_creates_the_channel_and_posts_card_and_broadcast_as_adaptive_cards() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;

    let channels = bodies(&world.teams.graph, "POST", "/v1.0/teams/team-1/channels").await;
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0]["displayName"], "incident_11_25_payments-fail");
    assert_eq!(channels[0]["membershipType"], "standard");
    assert!(channels[0]["description"].as_str().unwrap().contains(&incident.id().to_string()));
    let graph = received(&world.teams.graph, "POST", "/v1.0/teams").await;
    assert_eq!(graph[0].headers.get("authorization").unwrap(), &format!("Bearer {GRAPH_TOKEN}"));

    let room = incident.room().expect("the room is recorded");
    assert_eq!(room.id.as_str(), ROOM);
    assert_eq!(room.name, "incident_11_25_payments-fail");
    assert!(room.url.starts_with("https://teams.microsoft.com/l/channel/"), "{}", room.url);

    let threads = bodies(&world.teams.connector, "POST", "/v3/conversations").await;
    assert_eq!(threads.len(), 2, "card and broadcast: {threads:#?}");
    let to = |channel: &str| threads.iter().find(|t| t["channelData"]["channel"]["id"] == channel).unwrap();
    let (card, broadcast) = (to(ROOM), to(BROADCAST));
    for thread in [card, broadcast] {
        assert_eq!(thread["isGroup"], true);
        assert_eq!(thread["channelData"]["tenant"]["id"], "tenant-1");
    }
    let card = card_of(&card["activity"]);
    assert!(card.to_string().contains("Payments fail"));
    assert!(submit_buttons(card).contains(&"become_incident_manager".to_owned()));
    assert!(card_of(&broadcast["activity"]).to_string().contains("Payments fail"));
    let connector = received(&world.teams.connector, "POST", "/v3").await;
    assert!(connector.iter().all(|r| r.headers.get("authorization").unwrap() == &format!("Bearer {CONNECTOR_TOKEN}")));

    // Pins are unsupported and skipped; nothing failed.
    assert!(incident.failed_effects().is_empty(), "{:?}", incident.failed_effects());
    let kinds = world.kinds(&incident).await;
    for kind in ["declared", "room_created", "card_posted", "broadcast_posted", "members_invited"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert!(!kinds.contains(&"effect_failed"), "{kinds:?}");
    assert!(incident.card().unwrap().ts.starts_with(&format!("{ROOM};messageid=")));
}

#[tokio::test]
async fn a_status_update_typed_in_teams_is_posted_replied_in_the_broadcast_thread_and_updated_in_place() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let opening = world.teams.connector.received_requests().await.unwrap().len();

    let typed = command_activity("5001", ROOM, "incident status monitoring rolled back the deploy");
    assert_eq!(world.deliver_signed(&typed).await, 200);
    let incident = world.reload(&incident).await;
    assert_eq!(incident.status(), Status::Monitoring);

    // The answer went to the thread the command was typed in.
    let answers =
        bodies(&world.teams.connector, "POST", &format!("/v3/conversations/{ROOM};messageid=5001/activities")).await;
    assert_eq!(answers.len(), 1);
    assert!(card_of(&answers[0]).to_string().contains("Done"), "{}", answers[0]);

    world.worker.run_until_idle().await.unwrap();
    let later: Vec<_> = world.teams.connector.received_requests().await.unwrap().split_off(opening + 1);
    let (card, broadcast) = (incident.card().unwrap(), incident.broadcast().unwrap());
    let (card_thread, card_id) = card.ts.rsplit_once('|').unwrap();
    let (broadcast_thread, broadcast_id) = broadcast.ts.rsplit_once('|').unwrap();
    let path = |thread: &str, id: &str| format!("/v3/conversations/{thread}/activities/{id}");
    let calls: Vec<(String, String)> = later.iter().map(|r| (r.method.to_string(), r.url.path().to_owned())).collect();

    // A new update in the room, a reply in the broadcast thread, broadcast and card refreshed in place.
    let posted_in_room = later.iter().any(|r| {
        r.url.path() == "/v3/conversations"
            && serde_json::from_slice::<Value>(&r.body).unwrap()["channelData"]["channel"]["id"] == ROOM
    });
    assert!(posted_in_room, "{calls:?}");
    assert!(calls.contains(&("POST".into(), path(broadcast_thread, broadcast_id))), "{calls:?}");
    assert!(calls.contains(&("PUT".into(), path(broadcast_thread, broadcast_id))), "{calls:?}");
    assert!(calls.contains(&("PUT".into(), path(card_thread, card_id))), "{calls:?}");
    let reply =
        later.iter().find(|r| r.method.as_str() == "POST" && r.url.path() == path(broadcast_thread, broadcast_id));
    let reply: Value = serde_json::from_slice(&reply.unwrap().body).unwrap();
    assert_eq!(reply["replyToId"], broadcast_id);
    assert!(card_of(&reply).to_string().to_lowercase().contains("monitoring"), "{reply}");
    let update = later.iter().find(|r| r.method.as_str() == "PUT" && r.url.path() == path(card_thread, card_id));
    let update: Value = serde_json::from_slice(&update.unwrap().body).unwrap();
    assert_eq!(update["id"], card_id);
    assert!(card_of(&update).to_string().to_lowercase().contains("monitoring"));

    let kinds = world.kinds(&world.reload(&incident).await).await;
    assert!(kinds.contains(&"status_changed"), "{kinds:?}");
    assert!(!kinds.contains(&"effect_failed"), "{kinds:?}");
}
