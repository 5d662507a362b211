//! Card buttons as Teams sends them: `task/fetch` invokes answered with a
//! dialog only the presser sees, dialogs sent back as `task/submit`,
//! Universal Actions (`Action.Execute`); each answered through the core's
//! inbound handler, never dropped.

use serde_json::{json, Value};
use sima_core::domain::{Incident, Status};

use crate::helpers::{bodies, button_data, card_action, invoke_activity, submit_activity, task_fetch, task_submit};
use crate::world::World;

const ROOM: &str = "19:incident_11_25_payments-fail@thread.tacv2";

/// The incident card as posted, and the id of its thread.
async fn posted_card(world: &World, incident: &Incident) -> (Value, String) {
    let threads = bodies(&world.teams.connector, "POST", "/v3/conversations").await;
    let card = threads.iter().find(|t| t["channelData"]["channel"]["id"] == ROOM).expect("the card was posted");
    let thread = incident.card().unwrap().ts.rsplit_once('|').unwrap().1.to_owned();
    (card["activity"]["attachments"][0]["content"].clone(), thread)
}

/// Everything the Connector was asked to post in threads.
async fn thread_posts(world: &World) -> usize {
    bodies(&world.teams.connector, "POST", &format!("/v3/conversations/{ROOM};messageid=")).await.len()
}

#[tokio::test]
async fn the_card_buttons_ask_teams_for_a_dialog() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let (card, _) = posted_card(&world, &incident).await;
    let data = button_data(&card, "update_status");
    assert_eq!(data["msteams"], json!({ "type": "task/fetch" }));
    assert_eq!(data["sima_value"], incident.id().to_string());
}

#[tokio::test]
async fn the_status_button_opens_a_dialog_whose_submission_changes_the_status() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let (card, thread) = posted_card(&world, &incident).await;

    let press = task_fetch("f:9001", ROOM, &thread, button_data(&card, "update_status"));
    let (status, answer) = world.invoke(&press).await;
    assert_eq!(status, 200);
    assert_eq!(answer["task"]["type"], "continue", "{answer}");
    let dialog = &answer["task"]["value"];
    assert_eq!(dialog["card"]["contentType"], "application/vnd.microsoft.card.adaptive");
    let form = &dialog["card"]["content"];
    let inputs: Vec<&str> = form["body"].as_array().unwrap().iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(inputs, ["status", "message"]);
    let submit = &form["actions"][0]["data"];
    assert_eq!(submit["sima_form"], "update_status");
    assert_eq!(submit["sima_dialog"], "f:9001");
    assert_eq!(thread_posts(&world).await, 0, "a dialog, not a post in the thread");

    let mut sent = submit.clone();
    sent["status"] = json!("identified");
    sent["message"] = json!("a bad certificate on the gateway");
    let (status, answer) = world.invoke(&task_submit("f:9002", ROOM, &thread, sent)).await;
    assert_eq!((status.as_u16(), answer), (200, Value::Null), "an empty answer closes the dialog");
    assert_eq!(world.reload(&incident).await.status(), Status::Identified);
}

#[tokio::test]
async fn a_dialog_sent_with_mistakes_comes_back_with_them_shown_and_its_values_kept() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let (card, thread) = posted_card(&world, &incident).await;
    let (_, opened) = world.invoke(&task_fetch("f:9101", ROOM, &thread, button_data(&card, "update_status"))).await;
    let mut sent = opened["task"]["value"]["card"]["content"]["actions"][0]["data"].clone();
    sent["message"] = json!("still looking");

    let (status, answer) = world.invoke(&task_submit("f:9102", ROOM, &thread, sent)).await;
    assert_eq!(status, 200);
    assert_eq!(answer["task"]["type"], "continue", "{answer}");
    let body = answer["task"]["value"]["card"]["content"]["body"].as_array().unwrap().clone();
    let at = body.iter().position(|e| e["id"] == "status").unwrap();
    assert_eq!(body[at + 1]["color"], "Attention", "the mistake is shown under its input: {body:#?}");
    let message = body.iter().find(|e| e["id"] == "message").unwrap();
    assert_eq!(message["value"], "still looking");
    assert_eq!(world.reload(&incident).await.status(), Status::Open);
}

