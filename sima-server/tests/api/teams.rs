//! Microsoft Teams through the real server: `SIMA_CHAT=teams` against fakes
//! of Graph, the Bot Framework Connector and the Microsoft login endpoints.
//! An incident runs end to end from Teams (declared from a form card, its
//! channel, card and broadcast, a typed status update, a button, resolved,
//! archived), asserted on what the fakes received; forged, foreign and
//! misdirected activities are refused and change nothing.

pub(crate) mod fakes;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};
use sima_server::Settings;

use crate::helpers::{count_kind, kinds, wait_at_most, wait_until, TestApp};
use fakes::{
    button_data, deliver, post, pressed, submitted, token, typed, FakeTeams, BROADCAST, CONNECTOR_TOKEN, GENERAL,
    GRAPH_TOKEN, TEAM, TEAM_THREAD, TENANT,
};

/// A server whose chat is `fakes`, with these variables on top.
async fn server(fakes: &FakeTeams, extra: &[(&str, &str)]) -> TestApp {
    let mut env = fakes.env();
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestApp::spawn_with_env(&vars).await
}

/// The Adaptive Card of an activity.
fn card(activity: &Value) -> &Value {
    assert_eq!(activity["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive", "{activity}");
    &activity["attachments"][0]["content"]
}

/// The conversation and activity ids of a recorded message reference (`conversation|activity`).
fn thread_of(ts: &str) -> (String, String) {
    let (conversation, activity) = ts.rsplit_once('|').expect("a Teams message reference");
    (conversation.to_owned(), activity.to_owned())
}

#[tokio::test]
async fn an_incident_runs_end_to_end_in_teams() {
    let fakes = FakeTeams::start().await;
    let app = server(&fakes, &[("SIMA_ARCHIVE_AFTER", "1s")]).await;

    // Declared from Teams: the command answers with a form card in its thread.
    let (status, _) = deliver(&app, &typed(&fakes, "1001", GENERAL, "incident declare")).await;
    assert_eq!(status, 200);
    let asked = format!("{GENERAL};messageid=1001");
    let answers = fakes.thread(&asked).await;
    let form = answers.iter().map(card).find(|c| c["actions"][0]["data"]["sima_form"] == "declare_incident");
    let form = form.unwrap_or_else(|| panic!("no declare form in {answers:#?}"));
    let mut values = form["actions"][0]["data"].clone();
    values["domain"] = json!("payments");
    values["summary"] = json!("Card payments fail");
    values["description"] = json!("Checkout refuses every card");
    values["severity"] = json!("sev1");
    assert_eq!(deliver(&app, &submitted(&fakes, "1002", GENERAL, &asked, values)).await.0, 200);

    let id = wait_until("the incident is declared", || async {
        app.incidents().await.first().and_then(|i| i["id"].as_str().map(str::to_owned))
    })
    .await;
    let incident = app.wait_for_room(&id).await;
    app.wait_for_idle_outbox().await;
    assert_eq!(incident["summary"], "Card payments fail");
    assert_eq!(incident["reporter"], "user:aad-ann");

    // The room: a standard channel of the team, created through Graph with Graph's token.
    let created = FakeTeams::received(&fakes.graph, "POST", &format!("/v1.0/teams/{TEAM}/channels")).await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].headers.get("authorization").unwrap(), &format!("Bearer {GRAPH_TOKEN}"));
    let channel: Value = serde_json::from_slice(&created[0].body).unwrap();
    assert!(channel["displayName"].as_str().unwrap().ends_with("_card-payments-fail"), "{channel}");
    assert_eq!(channel["membershipType"], "standard");
    assert!(channel["description"].as_str().unwrap().contains(&id));
    let room = incident["room"]["id"].as_str().unwrap().to_owned();
    assert_eq!(room, fakes.channels.lock().unwrap()[0]["id"].as_str().unwrap());
    assert_eq!(incident["room"]["name"], channel["displayName"]);
    assert!(incident["room"]["url"].as_str().unwrap().starts_with("https://teams.microsoft.com/l/channel/"));

    // The card, in the room, naming the reporter by her name.
    let in_room = fakes.threads_in(&room).await;
    assert_eq!(in_room.len(), 1, "{in_room:#?}");
    let the_card = card(&in_room[0]).clone();
    let shown = the_card.to_string();
    assert!(shown.contains("Card payments fail") && shown.contains("<at>Ann Smith</at>"), "{shown}");
    assert_eq!(the_card["msteams"]["entities"][0]["mentioned"], json!({ "id": "aad-ann", "name": "Ann Smith" }));
    // The broadcast, in the broadcast channel.
    let broadcast = fakes.threads_in(BROADCAST).await;
    assert_eq!(broadcast.len(), 1, "{broadcast:#?}");
    assert!(card(&broadcast[0]).to_string().contains("Card payments fail"));
    let connector = FakeTeams::received(&fakes.connector, "POST", "/v3/conversations").await;
    let bearer = format!("Bearer {CONNECTOR_TOKEN}");
    assert!(connector.iter().all(|r| r.headers.get("authorization").unwrap() == bearer.as_str()));
    assert!(app.slack_calls("conversations.create").is_empty() && app.slack_calls("chat.postMessage").is_empty());

    // A status update typed in the room: answered in its thread, replied in
    // the broadcast thread, and the card and broadcast refreshed in place.
    let (status, _) =
        deliver(&app, &typed(&fakes, "2001", &room, "incident status monitoring rolled back the deploy")).await;
    assert_eq!(status, 200);
    assert_eq!(app.incident(&id).await["status"], "monitoring");
    let answered = fakes.thread(&format!("{room};messageid=2001")).await;
    assert!(answered.iter().any(|a| card(a).to_string().contains("Done")), "{answered:#?}");
    app.wait_for_idle_outbox().await;
    let (card_thread, card_id) = thread_of(&recorded(&app, &id, "card_posted").await);
    let (broadcast_thread, broadcast_id) = thread_of(&recorded(&app, &id, "broadcast_posted").await);
    let replies = fakes.thread(&broadcast_thread).await;
    assert_eq!(replies.len(), 1, "one reply in the broadcast thread: {replies:#?}");
    assert_eq!(replies[0]["replyToId"], broadcast_id.as_str());
    assert!(card(&replies[0]).to_string().to_lowercase().contains("monitoring"), "{}", replies[0]);
    let updates = FakeTeams::received(&fakes.connector, "PUT", "/v3/conversations/").await;
    let updated: Vec<String> = updates.iter().map(|r| r.url.path().to_owned()).collect();
    for (thread, activity) in [(&card_thread, &card_id), (&broadcast_thread, &broadcast_id)] {
        let path = format!("/v3/conversations/{thread}/activities/{activity}");
        assert!(updated.contains(&path), "{path} not updated in place: {updated:?}");
    }
    let refreshed = updates.iter().rev().find(|r| r.url.path().contains(card_thread.as_str())).unwrap();
    let refreshed: Value = serde_json::from_slice(&refreshed.body).unwrap();
    assert!(card(&refreshed).to_string().to_lowercase().contains("monitoring"), "{refreshed}");

    // A button on the card: answered in a dialog, the role taken.
    let data = button_data(&the_card, "become_incident_manager");
    assert_eq!(data["msteams"]["type"], "task/fetch");
    let (status, answer) = deliver(&app, &pressed(&fakes, "f:3001", &room, &card_thread, data)).await;
    assert_eq!(status, 200);
    assert_eq!(answer["task"]["type"], "continue", "{answer}");
    assert_eq!(app.incident(&id).await["roles"]["incident_manager"], "aad-ann");
    let lookups = FakeTeams::received(&fakes.connector, "GET", &format!("/v3/teams/{TEAM_THREAD}")).await;
    assert_eq!(lookups.len(), 1, "the invoke named the team by its thread id; it was looked up");

    // Resolved from Teams, then archived through Graph.
    assert_eq!(deliver(&app, &typed(&fakes, "4001", &room, "incident resolve all good")).await.0, 200);
    assert_eq!(app.incident(&id).await["status"], "resolved");
    let archive = format!("/v1.0/teams/{TEAM}/channels/{room}/archive");
    wait_at_most(Duration::from_secs(30), "the channel is archived", || async {
        let done = !FakeTeams::received(&fakes.graph, "POST", &archive).await.is_empty();
        let archived = count_kind(&app.timeline(&id).await, "room_archived") == 1;
        (done && archived).then_some(())
    })
    .await;
    let events = app.timeline(&id).await;
    assert_eq!(count_kind(&events, "effect_failed"), 0, "{:?}", kinds(&events));
    app.stop().await;
}

