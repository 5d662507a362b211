//! The Confluence example against a mock Confluence: the request it receives
//! and the `PortError` each answer becomes.

mod helpers;
mod private;
mod updates;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sima_confluence::{storage_format, ConfluenceConfig, ConfluenceDocs, ConfluenceError, Secret};
use sima_core::ports::{DocsPort, PortError};
use wiremock::matchers::{basic_auth, bearer_token, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use helpers::{config, created, document, no_pages_yet, refusal, Space, TestConfluence, EMAIL, PAGES, SPACE, TOKEN};

#[tokio::test]
async fn creates_the_page_confluence_expects() {
    let confluence = TestConfluence::start().await;
    Mock::given(method("POST"))
        .and(path(PAGES))
        .and(basic_auth(EMAIL, TOKEN))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(created()))
        .expect(1)
        .mount(&confluence.server)
        .await;

    let doc = confluence.docs.create_postmortem(&document()).await.unwrap();

    assert_eq!(doc.id, "557060");
    assert_eq!(doc.url, "https://acme.atlassian.net/wiki/spaces/OPS/pages/557060/Post-mortem+INC-7");
    let requests = confluence.requests().await;
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "spaceId": SPACE,
            "status": "current",
            "title": "Post-mortem INC-7",
            "body": { "representation": "storage", "value": storage_format(&document()) },
        })
    );
    assert!(body["body"]["value"].as_str().unwrap().contains("Emails &lt;late&gt; &amp; queued"));
}

#[tokio::test]
async fn without_an_email_the_token_is_sent_as_bearer() {
    let server = MockServer::start().await;
    let mut page = created();
    page["_links"] = json!({ "webui": "/spaces/OPS/pages/557060" });
    Mock::given(method("POST"))
        .and(path(PAGES))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .expect(1)
        .mount(&server)
        .await;
    no_pages_yet(&server).await;
    let docs = ConfluenceDocs::new(config(&server)).unwrap();

    let doc = docs.create_postmortem(&document()).await.unwrap();

    assert_eq!(doc.url, format!("{}/wiki/spaces/OPS/pages/557060", server.uri()));
}

#[tokio::test]
async fn a_429_is_waited_out_then_the_page_is_created_once() {
    let confluence = TestConfluence::start().await;
    confluence.answer(ResponseTemplate::new(429).insert_header("Retry-After", "1"), 1).await;
    confluence.answer(ResponseTemplate::new(200).set_body_json(created()), 0).await;
    let started = Instant::now();

    confluence.docs.create_postmortem(&document()).await.unwrap();

    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    let requests = confluence.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body, "the retry sends the same page");
}

#[tokio::test]
async fn a_long_retry_after_is_returned_as_rate_limited_not_slept() {
    for (retry_after, expected) in [("120", Duration::from_secs(120)), ("1e12", PortError::MAX_RETRY_AFTER)] {
        let confluence = TestConfluence::start().await;
        confluence.answer(ResponseTemplate::new(429).insert_header("Retry-After", retry_after), 0).await;

        let error = confluence.docs.create_postmortem(&document()).await.unwrap_err();

        assert_eq!(error, PortError::RateLimited { retry_after: Some(expected) }, "{retry_after}");
        assert_eq!(confluence.requests().await.len(), 1, "{retry_after}");
    }
}

#[tokio::test]
async fn persistent_429s_give_up_after_max_attempts() {
    let confluence = TestConfluence::start().await;
    confluence.answer(ResponseTemplate::new(429), 0).await;

    let error = confluence.docs.create_postmortem(&document()).await.unwrap_err();

    assert_eq!(error, PortError::RateLimited { retry_after: None });
    assert_eq!(confluence.requests().await.len(), 3);
}

#[tokio::test]
async fn server_errors_are_transient_and_not_repeated_in_process() {
    for status in [500, 502, 503] {
        let confluence = TestConfluence::start().await;
        confluence.answer(ResponseTemplate::new(status).insert_header("Retry-After", "1"), 0).await;

        let error = confluence.docs.create_postmortem(&document()).await.unwrap_err();

        assert!(matches!(&error, PortError::Transient(text) if text.contains(&status.to_string())), "{error:?}");
        assert_eq!(confluence.requests().await.len(), 1, "{status}: the page may have been created");
    }
}

#[tokio::test]
async fn client_errors_map_through_the_shared_table_and_keep_confluence_words() {
    for (status, expected) in [
        (400, PortError::Invalid(String::new())),
        (401, PortError::Unauthorized(String::new())),
        (403, PortError::Unauthorized(String::new())),
        (404, PortError::NotFound(String::new())),
        (409, PortError::Conflict(String::new())),
        (413, PortError::Invalid(String::new())),
    ] {
        let confluence = TestConfluence::start().await;
        confluence.answer(refusal(status, "the words Confluence said"), 0).await;

        let error = confluence.docs.create_postmortem(&document()).await.unwrap_err();

        assert_eq!(std::mem::discriminant(&error), std::mem::discriminant(&expected), "{status}: {error:?}");
        assert!(error.to_string().contains("the words Confluence said"), "{status}: {error}");
        assert_eq!(confluence.requests().await.len(), 1, "{status} is not retried");
    }
}

#[tokio::test]
async fn an_unreadable_success_and_a_timeout_are_transient() {
    let confluence = TestConfluence::start().await;
    confluence.answer(ResponseTemplate::new(200).set_body_string("<html>hi</html>"), 1).await;
    confluence.answer(ResponseTemplate::new(200).set_body_json(json!({ "status": "current" })), 1).await;
    confluence.answer(ResponseTemplate::new(200).set_body_json(created()).set_delay(Duration::from_secs(3)), 1).await;
    for _ in 0..3 {
        let error = confluence.docs.create_postmortem(&document()).await.unwrap_err();
        assert!(matches!(error, PortError::Transient(_)), "{error:?}");
    }
}

