//! Rate limits: bounded in-process retries that honour `Retry-After`.

use std::time::{Duration, Instant};

use serde_json::json;
use sima_core::domain::RoomId;
use sima_core::model::Message;
use sima_core::ports::{ChatPort, PortError};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{calls, chat, fixture_json};

fn message() -> Message {
    Message { text: "hello".into(), blocks: vec![] }
}

fn too_many(retry_after: &str) -> ResponseTemplate {
    ResponseTemplate::new(429).insert_header("retry-after", retry_after)
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(too_many("1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("chat_postMessage.json")))
        .mount(&server)
        .await;

    let started = Instant::now();
    let posted = chat(&server).post(&RoomId::new("C0INCIDENT"), &message()).await.unwrap();

    assert_eq!(posted.ts, "1700000200.000300");
    assert_eq!(calls(&server).await, ["chat.postMessage", "chat.postMessage"]);
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn the_ratelimited_code_is_retried_too() {
    let server = MockServer::start().await;
    Mock::given(path("/pins.add"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"ok": false, "error": "ratelimited"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/pins.add"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;

    let pinned = sima_core::domain::MessageRef { room: RoomId::new("C1"), ts: "1.2".into() };
    chat(&server).pin(&pinned).await.unwrap();
    assert_eq!(calls(&server).await.len(), 2);
}

#[tokio::test]
async fn retries_stop_after_three_attempts() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage")).respond_with(too_many("0")).expect(3).mount(&server).await;
    let error = chat(&server).post(&RoomId::new("C1"), &message()).await.unwrap_err();
    assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(0)) });
}

#[tokio::test]
async fn a_long_retry_after_is_returned_not_waited() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage")).respond_with(too_many("120")).expect(1).mount(&server).await;
    let started = Instant::now();
    let error = chat(&server).post(&RoomId::new("C1"), &message()).await.unwrap_err();
    assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(120)) });
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_429_without_retry_after_is_retried_after_the_backoff() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage")).respond_with(ResponseTemplate::new(429)).expect(3).mount(&server).await;
    let error = chat(&server).post(&RoomId::new("C1"), &message()).await.unwrap_err();
    assert_eq!(error, PortError::RateLimited { retry_after: None });
}

#[tokio::test]
async fn an_absurd_retry_after_is_capped_at_an_hour_not_waited() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(too_many("100000000000000000000"))
        .expect(1)
        .mount(&server)
        .await;
    let error = chat(&server).post(&RoomId::new("C1"), &message()).await.unwrap_err();
    assert_eq!(error, PortError::RateLimited { retry_after: Some(PortError::MAX_RETRY_AFTER) });
}
