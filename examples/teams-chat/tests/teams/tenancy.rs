//! A valid Bot Framework token says nothing about the tenant or the team an
//! activity comes from: activities of another tenant, or of another team's
//! channel, are refused with 401 like other authentication failures, and
//! leave no trace (their id is not recorded, nothing is answered).

use serde_json::{json, Value};
use sima_core::domain::Status;

use crate::helpers::{bodies, command_activity, deliver_signed, personal_activity, TEAM};
use crate::world::World;

const ROOM: &str = "19:incident_11_25_payments-fail@thread.tacv2";
const COMMAND: &str = "incident status resolved all good";

/// A status change typed in the incident room, changed by `change`, is
/// refused and changes nothing; the genuine activity of the same id, sent
/// afterwards, still acts.
async fn refused(change: impl FnOnce(&mut Value)) {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let genuine = command_activity("7001", ROOM, COMMAND);
    let mut foreign = genuine.clone();
    change(&mut foreign);
    assert_eq!(deliver_signed(&world.app, &foreign).await, 401);
    let after = world.reload(&incident).await;
    assert_eq!(after.status(), Status::Open);
    assert!(!world.kinds(&after).await.contains(&"status_changed"));
    let thread = format!("/v3/conversations/{ROOM};messageid=7001/activities");
    assert!(bodies(&world.teams.connector, "POST", &thread).await.is_empty(), "a refused activity is not answered");

    assert_eq!(deliver_signed(&world.app, &genuine).await, 200, "the refused id was not recorded");
    assert_eq!(world.reload(&incident).await.status(), Status::Resolved);
}

#[tokio::test]
async fn an_activity_of_another_tenant_is_refused() {
    refused(|activity| activity["channelData"]["tenant"]["id"] = json!("tenant-2")).await;
}

#[tokio::test]
async fn an_activity_naming_no_tenant_is_refused() {
    // The conversation's own `tenantId` does not stand in for `channelData`.
    refused(|activity| {
        activity["conversation"]["tenantId"] = json!("tenant-1");
        activity["channelData"].as_object_mut().unwrap().remove("tenant");
    })
    .await;
    refused(|activity| {
        activity.as_object_mut().unwrap().remove("channelData");
    })
    .await;
}

#[tokio::test]
async fn a_channel_activity_of_another_team_of_the_tenant_is_refused() {
    refused(|activity| activity["channelData"]["team"] = json!({ "id": "team-2", "aadGroupId": "team-2" })).await;
}

#[tokio::test]
async fn a_channel_activity_naming_no_team_is_refused() {
    refused(|activity| {
        activity["channelData"].as_object_mut().unwrap().remove("team");
    })
    .await;
}

#[tokio::test]
async fn a_channel_activity_naming_the_team_by_its_group_id_acts() {
    // Teams' own shape: the team's thread id in `id`, its group id beside it.
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let mut typed = command_activity("7101", ROOM, COMMAND);
    typed["channelData"]["team"] = json!({ "id": "19:general@thread.tacv2", "aadGroupId": TEAM });
    assert_eq!(deliver_signed(&world.app, &typed).await, 200);
    assert_eq!(world.reload(&incident).await.status(), Status::Resolved);
}

#[tokio::test]
async fn a_personal_chat_of_the_tenant_is_answered_and_of_another_tenant_refused() {
    let world = World::start().await;
    let chat = "/v3/conversations/a:1ann-personal-chat/activities";
    let mut foreign = personal_activity("7201", "incident help");
    foreign["channelData"]["tenant"]["id"] = json!("tenant-2");
    assert_eq!(deliver_signed(&world.app, &foreign).await, 401);
    assert!(bodies(&world.teams.connector, "POST", chat).await.is_empty());

    assert_eq!(deliver_signed(&world.app, &personal_activity("7202", "incident help")).await, 200);
    let answers = bodies(&world.teams.connector, "POST", chat).await;
    assert_eq!(answers.len(), 1, "{answers:#?}");
}