#[tokio::test]
async fn an_unreachable_confluence_is_transient() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let docs = ConfluenceDocs::new(ConfluenceConfig::new(base_url, SPACE, Secret::new(TOKEN))).unwrap();

    let error = docs.create_postmortem(&document()).await.unwrap_err();

    assert!(matches!(error, PortError::Transient(_)), "{error:?}");
}

#[test]
fn a_base_url_that_is_no_url_is_refused_at_construction() {
    let error = ConfluenceDocs::new(ConfluenceConfig::new("acme", SPACE, Secret::new(TOKEN))).unwrap_err();
    assert!(matches!(error, ConfluenceError::Config(_)), "{error:?}");
    assert!(!format!("{error:?} {error}").contains(TOKEN));
}

/// The creates that made a page in `space` (refused ones left out).
fn pages_made(space: &Space) -> usize {
    space.pages.lock().unwrap().len()
}

#[tokio::test]
async fn a_create_that_timed_out_is_found_by_the_retry_not_made_twice() {
    let server = MockServer::start().await;
    let space =
        Space::new(Some(ResponseTemplate::new(200).set_body_json(created()).set_delay(Duration::from_secs(3))), 1);
    space.mount(&server).await;
    let docs = ConfluenceDocs::new(config(&server).with_email(EMAIL).with_parent_id("557057")).unwrap();

    let first = docs.create_postmortem(&document()).await.unwrap_err();
    let retried = docs.create_postmortem(&document()).await.unwrap();

    assert!(matches!(first, PortError::Transient(_)), "{first:?}");
    assert_eq!(retried.id, "557060");
    assert_eq!(retried.url, "https://acme.atlassian.net/wiki/spaces/OPS/pages/557060/Post-mortem+INC-7");
    assert_eq!(pages_made(&space), 1);
    let requests = server.received_requests().await.unwrap();
    let posts: Vec<_> = requests.iter().filter(|r| r.method.as_str() == "POST").collect();
    assert_eq!(posts.len(), 1, "the retry looked the page up instead of posting it again");
    let body: Value = serde_json::from_slice(&posts[0].body).unwrap();
    assert_eq!((body["spaceId"].as_str(), body["parentId"].as_str()), (Some(SPACE), Some("557057")));
    let lookup = requests.iter().find(|r| r.method.as_str() == "GET").unwrap();
    let query: Vec<(String, String)> = lookup.url.query_pairs().into_owned().collect();
    for pair in [("space-id", SPACE), ("title", "Post-mortem INC-7"), ("status", "current")] {
        assert!(query.contains(&(pair.0.to_owned(), pair.1.to_owned())), "{query:?}");
    }
}

#[tokio::test]
async fn a_create_answered_5xx_is_found_by_the_retry_not_made_twice() {
    let server = MockServer::start().await;
    let space = Space::new(Some(refusal(502, "Bad Gateway")), 1);
    space.mount(&server).await;
    let docs = ConfluenceDocs::new(config(&server).with_email(EMAIL)).unwrap();

    let first = docs.create_postmortem(&document()).await.unwrap_err();
    let retried = docs.create_postmortem(&document()).await.unwrap();
    let again = docs.create_postmortem(&document()).await.unwrap();

    assert!(matches!(first, PortError::Transient(_)), "{first:?}");
    assert_eq!((retried.id.as_str(), again.id.as_str()), ("557060", "557060"));
    assert_eq!(pages_made(&space), 1);
    let posts = server.received_requests().await.unwrap().into_iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn a_duplicate_title_refusal_returns_the_existing_page() {
    let server = MockServer::start().await;
    // The lookup misses the page (made a moment earlier); the create is refused.
    Mock::given(method("GET"))
        .and(path(PAGES))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "results": [], "_links": {} })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let found = json!({ "results": [created()], "_links": { "base": "https://acme.atlassian.net/wiki" } });
    Mock::given(method("GET"))
        .and(path(PAGES))
        .respond_with(ResponseTemplate::new(200).set_body_json(found))
        .mount(&server)
        .await;
    let duplicate = "A page with this title already exists: A page already exists with the same TITLE in this space";
    Mock::given(method("POST")).and(path(PAGES)).respond_with(refusal(400, duplicate)).expect(1).mount(&server).await;
    let docs = ConfluenceDocs::new(config(&server)).unwrap();

    let doc = docs.create_postmortem(&document()).await.unwrap();

    assert_eq!(doc.id, "557060");
    assert_eq!(doc.url, "https://acme.atlassian.net/wiki/spaces/OPS/pages/557060/Post-mortem+INC-7");
}

#[tokio::test]
async fn a_page_already_there_is_returned_without_a_create() {
    let server = MockServer::start().await;
    let space = Space::new(None, 0);
    space.mount(&server).await;
    let docs = ConfluenceDocs::new(config(&server)).unwrap();
    let made = docs.create_postmortem(&document()).await.unwrap();

    let other = ConfluenceDocs::new(config(&server)).unwrap();
    let found = other.create_postmortem(&document()).await.unwrap();

    assert_eq!(found, made);
    assert_eq!(pages_made(&space), 1);
}

#[tokio::test]
async fn a_rate_limited_lookup_is_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(PAGES))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .mount(&server)
        .await;
    let docs = ConfluenceDocs::new(config(&server)).unwrap();

    let error = docs.create_postmortem(&document()).await.unwrap_err();

    assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(120)) });
    let posts = server.received_requests().await.unwrap().into_iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts, 0, "nothing is created before the lookup answers");
}
