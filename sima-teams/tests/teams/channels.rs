//! Creating the incident channel through Graph when Graph is busy, refuses,
//! fails or times out after it created the channel: rate limits are waited
//! out or handed to the outbox with their `Retry-After`, a retry after a
//! timeout finds the channel the first call made, and never makes a second.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{json, Value};
use sima_core::ports::{ChatPort, PortError, RoomSpec};
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::helpers::{channel, received, Teams, TEAM};

const NAME: &str = "incident_11_25_payments-fail";

fn spec() -> RoomSpec {
    RoomSpec { name_hint: NAME.into(), topic: "Payments fail (open)".into(), key: "inc-42".into(), private: false }
}

async fn create_answers(teams: &Teams, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(format!("/v1.0/teams/{TEAM}/channels")))
        .respond_with(response)
        .mount(&teams.graph)
        .await;
}

async fn creates(teams: &Teams) -> usize {
    received(&teams.graph, "POST", &format!("/v1.0/teams/{TEAM}/channels")).await.len()
}

#[tokio::test]
async fn a_short_rate_limit_is_waited_out_then_the_channel_is_created() {
    let teams = Teams::bare().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&teams.graph)
        .await;
    teams.mount_graph().await;
    let room = teams.chat().create_room(&spec()).await.unwrap();
    assert_eq!(room.name, NAME);
    assert_eq!(creates(&teams).await, 2);
}

#[tokio::test]
async fn a_long_rate_limit_goes_back_to_the_outbox_with_its_retry_after() {
    let teams = Teams::bare().await;
    let throttled = json!({ "error": { "code": "TooManyRequests", "message": "Too many requests" } });
    create_answers(&teams, ResponseTemplate::new(429).insert_header("Retry-After", "120").set_body_json(throttled))
        .await;
    let error = teams.chat().create_room(&spec()).await.unwrap_err();
    assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(120)) });
    assert!(error.is_retryable());
    assert_eq!(creates(&teams).await, 1);
}

#[tokio::test]
async fn a_server_error_is_transient_and_not_repeated_in_process() {
    let teams = Teams::bare().await;
    create_answers(&teams, ResponseTemplate::new(503)).await;
    assert!(matches!(teams.chat().create_room(&spec()).await, Err(PortError::Transient(_))));
    assert_eq!(creates(&teams).await, 1);
}

#[tokio::test]
async fn a_missing_permission_is_unauthorized_and_not_retried() {
    let teams = Teams::bare().await;
    let denied = json!({ "error": { "code": "Forbidden", "message": "Missing role permissions: Channel.Create" } });
    create_answers(&teams, ResponseTemplate::new(403).set_body_json(denied)).await;
    let error = teams.chat().create_room(&spec()).await.unwrap_err();
    assert!(matches!(error, PortError::Unauthorized(_)), "{error}");
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("Forbidden"), "{error}");
}

/// A team's channels as Graph keeps them: a create commits the channel,
/// then answers (late, when `slow_first`); a create of a taken name is a 409.
#[derive(Clone, Default)]
struct FakeTeam {
    channels: Arc<Mutex<Vec<Value>>>,
    slow_first: bool,
}

impl Respond for FakeTeam {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if request.method.as_str() == "GET" {
            let filter = request.url.query_pairs().find(|(k, _)| k == "$filter").map(|(_, v)| v.into_owned());
            let found: Vec<&Value> = channels
                .iter()
                .filter(|c| {
                    filter.as_deref() == Some(&format!("displayName eq '{}'", c["displayName"].as_str().unwrap()))
                })
                .collect();
            return ResponseTemplate::new(200).set_body_json(json!({ "value": found }));
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        if channels.iter().any(|c| c["displayName"] == body["displayName"]) {
            let taken = json!({ "error": { "code": "NameAlreadyExists", "message": "Channel name already existed" } });
            return ResponseTemplate::new(409).set_body_json(taken);
        }
        let created = channel(body["displayName"].as_str().unwrap(), body["description"].as_str().unwrap());
        channels.push(created.clone());
        let answer = ResponseTemplate::new(201).set_body_json(created);
        if self.slow_first && channels.len() == 1 {
            answer.set_delay(Duration::from_secs(4))
        } else {
            answer
        }
    }
}

#[tokio::test]
async fn a_create_that_timed_out_after_graph_made_the_channel_is_found_by_the_retry() {
    let teams = Teams::bare().await;
    let fake = FakeTeam { slow_first: true, ..FakeTeam::default() };
    Mock::given(path(format!("/v1.0/teams/{TEAM}/channels"))).respond_with(fake.clone()).mount(&teams.graph).await;
    let chat = teams.chat();

    let first = chat.create_room(&spec()).await;
    assert!(matches!(first, Err(PortError::Transient(_))), "the answer never came: {first:?}");
    let room = chat.create_room(&spec()).await.unwrap();

    let channels = fake.channels.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(channels.len(), 1, "one channel: {channels:#?}");
    assert_eq!(room.id.as_str(), channels[0]["id"]);
    assert_eq!(room.name, NAME);
    assert_eq!(creates(&teams).await, 2, "the retry's create met the taken name, then looked it up");
}
