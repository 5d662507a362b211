//! Signed Bot Framework activities through the route into SIMA's core:
//! commands, buttons, forms and joins act; unsigned, forged, expired or
//! misdirected requests, and tokens signed by keys not endorsed for Teams, are
//! refused with 401 and change nothing.

use serde_json::{json, Value};
use sima_core::domain::{Incident, Status};

use crate::helpers::{
    bodies, claims, command_activity, join_activity, personal_activity, received, sign, submit_activity, KID,
    UNENDORSED_KID, WEBCHAT_KID,
};
use crate::world::World;

const ROOM: &str = "19:incident_11_25_payments-fail@thread.tacv2";

/// The answers posted in the thread `thread` of the incident room.
async fn answers(world: &World, thread: &str) -> Vec<Value> {
    bodies(&world.teams.connector, "POST", &format!("/v3/conversations/{ROOM};messageid={thread}/activities")).await
}

async fn refused(authorization: Option<String>) {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let typed = command_activity("6001", ROOM, "incident status resolved all good");
    assert_eq!(world.deliver(&typed, authorization).await, 401);
    let after = world.reload(&incident).await;
    assert_eq!(after.status(), Status::Open);
    assert!(!world.kinds(&after).await.contains(&"status_changed"));
    assert!(answers(&world, "6001").await.is_empty(), "a refused request is not answered");
}

#[tokio::test]
async fn a_request_without_a_token_is_refused() {
    refused(None).await;
    refused(Some("Basic YWxhZGRpbjpvcGVuc2VzYW1l".into())).await;
}

#[tokio::test]
async fn a_forged_signature_is_refused() {
    refused(Some(format!("Bearer {}", sign(&claims(), "forged_key.pem", KID)))).await;
}

#[tokio::test]
async fn a_token_for_another_bot_is_refused() {
    let mut other = claims();
    other["aud"] = json!("another-app-id");
    refused(Some(format!("Bearer {}", sign(&other, "signing_key.pem", KID)))).await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let mut other = claims();
    other["iss"] = json!("https://sts.windows.net/evil/");
    refused(Some(format!("Bearer {}", sign(&other, "signing_key.pem", KID)))).await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let mut old = claims();
    let now = old["nbf"].as_u64().unwrap();
    old["nbf"] = json!(now - 7200);
    old["exp"] = json!(now - 3600);
    refused(Some(format!("Bearer {}", sign(&old, "signing_key.pem", KID)))).await;
}

#[tokio::test]
async fn lifetime_claims_that_are_not_numbers_are_refused() {
    // Before jsonwebtoken 10.3 a claim that was not a number skipped its
    // check (CVE-2026-25537): a string `nbf` passed, however far ahead.
    let mut later = claims();
    later["nbf"] = json!("9999999999");
    refused(Some(format!("Bearer {}", sign(&later, "signing_key.pem", KID)))).await;
    let mut endless = claims();
    endless["exp"] = json!("9999999999");
    refused(Some(format!("Bearer {}", sign(&endless, "signing_key.pem", KID)))).await;
    let mut expired = claims();
    expired["exp"] = json!("1");
    refused(Some(format!("Bearer {}", sign(&expired, "signing_key.pem", KID)))).await;
}

#[tokio::test]
async fn a_published_key_without_endorsements_is_refused() {
    refused(Some(format!("Bearer {}", sign(&claims(), "signing_key.pem", UNENDORSED_KID)))).await;
}

#[tokio::test]
async fn a_published_key_endorsed_for_another_channel_does_not_sign_for_teams() {
    refused(Some(format!("Bearer {}", sign(&claims(), "signing_key.pem", WEBCHAT_KID)))).await;
}

#[tokio::test]
async fn a_key_endorsed_for_teams_does_not_sign_for_other_channels() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let mut typed = command_activity("6801", ROOM, "incident status resolved all good");
    typed["channelId"] = json!("webchat");
    assert_eq!(world.deliver_signed(&typed).await, 401);
    assert_eq!(world.reload(&incident).await.status(), Status::Open);
}