/// The message reference the timeline event `kind` (`card_posted`) recorded.
async fn recorded(app: &TestApp, id: &str, kind: &str) -> String {
    let events = app.timeline(id).await;
    let posted = events.iter().find(|e| e["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {events:#?}"));
    let ts = posted.pointer("/message/ts").and_then(Value::as_str);
    ts.unwrap_or_else(|| panic!("no message reference in {posted}")).to_owned()
}

/// An incident declared through the API, its room created; its id and room.
async fn declared(app: &TestApp) -> (String, String) {
    let body =
        json!({ "domain": "payments", "summary": "Card payments fail", "severity": "sev2", "reporter": "aad-ann" });
    let response = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let room = app.wait_for_room(&id).await["room"]["id"].as_str().unwrap().to_owned();
    app.wait_for_idle_outbox().await;
    (id, room)
}

#[tokio::test]
async fn forged_foreign_and_misdirected_activities_are_refused_and_change_nothing() {
    let fakes = FakeTeams::start().await;
    let evil = wiremock::MockServer::start().await;
    let app = server(&fakes, &[]).await;
    let (id, room) = declared(&app).await;
    let before = app.timeline(&id).await.len();
    let resolve = |n: &str| typed(&fakes, n, &room, "incident resolve nothing to see");

    let genuine_url = fakes.service_url();
    let forged = format!("Bearer {}", token(&genuine_url, "forged_key.pem"));
    assert_eq!(post(&app, &resolve("5001"), Some(forged)).await.0, 401, "a forged signature");
    assert_eq!(post(&app, &resolve("5002"), None).await.0, 401, "no token");
    let api_shaped = format!("Bearer {}", "0123456789abcdef0123456789abcdef");
    assert_eq!(post(&app, &resolve("5003"), Some(api_shaped)).await.0, 401, "a bearer that is no Bot Framework token");
    let mut foreign_tenant = resolve("5004");
    foreign_tenant["channelData"]["tenant"]["id"] = json!("0000aaaa-0000-4000-8000-000000000bad");
    assert_eq!(deliver(&app, &foreign_tenant).await.0, 401, "another tenant");
    let mut foreign_team = resolve("5005");
    foreign_team["channelData"]["team"] =
        json!({ "id": "19:elsewhere@thread.tacv2", "aadGroupId": "7e7e7e7e-0000-4000-8000-000000000bad" });
    assert_eq!(deliver(&app, &foreign_team).await.0, 401, "another team of the tenant");
    let mut misdirected = resolve("5006");
    misdirected["serviceUrl"] = json!(format!("{}/teams/", evil.uri()));
    assert_eq!(deliver(&app, &misdirected).await.0, 401, "another Connector");

    assert_eq!(app.incident(&id).await["status"], "open");
    assert_eq!(app.timeline(&id).await.len(), before, "nothing was recorded");
    for n in ["5001", "5002", "5003", "5004", "5005", "5006"] {
        assert!(fakes.thread(&format!("{room};messageid={n}")).await.is_empty(), "{n} was answered");
    }
    assert!(evil.received_requests().await.unwrap().is_empty(), "nothing went where a request said");

    // The same command, genuine, acts: the refusals were not the setup's fault.
    assert_eq!(deliver(&app, &resolve("5007")).await.0, 200);
    assert_eq!(app.incident(&id).await["status"], "resolved");
    // And replayed, it acts once.
    assert_eq!(deliver(&app, &resolve("5007")).await.0, 200);
    assert_eq!(count_kind(&app.timeline(&id).await, "status_changed"), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_teams_route_has_the_servers_body_limit_and_no_api_token() {
    let fakes = FakeTeams::start().await;
    let app = server(&fakes, &[]).await;
    let huge = json!({ "type": "message", "text": "x".repeat(2 * 1024 * 1024) });
    assert_eq!(post(&app, &huge, None).await.0, 413);
    // Refused by the Bot Framework check, not by the API's token guard.
    let response = app.http.post(format!("{}/teams/messages", app.address)).json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.text().await.unwrap(), "Bot Framework authentication failed");
    app.stop().await;
}

#[tokio::test]
async fn without_teams_the_route_says_what_to_set() {
    let app = TestApp::spawn_with_env(&[]).await;
    let response = app.http.post(format!("{}/teams/messages", app.address)).json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("SIMA_CHAT=teams"), "{body}");
    app.stop().await;
}

