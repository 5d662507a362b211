//! Each Jira answer that is not a success, and the `PortError` it becomes.

use std::time::{Duration, Instant};

use serde_json::json;
use sima_core::domain::Ticket;
use sima_core::ports::{PortError, TrackerPort};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{draft, key, refusal, TestJira, API};

async fn answer_search(jira: &TestJira, response: ResponseTemplate, times: u64) {
    let mock = Mock::given(method("POST")).and(path(format!("{API}/search/jql"))).respond_with(response);
    mock.up_to_n_times(times).with_priority(1).mount(&jira.server).await;
}

async fn answer_create(jira: &TestJira, response: ResponseTemplate) {
    Mock::given(method("POST")).and(path(format!("{API}/issue"))).respond_with(response).mount(&jira.server).await;
}

fn ticket() -> Ticket {
    Ticket {
        id: "10042".into(),
        key: "OPS-1".into(),
        url: "https://acme.atlassian.net/browse/OPS-1".into(),
        status: "To Do".into(),
        state: Default::default(),
    }
}

#[tokio::test]
async fn a_long_retry_after_is_rate_limited_with_its_duration() {
    let jira = TestJira::start().await;
    answer_search(&jira, ResponseTemplate::new(429).insert_header("Retry-After", "120"), 10).await;

    let error = jira.tracker.find(key()).await.unwrap_err();

    assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(120)) });
    assert_eq!(jira.requests("POST", &format!("{API}/search/jql")).await.len(), 1, "not slept in process");
}

#[tokio::test]
async fn a_short_retry_after_is_waited_out() {
    let jira = TestJira::start().await;
    answer_search(&jira, ResponseTemplate::new(429).insert_header("Retry-After", "1"), 1).await;
    let started = Instant::now();

    assert_eq!(jira.tracker.find(key()).await.unwrap(), None);

    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    assert_eq!(jira.requests("POST", &format!("{API}/search/jql")).await.len(), 2);
}

#[tokio::test]
async fn a_5xx_is_transient_and_a_create_is_never_repeated() {
    let jira = TestJira::start().await;
    answer_create(&jira, ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>")).await;

    let error = jira.tracker.create(&draft()).await.unwrap_err();

    assert!(matches!(&error, PortError::Transient(m) if m.contains("503")), "{error:?}");
    assert_eq!(jira.requests("POST", &format!("{API}/issue")).await.len(), 1);

    // A search is a read: it is tried again in process before giving up.
    answer_search(&jira, ResponseTemplate::new(502), 10).await;
    let error = jira.tracker.find(key()).await.unwrap_err();
    assert!(matches!(error, PortError::Transient(_)), "{error:?}");
    assert_eq!(jira.requests("POST", &format!("{API}/search/jql")).await.len(), 1 + 3);
}

#[tokio::test]
async fn garbage_is_invalid() {
    let jira = TestJira::start().await;
    answer_search(&jira, ResponseTemplate::new(200).set_body_string("<html>Log in</html>"), 1).await;
    let error = jira.tracker.find(key()).await.unwrap_err();
    assert!(matches!(&error, PortError::Invalid(m) if m.contains("Log in")), "{error:?}");

    answer_search(&jira, ResponseTemplate::new(200).set_body_json(json!({ "values": [] })), 1).await;
    assert!(matches!(jira.tracker.find(key()).await, Err(PortError::Invalid(_))));

    // An issue whose key is no Jira key is not turned into a link.
    let odd = json!({ "issues": [{ "id": "1", "key": "../../admin", "fields": {
        "labels": ["sima-inc-7-2"], "status": { "name": "x", "statusCategory": { "key": "new" } } } }] });
    answer_search(&jira, ResponseTemplate::new(200).set_body_json(odd), 1).await;
    assert!(matches!(jira.tracker.find(key()).await, Err(PortError::Invalid(_))));

    Mock::given(method("GET"))
        .and(path(format!("{API}/issue/10042")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "10042", "key": "OPS-1", "fields": {} })))
        .mount(&jira.server)
        .await;
    assert!(matches!(jira.tracker.read(&ticket()).await, Err(PortError::Invalid(_))));
}

#[tokio::test]
async fn bad_credentials_are_unauthorized() {
    let jira = TestJira::start().await;
    let unauthorized = ResponseTemplate::new(401)
        .insert_header("WWW-Authenticate", "OAuth realm=\"https%3A%2F%2Facme.atlassian.net\"")
        .set_body_string("Client must be authenticated to access this resource.");
    answer_search(&jira, unauthorized, 10).await;

    let error = jira.tracker.create(&draft()).await.unwrap_err();

    assert!(matches!(&error, PortError::Unauthorized(m) if m.contains("authenticated")), "{error:?}");
    assert!(jira.requests("POST", &format!("{API}/issue")).await.is_empty(), "nothing created");
}

#[tokio::test]
async fn a_refused_create_is_invalid_with_jiras_reasons() {
    let jira = TestJira::start().await;
    let refused = refusal(400, &[], json!({ "issuetype": "Specify a valid issue type" }));
    answer_create(&jira, refused).await;

    let error = jira.tracker.create(&draft()).await.unwrap_err();

    assert_eq!(error, PortError::Invalid("Jira answered HTTP 400: issuetype: Specify a valid issue type".into()));
}

#[tokio::test]
async fn a_missing_issue_is_not_found() {
    let jira = TestJira::start().await;

    let read = jira.tracker.read(&ticket()).await.unwrap_err();
    let update = jira.tracker.update(&ticket(), &draft()).await.unwrap_err();
    let close = jira.tracker.set_state(&ticket(), sima_core::domain::TicketState::Done).await.unwrap_err();

    for error in [read, update, close] {
        assert!(matches!(&error, PortError::NotFound(m) if m.contains("Issue does not exist")), "{error:?}");
    }
}