#[tokio::test]
async fn unknown_key_ids_are_refused_and_refetch_the_keys_at_most_once_a_minute() {
    let world = World::start().await;
    let typed = command_activity("6101", ROOM, "incident help");
    for _ in 0..3 {
        let token = sign(&claims(), "signing_key.pem", "rotated-away");
        assert_eq!(world.deliver(&typed, Some(format!("Bearer {token}"))).await, 401);
    }
    assert_eq!(received(&world.teams.login, "GET", "/keys").await.len(), 1);
    // A known key verifies from the cache.
    assert_eq!(world.deliver_signed(&typed).await, 200);
    assert_eq!(received(&world.teams.login, "GET", "/keys").await.len(), 1);
}

#[tokio::test]
async fn a_redelivered_activity_acts_once() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let typed = command_activity("6201", ROOM, "incident note checked the gateway");
    assert_eq!(world.deliver_signed(&typed).await, 200);
    assert_eq!(world.deliver_signed(&typed).await, 200);
    let kinds = world.kinds(&world.reload(&incident).await).await;
    assert_eq!(kinds.iter().filter(|k| **k == "note_added").count(), 1, "{kinds:?}");
    assert_eq!(answers(&world, "6201").await.len(), 1);
}

#[tokio::test]
async fn text_not_addressed_to_the_bot_is_ignored() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let mut chatter = command_activity("6301", ROOM, "");
    chatter["text"] = json!("status resolved, or so I heard");
    chatter["entities"] = json!([]);
    assert_eq!(world.deliver_signed(&chatter).await, 200);
    assert_eq!(world.reload(&incident).await.status(), Status::Open);
    assert!(answers(&world, "6301").await.is_empty());
}

fn button(incident: &Incident, action: &str) -> Value {
    json!({ "sima_action": action, "sima_value": incident.id().to_string() })
}

#[tokio::test]
async fn a_button_press_takes_the_role() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let thread = incident.card().unwrap().ts.rsplit_once('|').unwrap().1.to_owned();
    let press = submit_activity("6401", ROOM, &thread, button(&incident, "become_incident_manager"));
    assert_eq!(world.deliver_signed(&press).await, 200);
    let after = world.reload(&incident).await;
    assert_eq!(after.roles().incident_manager.as_ref().map(|u| u.as_str()), Some("aad-ann"));
    assert!(world.kinds(&after).await.contains(&"role_assigned"));
}

#[tokio::test]
async fn the_status_button_opens_a_form_card_in_the_thread_whose_submission_changes_the_status() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let thread = incident.card().unwrap().ts.rsplit_once('|').unwrap().1.to_owned();
    let press = submit_activity("6501", ROOM, &thread, button(&incident, "update_status"));
    assert_eq!(world.deliver_signed(&press).await, 200);

    let posted = answers(&world, &thread).await;
    let form = posted
        .iter()
        .map(|a| &a["attachments"][0]["content"])
        .find(|card| card["actions"][0]["data"]["sima_form"] == "update_status")
        .unwrap_or_else(|| panic!("no form card in {posted:#?}"));
    assert_eq!(form["actions"][0]["type"], "Action.Submit");
    assert_eq!(form["actions"][0]["data"]["sima_metadata"], incident.id().to_string());
    let inputs: Vec<&str> = form["body"].as_array().unwrap().iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(inputs, ["status", "message"]);

    let values = json!({
        "sima_form": "update_status",
        "sima_metadata": incident.id().to_string(),
        "status": "identified",
        "message": "a bad certificate on the gateway",
    });
    let submit = submit_activity("6502", ROOM, &thread, values);
    assert_eq!(world.deliver_signed(&submit).await, 200);
    assert_eq!(world.reload(&incident).await.status(), Status::Identified);
}