fn settings(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
    let env: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let settings = Settings::from_env(&env)?;
    settings.validate()?;
    Ok(settings)
}

const TEAMS_VARS: [(&str, &str); 5] = [
    ("SIMA_TEAMS_TENANT_ID", TENANT),
    ("SIMA_TEAMS_APP_ID", fakes::APP_ID),
    ("SIMA_TEAMS_APP_PASSWORD", fakes::APP_PASSWORD),
    ("SIMA_TEAMS_TEAM_ID", TEAM),
    ("SIMA_TEAMS_BROADCAST_CHANNEL", BROADCAST),
];

#[test]
fn teams_settings_without_slack_choose_teams() {
    let chosen = settings(&TEAMS_VARS).unwrap();
    assert_eq!(chosen.chat_provider().unwrap(), sima_server::providers::ChatProvider::Teams);
    assert_eq!(sima_server::wiring::broadcast_room(&chosen).as_str(), BROADCAST);
    let mut with_slack = TEAMS_VARS.to_vec();
    with_slack.push(("SIMA_SLACK_BOT_TOKEN", "xoxb-1"));
    let chosen = settings(&with_slack).unwrap();
    assert_eq!(chosen.chat_provider().unwrap(), sima_server::providers::ChatProvider::Slack);
}

#[test]
fn missing_teams_settings_stop_the_start_naming_each_variable() {
    let said = format!("{:#}", settings(&[("SIMA_CHAT", "teams")]).unwrap_err());
    for variable in [
        "SIMA_TEAMS_TENANT_ID",
        "SIMA_TEAMS_APP_ID",
        "SIMA_TEAMS_APP_PASSWORD",
        "SIMA_TEAMS_TEAM_ID",
        "SIMA_TEAMS_BROADCAST_CHANNEL",
    ] {
        assert!(said.contains(variable), "{variable} not named: {said}");
    }
    let partial = settings(&[("SIMA_TEAMS_TENANT_ID", TENANT)]).unwrap_err();
    assert!(format!("{partial:#}").contains("SIMA_TEAMS_APP_PASSWORD"), "{partial:#}");
}

#[test]
fn teams_urls_must_be_https_or_loopback() {
    for variable in
        ["SIMA_TEAMS_GRAPH_URL", "SIMA_TEAMS_CONNECTOR_URL", "SIMA_TEAMS_TOKEN_URL", "SIMA_TEAMS_OPENID_URL"]
    {
        let mut vars = TEAMS_VARS.to_vec();
        vars.push((variable, "http://teams.example.com/api"));
        let said = format!("{:#}", settings(&vars).unwrap_err());
        assert!(said.contains(variable) && said.contains("https://"), "{said}");
        let mut vars = TEAMS_VARS.to_vec();
        vars.push((variable, "http://127.0.0.1:9/api"));
        settings(&vars).unwrap_or_else(|e| panic!("{variable} on loopback: {e:#}"));
    }
}
