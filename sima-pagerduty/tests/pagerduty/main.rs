//! `PagerDutyPager` against a wiremock Events API.

mod helpers;

use std::time::Duration;

use serde_json::json;
use sima_core::domain::{PageRef, Severity};
use sima_core::ports::{PagingPort, PortError};
use sima_pagerduty::{PagerDutyConfig, PagerDutyPager};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use helpers::{page, TestPager, DEFAULT_KEY, EMAIL_KEY, INCIDENT_ID};

fn page_ref(service: &str) -> PageRef {
    PageRef { dedup_key: INCIDENT_ID.into(), service: service.into() }
}

#[tokio::test]
async fn trigger_sends_the_event_pagerduty_expects() {
    let pd = TestPager::start().await;
    pd.accept_all().await;

    let reference = pd.pager.trigger(&page()).await.unwrap();

    assert_eq!(reference, page_ref("outbound-email"));
    let requests = pd.requests().await;
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method.as_str(), "POST");
    assert_eq!(requests[0].url.path(), "/v2/enqueue");
    assert_eq!(requests[0].headers.get("content-type").unwrap(), "application/json");
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "routing_key": EMAIL_KEY,
            "event_action": "trigger",
            "dedup_key": INCIDENT_ID,
            "payload": {
                "summary": "INC-42: outbound e-mails are not delivered",
                "source": "sima",
                "severity": "error",
                "timestamp": "2025-03-14T09:26:53Z",
                "component": "outbound-email",
                "custom_details": {
                    "number": "INC-42",
                    "impact": "120",
                    "reporter": "U024BE7LH",
                    "description": "Every message since 09:20 is queued."
                }
            },
            "links": [
                {"href": "https://acme.slack.com/archives/C0INC42", "text": "Incident channel"},
                {"href": format!("https://sima.example.com/api/v1/incidents/{INCIDENT_ID}"), "text": "Incident in SIMA"}
            ]
        })
    );
}

#[tokio::test]
async fn each_severity_is_sent_on_pagerduty_scale() {
    let pd = TestPager::start().await;
    pd.accept_all().await;
    for severity in Severity::ALL {
        pd.pager.trigger(&helpers::Page { severity, ..page() }).await.unwrap();
    }
    let sent: Vec<_> = pd.bodies().await.iter().map(|b| b["payload"]["severity"].clone()).collect();
    assert_eq!(sent, [json!("critical"), json!("error"), json!("warning"), json!("info")]);
}

#[tokio::test]
async fn a_domain_without_its_own_key_uses_the_default_key() {
    let pd = TestPager::start().await;
    pd.accept_all().await;
    let billing = helpers::Page { service: "billing".into(), ..page() };

    let reference = pd.pager.trigger(&billing).await.unwrap();

    assert_eq!(reference.service, "billing");
    let body = &pd.bodies().await[0];
    assert_eq!(body["routing_key"], DEFAULT_KEY);
    assert_eq!(body["payload"]["component"], "billing");
}

#[tokio::test]
async fn a_long_summary_is_truncated_to_1024_characters() {
    let pd = TestPager::start().await;
    pd.accept_all().await;
    pd.pager.trigger(&helpers::Page { summary: "x".repeat(5000), ..page() }).await.unwrap();
    let summary = pd.bodies().await[0]["payload"]["summary"].as_str().unwrap().to_owned();
    assert_eq!(summary.chars().count(), 1024);
}

#[tokio::test]
async fn acknowledge_and_resolve_reuse_the_dedup_key() {
    let pd = TestPager::start().await;
    pd.accept_all().await;

    pd.pager.acknowledge(&page_ref("outbound-email")).await.unwrap();
    pd.pager.resolve(&page_ref("billing")).await.unwrap();

    assert_eq!(
        pd.bodies().await,
        [
            json!({"routing_key": EMAIL_KEY, "event_action": "acknowledge", "dedup_key": INCIDENT_ID}),
            json!({"routing_key": DEFAULT_KEY, "event_action": "resolve", "dedup_key": INCIDENT_ID}),
        ]
    );
}

#[tokio::test]
async fn a_400_is_invalid_with_pagerduty_errors_and_never_retried() {
    let pd = TestPager::start().await;
    let refusal: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/enqueue_invalid_response.json")).unwrap();
    pd.answer(400, refusal, 10).await;

    let error = pd.pager.trigger(&page()).await.unwrap_err();

    assert_eq!(
        error,
        PortError::Invalid(
            "PagerDuty refused the event: Event object is invalid \
             (Length of 'routing_key' is incorrect (should be 32 characters))"
                .into()
        )
    );
    assert_eq!(pd.requests().await.len(), 1, "a refused event must not be sent again");
}

#[tokio::test]
async fn a_429_then_success_is_retried_in_process() {
    let pd = TestPager::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/enqueue"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&pd.server)
        .await;
    pd.accept_all().await;

    pd.pager.resolve(&page_ref("outbound-email")).await.unwrap();

    let bodies = pd.bodies().await;
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1], "the retry sends the same event");
}