#[tokio::test]
async fn a_form_submitted_with_errors_is_answered_in_the_thread() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let values = json!({ "sima_form": "update_status", "sima_metadata": incident.id().to_string(), "message": "hm" });
    let submit = submit_activity("6601", ROOM, "777", values);
    assert_eq!(world.deliver_signed(&submit).await, 200);
    assert_eq!(world.reload(&incident).await.status(), Status::Open);
    let answer = answers(&world, "777").await;
    assert_eq!(answer.len(), 1);
    let card = answer[0]["attachments"][0]["content"].to_string();
    assert!(card.contains("Please fix the form") && card.contains("status"), "{card}");
}

#[tokio::test]
async fn a_member_added_to_the_channel_gets_the_welcome_mentioning_them_by_name() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let opening = bodies(&world.teams.connector, "POST", "/v3/conversations").await.len();
    assert_eq!(world.deliver_signed(&join_activity("6701", ROOM, "bob")).await, 200);
    let after = world.reload(&incident).await;
    let kinds = world.kinds(&after).await;
    assert_eq!(kinds.iter().filter(|k| **k == "member_joined").count(), 1, "the bot itself is left out: {kinds:?}");
    world.worker.run_until_idle().await.unwrap();

    let threads = bodies(&world.teams.connector, "POST", "/v3/conversations").await;
    let welcome = &threads[opening..];
    assert_eq!(welcome.len(), 1, "{welcome:#?}");
    assert_eq!(welcome[0]["channelData"]["channel"]["id"], ROOM);
    let card = &welcome[0]["activity"]["attachments"][0]["content"];
    // Teams gave the name on the activity: no Graph lookup was needed for it.
    assert_eq!(card["body"][0]["text"], "For <at>bob</at>:");
    assert_eq!(card["msteams"]["entities"][0]["mentioned"]["id"], "aad-bob");
    assert!(card.to_string().contains("Welcome to"), "{card}");
    assert!(received(&world.teams.graph, "GET", "/v1.0/users/aad-bob").await.is_empty());
    assert!(!world.kinds(&world.reload(&incident).await).await.contains(&"effect_failed"));
}

#[tokio::test]
async fn declaring_from_teams_posts_a_form_card_whose_submission_declares_the_incident() {
    let world = World::start().await;
    let chat = "a:1ann-personal-chat";
    assert_eq!(world.deliver_signed(&personal_activity("6901", "incident declare")).await, 200);
    let posted = bodies(&world.teams.connector, "POST", &format!("/v3/conversations/{chat}/activities")).await;
    let form = posted
        .iter()
        .map(|a| &a["attachments"][0]["content"])
        .find(|card| card["actions"][0]["data"]["sima_form"] == "declare_incident")
        .unwrap_or_else(|| panic!("no declare form in {posted:#?}"));
    let inputs: Vec<&str> = form["body"].as_array().unwrap().iter().filter_map(|e| e["id"].as_str()).collect();
    for input in ["domain", "summary", "description", "severity"] {
        assert!(inputs.contains(&input), "{input} missing from {inputs:?}");
    }

    let mut values = form["actions"][0]["data"].clone();
    values["domain"] = json!("checkout");
    values["summary"] = json!("Refunds stuck");
    values["description"] = json!("Refunds stay pending");
    values["severity"] = json!("sev2");
    let mut submit = personal_activity("6902", "");
    submit.as_object_mut().unwrap().remove("text");
    submit["value"] = values;
    assert_eq!(world.deliver_signed(&submit).await, 200);
    world.worker.run_until_idle().await.unwrap();

    let channels = bodies(&world.teams.graph, "POST", "/v1.0/teams/team-1/channels").await;
    assert_eq!(channels.len(), 1, "{channels:#?}");
    assert!(channels[0]["displayName"].as_str().unwrap().ends_with("refunds-stuck"), "{}", channels[0]);
}