#[tokio::test]
async fn a_button_is_answered_in_a_dialog_only_the_presser_sees() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let (card, thread) = posted_card(&world, &incident).await;
    let press = task_fetch("f:9201", ROOM, &thread, button_data(&card, "become_incident_manager"));
    let (status, answer) = world.invoke(&press).await;
    assert_eq!(status, 200);
    assert_eq!(answer["task"]["type"], "continue", "{answer}");
    assert!(answer["task"]["value"]["card"]["content"].to_string().contains("Done"), "{answer}");
    let after = world.reload(&incident).await;
    assert_eq!(after.roles().incident_manager.as_ref().map(|u| u.as_str()), Some("aad-ann"));
    assert_eq!(thread_posts(&world).await, 0);
}

#[tokio::test]
async fn a_replayed_invoke_acts_once() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let (card, thread) = posted_card(&world, &incident).await;
    let press = task_fetch("f:9301", ROOM, &thread, button_data(&card, "become_incident_manager"));
    assert_eq!(world.invoke(&press).await.0, 200);
    assert_eq!(world.invoke(&press).await.0, 200);
    let kinds = world.kinds(&world.reload(&incident).await).await;
    assert_eq!(kinds.iter().filter(|k| **k == "role_assigned").count(), 1, "{kinds:?}");
}

#[tokio::test]
async fn a_button_sima_no_longer_knows_is_answered_not_dropped() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let (_, thread) = posted_card(&world, &incident).await;
    let old = json!({ "msteams": { "type": "task/fetch" }, "sima_action": "page_the_ceo", "sima_value": "x" });
    let (status, answer) = world.invoke(&task_fetch("f:9401", ROOM, &thread, old.clone())).await;
    assert_eq!(status, 200);
    assert_eq!(answer["task"]["type"], "message");
    assert!(answer["task"]["value"].as_str().unwrap().contains("older SIMA card"), "{answer}");

    // The same button as a plain `Action.Submit` is answered in its thread.
    assert_eq!(world.deliver_signed(&submit_activity("9402", ROOM, &thread, old)).await, 200);
    let answers = bodies(&world.teams.connector, "POST", &format!("/v3/conversations/{ROOM};messageid={thread}")).await;
    assert_eq!(answers.len(), 1);
    assert!(answers[0].to_string().contains("older SIMA card"), "{}", answers[0]);
    assert!(!world.kinds(&world.reload(&incident).await).await.contains(&"role_assigned"));
}

#[tokio::test]
async fn a_card_that_is_not_simas_is_answered() {
    let world = World::start().await;
    let foreign = json!({ "msteams": { "type": "task/fetch" }, "approve": "expense-17" });
    let (status, answer) = world.invoke(&task_fetch("f:9501", ROOM, "1", foreign)).await;
    assert_eq!(status, 200);
    assert_eq!(answer["task"]["type"], "message");
    assert!(answer["task"]["value"].as_str().unwrap().contains("not one of SIMA's"), "{answer}");
}

#[tokio::test]
async fn a_universal_action_is_answered_through_the_core() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let (card, thread) = posted_card(&world, &incident).await;
    let mut data = button_data(&card, "become_communication_lead");
    data.as_object_mut().unwrap().remove("msteams");
    let (status, answer) = world.invoke(&card_action("f:9601", ROOM, &thread, data)).await;
    assert_eq!(status, 200);
    assert_eq!(answer["statusCode"], 200);
    assert_eq!(answer["type"], "application/vnd.microsoft.activity.message");
    assert!(answer["value"].as_str().unwrap().contains("Done"), "{answer}");
    let after = world.reload(&incident).await;
    assert_eq!(after.roles().communication_lead.as_ref().map(|u| u.as_str()), Some("aad-ann"));
    assert_eq!(thread_posts(&world).await, 1, "the answer is also posted in the thread");
}

#[tokio::test]
async fn an_invoke_sima_does_not_answer_is_refused_and_changes_nothing() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let before = world.kinds(&incident).await.len();
    let query = invoke_activity("f:9701", "composeExtension/query", ROOM, "1", json!({ "commandId": "search" }));
    assert_eq!(world.invoke(&query).await.0, 400);
    assert_eq!(world.kinds(&incident).await.len(), before);
    assert_eq!(thread_posts(&world).await, 0);
}
