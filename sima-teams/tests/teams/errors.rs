//! How Graph, Connector and token endpoint failures reach the core as `PortError`.

use std::time::Duration;

use serde_json::json;
use sima_core::domain::{MessageRef, RoomId};
use sima_core::ports::{ChatPort, PortError, RoomSpec};
use sima_core::testkit::messages::warning;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{received, Teams, TOKEN_PATH};

const ROOM: &str = "19:room@thread.tacv2";

async fn connector_answers(teams: &Teams, response: ResponseTemplate) {
    Mock::given(method("POST")).and(path("/v3/conversations")).respond_with(response).mount(&teams.connector).await;
}

async fn post(teams: &Teams) -> Result<MessageRef, PortError> {
    teams.chat().post(&RoomId::new(ROOM), &warning("Gateway down")).await
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_then_the_post_succeeds() {
    let teams = Teams::bare().await;
    Mock::given(method("POST"))
        .and(path("/v3/conversations"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&teams.connector)
        .await;
    teams.mount_connector().await;
    let started = std::time::Instant::now();
    let posted = post(&teams).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    assert!(posted.ts.ends_with("|1000"));
    assert_eq!(received(&teams.connector, "POST", "/v3/conversations").await.len(), 2);
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_cap_goes_back_to_the_outbox() {
    let teams = Teams::bare().await;
    connector_answers(&teams, ResponseTemplate::new(429).insert_header("Retry-After", "30")).await;
    assert_eq!(post(&teams).await, Err(PortError::RateLimited { retry_after: Some(Duration::from_secs(30)) }));
    assert_eq!(received(&teams.connector, "POST", "/").await.len(), 1);
}

#[tokio::test]
async fn a_rate_limit_without_retry_after_is_retried_after_the_backoff_then_returned() {
    let teams = Teams::bare().await;
    connector_answers(&teams, ResponseTemplate::new(429)).await;
    assert_eq!(post(&teams).await, Err(PortError::RateLimited { retry_after: None }));
    assert_eq!(received(&teams.connector, "POST", "/").await.len(), 3, "max_attempts");
}

#[tokio::test]
async fn an_absurd_retry_after_is_capped_at_an_hour_not_waited() {
    let teams = Teams::bare().await;
    connector_answers(&teams, ResponseTemplate::new(429).insert_header("Retry-After", "1e30")).await;
    assert_eq!(post(&teams).await, Err(PortError::RateLimited { retry_after: Some(PortError::MAX_RETRY_AFTER) }));
    assert_eq!(received(&teams.connector, "POST", "/").await.len(), 1);
}

#[tokio::test]
async fn server_errors_are_transient_and_not_repeated_in_process() {
    let teams = Teams::bare().await;
    connector_answers(&teams, ResponseTemplate::new(503)).await;
    assert!(matches!(post(&teams).await, Err(PortError::Transient(_))));
    assert_eq!(received(&teams.connector, "POST", "/").await.len(), 1, "a 5xx may hide a posted message");
}

#[tokio::test]
async fn a_garbage_success_body_is_an_error_not_a_panic() {
    let teams = Teams::bare().await;
    connector_answers(&teams, ResponseTemplate::new(200).set_body_string("<html>gateway says hi</html>")).await;
    assert!(matches!(post(&teams).await, Err(PortError::Invalid(_))));
    let teams = Teams::bare().await;
    connector_answers(&teams, ResponseTemplate::new(201).set_body_json(json!({ "id": "19:no-message-id" }))).await;
    assert!(matches!(post(&teams).await, Err(PortError::Invalid(_))));
}

#[tokio::test]
async fn client_errors_map_to_their_port_errors() {
    for (status, expected) in [
        (400, PortError::Invalid(String::new())),
        (401, PortError::Unauthorized(String::new())),
        (403, PortError::Unauthorized(String::new())),
        (404, PortError::NotFound(String::new())),
        (409, PortError::Conflict(String::new())),
    ] {
        let teams = Teams::bare().await;
        let error = json!({ "error": { "code": "BadArgument", "message": "no" } });
        connector_answers(&teams, ResponseTemplate::new(status).set_body_json(error)).await;
        let got = post(&teams).await.unwrap_err();
        assert_eq!(std::mem::discriminant(&got), std::mem::discriminant(&expected), "{status}: {got}");
        assert!(got.to_string().contains("BadArgument"), "{got}");
    }
}

#[tokio::test]
async fn a_timeout_is_transient() {
    let teams = Teams::bare().await;
    connector_answers(&teams, ResponseTemplate::new(201).set_delay(Duration::from_secs(4))).await;
    assert!(matches!(post(&teams).await, Err(PortError::Transient(_))));
}

#[tokio::test]
async fn refused_app_credentials_are_unauthorized() {
    let teams = Teams {
        graph: wiremock::MockServer::start().await,
        connector: wiremock::MockServer::start().await,
        login: wiremock::MockServer::start().await,
    };
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "error": "invalid_client" })))
        .mount(&teams.login)
        .await;
    let spec = RoomSpec { name_hint: "incident_x".into(), topic: String::new(), key: "k".into(), private: false };
    assert!(matches!(teams.chat().create_room(&spec).await, Err(PortError::Unauthorized(_))));
    assert!(teams.graph.received_requests().await.unwrap().is_empty());
}
