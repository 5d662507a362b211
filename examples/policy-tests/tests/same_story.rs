//! The same incident story under Acme's policy, once with Slack and once with
//! Teams as the chat platform (each adapter against a mock of its service):
//! the core records the same events and completes the same runbook steps.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use sima_core::domain::{
    Actor, Command, Declaration, Description, Domain, IncidentRef, Severity, Status, Summary, Text, UserRef,
};
use sima_core::ports::ChatPort;
use sima_core::testkit::TestEngine;
use sima_slack::{Secret, SlackChat, SlackConfig};
use sima_teams::{TeamsChat, TeamsConfig};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// What one run of the story leaves behind.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    /// Event kinds, sorted: independent steps run concurrently, so their order varies.
    kinds: Vec<&'static str>,
    room_name: String,
    status: Status,
    failed_effects: usize,
}

/// Declares a sev2 in checkout, posts a status update, then resolves it,
/// running the runbook after each step.
async fn story(chat: Arc<dyn ChatPort>) -> Outcome {
    let test = TestEngine::with(|builder| builder.runbook(policy_tests::runbook()).chat(chat));
    let (service, worker) = (test.engine.service(), test.engine.worker());
    let ann = UserRef::parse("U1ANN").unwrap();
    let declaration = Declaration {
        domain: Domain::parse("checkout").unwrap(),
        summary: Summary::parse("Payments fail").unwrap(),
        description: Description::parse("Card payments are refused").unwrap(),
        severity: Severity::Sev2,
        impact: None,
        started_at: None,
        dedup_key: None,
        reporter: Actor::User(ann.clone()),
        private: false,
        incident_type: None,
        fields: Default::default(),
    };
    let id = service.declare(declaration).await.unwrap().incident.id();
    worker.run_until_idle().await.unwrap();
    for (to, message) in [(Status::Monitoring, "rolled back the deploy"), (Status::Resolved, "payments flow again")] {
        let command = Command::ChangeStatus { to, message: Some(Text::parse(message).unwrap()) };
        service.execute(id, Actor::User(ann.clone()), command).await.unwrap();
        worker.run_until_idle().await.unwrap();
    }
    let (incident, events) = service.timeline(IncidentRef::Id(id)).await.unwrap();
    let mut kinds: Vec<&'static str> = events.iter().map(|e| e.kind.name()).collect();
    kinds.sort_unstable();
    Outcome {
        kinds,
        room_name: incident.room().map(|r| r.name.clone()).unwrap_or_default(),
        status: incident.status(),
        failed_effects: incident.failed_effects().len(),
    }
}

/// A mock Slack Web API that accepts every call.
async fn slack() -> (MockServer, Arc<dyn ChatPort>) {
    let server = MockServer::start().await;
    let ts = AtomicU64::new(1);
    Mock::given(method("POST"))
        .respond_with(move |request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let answer = match request.url.path() {
                "/conversations.create" => json!({ "ok": true, "channel": { "id": "C1", "name": body["name"] } }),
                "/chat.postMessage" => json!({
                    "ok": true,
                    "channel": body["channel"],
                    "ts": format!("{}.0", ts.fetch_add(1, Ordering::SeqCst)),
                }),
                _ => json!({ "ok": true }),
            };
            ResponseTemplate::new(200).set_body_json(answer)
        })
        .mount(&server)
        .await;
    let config = SlackConfig::new(Secret::new("xoxb-1"), Secret::new("signing")).with_api_url(server.uri());
    (server, Arc::new(SlackChat::new(config).unwrap()))
}

/// A mock Microsoft login, Graph and Bot Framework Connector on one server.
async fn teams() -> (MockServer, Arc<dyn ChatPort>) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "expires_in": 3600, "access_token": "t" })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/teams/team-1/channels"))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let name = body["displayName"].as_str().unwrap_or_default();
            ResponseTemplate::new(201).set_body_json(json!({
                "id": format!("19:{name}@thread.tacv2"),
                "displayName": name,
                "webUrl": format!("https://teams.microsoft.com/l/channel/{name}"),
            }))
        })
        .mount(&server)
        .await;
    let next = Arc::new(AtomicU64::new(1));
    let threads = next.clone();
    Mock::given(method("POST"))
        .and(path("/v3/conversations"))
        .respond_with(move |request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let channel = body["channelData"]["channel"]["id"].as_str().unwrap_or_default().to_owned();
            let id = threads.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(201)
                .set_body_json(json!({ "id": format!("{channel};messageid={id}"), "activityId": id.to_string() }))
        })
        .mount(&server)
        .await;
    Mock::given(path_regex("^/v3/conversations/[^/]+/activities"))
        .respond_with(move |_: &Request| {
            ResponseTemplate::new(200).set_body_json(json!({ "id": next.fetch_add(1, Ordering::SeqCst).to_string() }))
        })
        .mount(&server)
        .await;
    let mut config = TeamsConfig::new("tenant-1", "app-1", Secret::new("password"), "team-1");
    config.graph_url = format!("{}/v1.0", server.uri());
    config.connector_url = server.uri();
    config.token_url = Some(format!("{}/token", server.uri()));
    (server, Arc::new(TeamsChat::new(config).unwrap()))
}

#[tokio::test]
async fn slack_and_teams_tell_the_same_story() {
    let (slack_server, slack_chat) = slack().await;
    let (teams_server, teams_chat) = teams().await;
    let on_slack = story(slack_chat).await;
    let on_teams = story(teams_chat).await;

    assert_eq!(on_slack, on_teams);
    assert_eq!(on_teams.status, Status::Resolved);
    assert_eq!(on_teams.room_name, "inc_11_25_payments-fail");
    assert_eq!(on_teams.failed_effects, 0);
    for kind in [
        "declared",
        "room_created",
        "members_invited",
        "card_posted",
        "broadcast_posted",
        "paged",
        "status_changed",
        "postmortem_created",
        "page_resolved",
    ] {
        assert!(on_teams.kinds.contains(&kind), "{kind} missing from {:?}", on_teams.kinds);
    }
    assert!(!on_teams.kinds.contains(&"effect_failed"));

    // Each platform was really called for the story, in its own way.
    let paths = |requests: Vec<Request>| requests.into_iter().map(|r| r.url.path().to_owned()).collect::<Vec<_>>();
    let slack_calls = paths(slack_server.received_requests().await.unwrap());
    assert!(slack_calls.contains(&"/pins.add".to_owned()), "{slack_calls:?}");
    let teams_calls = paths(teams_server.received_requests().await.unwrap());
    assert!(teams_calls.contains(&"/v1.0/teams/team-1/channels".to_owned()), "{teams_calls:?}");
    assert!(teams_calls.iter().any(|p| p.starts_with("/v3/conversations/")), "{teams_calls:?}");
}