#[tokio::test]
async fn persistent_429s_become_rate_limited_after_three_attempts() {
    let pd = TestPager::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/enqueue"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .mount(&pd.server)
        .await;
    let started = std::time::Instant::now();

    let error = pd.pager.trigger(&page()).await.unwrap_err();

    assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(1)) });
    assert_eq!(pd.requests().await.len(), 3);
    assert!(started.elapsed() >= Duration::from_secs(2), "Retry-After was not honoured");
}

#[tokio::test]
async fn a_retry_after_beyond_the_bound_is_returned_not_slept() {
    let pd = TestPager::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/enqueue"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .mount(&pd.server)
        .await;

    let error = pd.pager.trigger(&page()).await.unwrap_err();

    assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(3600)) });
    assert_eq!(pd.requests().await.len(), 1);
}

#[tokio::test]
async fn an_absurd_retry_after_is_returned_capped_not_a_panic() {
    let pd = TestPager::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/enqueue"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "100000000000000000000"))
        .mount(&pd.server)
        .await;

    let error = pd.pager.trigger(&page()).await.unwrap_err();

    assert_eq!(error, PortError::RateLimited { retry_after: Some(PortError::MAX_RETRY_AFTER) });
    assert!(error.to_string().starts_with("rate limited"), "{error}");
    assert_eq!(pd.requests().await.len(), 1, "not slept on, not retried in process");
}

#[tokio::test]
async fn a_429_without_retry_after_is_rate_limited_without_a_wait() {
    let pd = TestPager::start().await;
    pd.answer(
        429,
        json!({"status": "throttle event", "message": "Requests for this service are arriving too quickly"}),
        10,
    )
    .await;
    let error = pd.pager.acknowledge(&page_ref("outbound-email")).await.unwrap_err();
    assert_eq!(error, PortError::RateLimited { retry_after: None });
    assert_eq!(pd.requests().await.len(), 3);
}

#[tokio::test]
async fn server_errors_are_retried_then_transient() {
    let pd = TestPager::start().await;
    pd.answer(500, json!({"status": "error"}), 2).await;
    pd.accept_all().await;
    pd.pager.trigger(&page()).await.unwrap();
    assert_eq!(pd.requests().await.len(), 3, "two 500s then a 202");

    let pd = TestPager::start().await;
    pd.answer(503, json!({}), 10).await;
    let error = pd.pager.trigger(&page()).await.unwrap_err();
    assert!(matches!(&error, PortError::Transient(text) if text.contains("503")), "{error:?}");
    assert_eq!(pd.requests().await.len(), 3);
}

#[tokio::test]
async fn an_unreachable_pagerduty_is_transient() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let events_url = format!("http://{}/v2/enqueue", closed.local_addr().unwrap());
    drop(closed);
    let mut config = PagerDutyConfig::new(DEFAULT_KEY).with_events_url(events_url);
    config.http.backoff_ms = 0;
    let pager = PagerDutyPager::new(config).unwrap();

    let error = pager.trigger(&page()).await.unwrap_err();

    assert!(matches!(error, PortError::Transient(_)), "{error:?}");
}

#[tokio::test]
async fn other_statuses_map_to_port_errors() {
    for (status, expected) in [
        (401, PortError::Unauthorized(String::new())),
        (403, PortError::Unauthorized(String::new())),
        (404, PortError::NotFound(String::new())),
        (409, PortError::Conflict(String::new())),
        (413, PortError::Invalid(String::new())),
    ] {
        let pd = TestPager::start().await;
        pd.answer(status, json!({"message": "nope"}), 10).await;
        let error = pd.pager.trigger(&page()).await.unwrap_err();
        assert_eq!(std::mem::discriminant(&error), std::mem::discriminant(&expected), "{status}: {error:?}");
        assert_eq!(pd.requests().await.len(), 1, "{status} is not retried");
    }
}

#[tokio::test]
async fn no_routing_key_is_invalid_and_sends_nothing() {
    let server = MockServer::start().await;
    let config = PagerDutyConfig::default()
        .with_routing_key("billing", EMAIL_KEY)
        .with_events_url(format!("{}/v2/enqueue", server.uri()));
    let pd = TestPager::with_config(server, config);

    let error = pd.pager.trigger(&page()).await.unwrap_err();

    assert!(matches!(&error, PortError::Invalid(text) if text.contains("outbound-email")), "{error:?}");
    assert!(pd.requests().await.is_empty());
}

#[tokio::test]
async fn an_overlong_dedup_key_is_invalid_and_sends_nothing() {
    let pd = TestPager::start().await;
    pd.accept_all().await;
    let error = pd.pager.trigger(&helpers::Page { dedup_key: "k".repeat(256), ..page() }).await.unwrap_err();
    assert!(matches!(error, PortError::Invalid(_)), "{error:?}");
    assert!(pd.requests().await.is_empty());
}

#[test]
fn the_pager_is_built_from_config() {
    let pager = PagerDutyPager::new(PagerDutyConfig::new(DEFAULT_KEY)).unwrap();
    assert_eq!(pager.config().events_url, sima_pagerduty::DEFAULT_EVENTS_URL);
}
