//! A valid Bot Framework token says nothing about the tenant, the team or
//! the Connector of an activity: activities of another tenant, of another
//! team's channel, or naming another Connector are refused with 401 like
//! other authentication failures, and leave no trace (their id is not
//! recorded, nothing is answered). A team named by its thread id only is
//! looked up through the configured Connector.

use serde_json::{json, Value};
use sima_core::domain::Status;

use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{
    bodies, claims_for, command_activity, personal_activity, received, sign, CONNECTOR_TOKEN, KID, TEAM, TEAM_THREAD,
};
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
    assert_eq!(world.deliver_signed(&foreign).await, 401);
    let after = world.reload(&incident).await;
    assert_eq!(after.status(), Status::Open);
    assert!(!world.kinds(&after).await.contains(&"status_changed"));
    let thread = format!("/v3/conversations/{ROOM};messageid=7001/activities");
    assert!(bodies(&world.teams.connector, "POST", &thread).await.is_empty(), "a refused activity is not answered");

    assert_eq!(world.deliver_signed(&genuine).await, 200, "the refused id was not recorded");
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
    assert_eq!(world.deliver_signed(&typed).await, 200);
    assert_eq!(world.reload(&incident).await.status(), Status::Resolved);
}

#[tokio::test]
async fn a_personal_chat_of_the_tenant_is_answered_and_of_another_tenant_refused() {
    let world = World::start().await;
    let chat = "/v3/conversations/a:1ann-personal-chat/activities";
    let mut foreign = personal_activity("7201", "incident help");
    foreign["channelData"]["tenant"]["id"] = json!("tenant-2");
    assert_eq!(world.deliver_signed(&foreign).await, 401);
    assert!(bodies(&world.teams.connector, "POST", chat).await.is_empty());

    assert_eq!(world.deliver_signed(&personal_activity("7202", "incident help")).await, 200);
    let answers = bodies(&world.teams.connector, "POST", chat).await;
    assert_eq!(answers.len(), 1, "{answers:#?}");
}

#[tokio::test]
async fn an_activity_naming_another_connector_is_refused_and_that_connector_is_never_called() {
    let evil = wiremock::MockServer::start().await;
    let evil_url = format!("{}/teams/", evil.uri());
    refused(|activity| activity["serviceUrl"] = json!(evil_url)).await;
    // A token issued for that URL does not help.
    let world = World::start().await;
    let mut typed = command_activity("7301", ROOM, COMMAND);
    typed["serviceUrl"] = json!(evil_url);
    let token = sign(&claims_for(&evil_url), "signing_key.pem", KID);
    assert_eq!(world.deliver(&typed, Some(format!("Bearer {token}"))).await, 401);
    assert!(evil.received_requests().await.unwrap().is_empty(), "nothing is ever sent where a request says");
}

#[tokio::test]
async fn an_activity_naming_no_connector_is_refused_when_its_token_names_one() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let token = sign(&claims_for(&world.teams.service_url()), "signing_key.pem", KID);
    for named in [json!(""), json!(null)] {
        let mut typed = command_activity("7251", ROOM, COMMAND);
        typed["serviceUrl"] = named;
        assert_eq!(world.deliver(&typed, Some(format!("Bearer {token}"))).await, 401);
    }
    assert_eq!(world.reload(&incident).await.status(), Status::Open);
}

#[tokio::test]
async fn a_token_issued_for_another_service_url_is_refused() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    let typed = command_activity("7401", ROOM, COMMAND);
    let token = sign(&claims_for("https://smba.trafficmanager.net/amer/"), "signing_key.pem", KID);
    assert_eq!(world.deliver(&typed, Some(format!("Bearer {token}"))).await, 401);
    assert_eq!(world.reload(&incident).await.status(), Status::Open);
}

/// A command typed in the room, the team named by its thread id only.
fn by_thread(id: &str, thread: &str) -> Value {
    let mut typed = command_activity(id, ROOM, COMMAND);
    typed["channelData"]["team"] = json!({ "id": thread });
    typed
}

#[tokio::test]
async fn a_team_named_by_its_thread_id_is_looked_up_once_through_the_configured_connector() {
    let world = World::start().await;
    let incident = world.declare("Payments fail").await;
    assert_eq!(world.deliver_signed(&by_thread("7501", TEAM_THREAD)).await, 200);
    assert_eq!(world.reload(&incident).await.status(), Status::Resolved);
    let mut note = by_thread("7502", TEAM_THREAD);
    note["text"] = json!("<at>SIMA</at> incident note checked twice");
    assert_eq!(world.deliver_signed(&note).await, 200);
    let lookups = received(&world.teams.connector, "GET", &format!("/v3/teams/{TEAM_THREAD}")).await;
    assert_eq!(lookups.len(), 1, "the answer is kept");
    assert_eq!(lookups[0].headers.get("authorization").unwrap(), &format!("Bearer {CONNECTOR_TOKEN}"));
}

#[tokio::test]
async fn a_team_the_lookup_says_is_another_or_unknown_is_refused() {
    for (thread, answer) in [
        ("19:other-team@thread.tacv2", ResponseTemplate::new(200).set_body_json(json!({ "aadGroupId": "team-2" }))),
        (
            "19:not-installed@thread.tacv2",
            ResponseTemplate::new(403).set_body_json(json!({ "error": { "code": "BotNotInConversationRoster" } })),
        ),
        ("19:gone@thread.tacv2", ResponseTemplate::new(404)),
    ] {
        let world = World::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/v3/teams/{thread}")))
            .respond_with(answer)
            .mount(&world.teams.connector)
            .await;
        let incident = world.declare("Payments fail").await;
        assert_eq!(world.deliver_signed(&by_thread("7601", thread)).await, 401, "{thread}");
        assert_eq!(world.reload(&incident).await.status(), Status::Open);
    }
}

#[tokio::test]
async fn a_team_lookup_that_fails_asks_for_a_redelivery_and_records_nothing() {
    let world = World::start().await;
    let thread = "19:flaky@thread.tacv2";
    Mock::given(method("GET"))
        .and(path(format!("/v3/teams/{thread}")))
        .respond_with(ResponseTemplate::new(502))
        .mount(&world.teams.connector)
        .await;
    let incident = world.declare("Payments fail").await;
    assert_eq!(world.deliver_signed(&by_thread("7701", thread)).await, 503);
    assert_eq!(world.reload(&incident).await.status(), Status::Open);
    assert!(!world.kinds(&world.reload(&incident).await).await.contains(&"status_changed"));
}
