//! Updating a post-mortem page: the version read, the page written at the
//! next one, and what each Confluence answer becomes.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sima_confluence::{storage_format, ConfluenceDocs};
use sima_core::domain::DocRef;
use sima_core::model::{DocBlock, RichText};
use sima_core::ports::{DocsPort, PortError};
use wiremock::matchers::{basic_auth, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::{config, document, refusal, EMAIL, TOKEN};

const PAGE: &str = "/wiki/api/v2/pages/557060";

fn doc() -> DocRef {
    DocRef { id: "557060".into(), url: "https://acme.atlassian.net/wiki/spaces/OPS/pages/557060".into() }
}

/// The page as `GET /pages/{id}` answers it, at `version`.
fn page_at(version: u64) -> Value {
    json!({
        "id": "557060",
        "status": "current",
        "title": "Post-mortem INC-7",
        "spaceId": "98306",
        "version": { "number": version, "message": "", "minorEdit": false },
        "_links": { "webui": "/spaces/OPS/pages/557060/Post-mortem+INC-7" }
    })
}

/// The document with a root cause written after resolution.
fn updated() -> sima_core::model::Document {
    let mut document = document();
    document.blocks.push(DocBlock::Heading { level: 2, text: "Root cause".into() });
    document.blocks.push(DocBlock::Paragraph { text: RichText::new().plain("A full <disk> & no alert") });
    document
}

async fn adapter() -> (MockServer, ConfluenceDocs) {
    let server = MockServer::start().await;
    let docs = ConfluenceDocs::new(config(&server).with_email(EMAIL)).unwrap();
    (server, docs)
}

async fn reads(server: &MockServer, version: u64) {
    let answer = ResponseTemplate::new(200).set_body_json(page_at(version));
    Mock::given(method("GET")).and(path(PAGE)).respond_with(answer).mount(server).await;
}

async fn writes(server: &MockServer, response: ResponseTemplate, times: u64) {
    let mock = Mock::given(method("PUT")).and(path(PAGE)).respond_with(response);
    let mock = if times == 0 { mock } else { mock.up_to_n_times(times).with_priority(1) };
    mock.mount(server).await;
}

async fn puts(server: &MockServer) -> Vec<Value> {
    let all = server.received_requests().await.unwrap_or_default();
    all.iter().filter(|r| r.method.as_str() == "PUT").map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

#[tokio::test]
async fn the_whole_page_is_written_at_the_next_version() {
    let (server, docs) = adapter().await;
    reads(&server, 3).await;
    Mock::given(method("PUT"))
        .and(path(PAGE))
        .and(basic_auth(EMAIL, TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_at(4)))
        .expect(1)
        .mount(&server)
        .await;

    docs.update_postmortem(&doc(), &updated()).await.unwrap();

    let sent = puts(&server).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["id"], "557060");
    assert_eq!(sent[0]["status"], "current");
    assert_eq!(sent[0]["title"], "Post-mortem INC-7");
    assert_eq!(sent[0]["body"], json!({ "representation": "storage", "value": storage_format(&updated()) }));
    assert_eq!(sent[0]["version"]["number"], 4);
    assert!(sent[0]["version"]["message"].as_str().unwrap().contains("root cause"));
    let value = sent[0]["body"]["value"].as_str().unwrap();
    assert!(value.contains("A full &lt;disk&gt; &amp; no alert"), "{value}");
}

/// Pages that someone saves once between SIMA's read and its write.
#[derive(Clone)]
struct EditedMeanwhile {
    version: Arc<Mutex<u64>>,
}

impl Respond for EditedMeanwhile {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut version = self.version.lock().unwrap();
        let answer = ResponseTemplate::new(200).set_body_json(page_at(*version));
        *version += 1;
        answer
    }
}

#[tokio::test]
async fn a_version_conflict_is_read_again_and_written_at_the_new_next_version() {
    let (server, docs) = adapter().await;
    let edited = EditedMeanwhile { version: Arc::new(Mutex::new(3)) };
    Mock::given(method("GET")).and(path(PAGE)).respond_with(edited).mount(&server).await;
    let conflict = refusal(409, "Version must be incremented on update. Current Version is: 4");
    writes(&server, conflict, 1).await;
    writes(&server, ResponseTemplate::new(200).set_body_json(page_at(5)), 0).await;

    docs.update_postmortem(&doc(), &updated()).await.unwrap();

    let versions: Vec<Value> = puts(&server).await.iter().map(|p| p["version"]["number"].clone()).collect();
    assert_eq!(versions, [json!(4), json!(5)]);
}

#[tokio::test]
async fn a_second_conflict_is_transient_for_the_worker_to_retry_later() {
    let (server, docs) = adapter().await;
    reads(&server, 3).await;
    writes(&server, refusal(409, "Version must be incremented on update"), 0).await;

    let error = docs.update_postmortem(&doc(), &updated()).await.unwrap_err();

    assert!(matches!(&error, PortError::Transient(text) if text.contains("409")), "{error:?}");
    assert_eq!(puts(&server).await.len(), 2, "read again and tried once more, no more");
}

#[tokio::test]
async fn a_429_is_waited_out_then_the_page_is_written_once() {
    let (server, docs) = adapter().await;
    reads(&server, 3).await;
    writes(&server, ResponseTemplate::new(429).insert_header("Retry-After", "1"), 1).await;
    writes(&server, ResponseTemplate::new(200).set_body_json(page_at(4)), 0).await;
    let started = Instant::now();

    docs.update_postmortem(&doc(), &updated()).await.unwrap();

    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    let sent = puts(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0], sent[1], "the retry sends the same version");
}

#[tokio::test]
async fn a_long_retry_after_is_returned_as_rate_limited() {
    let (server, docs) = adapter().await;
    reads(&server, 3).await;
    writes(&server, ResponseTemplate::new(429).insert_header("Retry-After", "120"), 0).await;

    let error = docs.update_postmortem(&doc(), &updated()).await.unwrap_err();

    assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(120)) });
}

#[tokio::test]
async fn server_errors_are_transient_and_not_repeated_in_process() {
    for status in [500, 503] {
        let (server, docs) = adapter().await;
        reads(&server, 3).await;
        writes(&server, ResponseTemplate::new(status), 0).await;

        let error = docs.update_postmortem(&doc(), &updated()).await.unwrap_err();

        assert!(matches!(&error, PortError::Transient(text) if text.contains(&status.to_string())), "{error:?}");
        assert_eq!(puts(&server).await.len(), 1, "{status}");
    }
}

#[tokio::test]
async fn a_page_deleted_by_a_person_is_not_found_and_not_written() {
    let (server, docs) = adapter().await;
    let gone = refusal(404, "Page not found");
    Mock::given(method("GET")).and(path(PAGE)).respond_with(gone).mount(&server).await;

    let error = docs.update_postmortem(&doc(), &updated()).await.unwrap_err();

    assert!(matches!(&error, PortError::NotFound(text) if text.contains("Page not found")), "{error:?}");
    assert!(puts(&server).await.is_empty());
}

#[tokio::test]
async fn a_page_without_a_version_is_a_decode_error_not_a_guess() {
    let (server, docs) = adapter().await;
    let mut page = page_at(3);
    page.as_object_mut().unwrap().remove("version");
    Mock::given(method("GET"))
        .and(path(PAGE))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;

    let error = docs.update_postmortem(&doc(), &updated()).await.unwrap_err();

    assert!(matches!(&error, PortError::Transient(text) if text.contains("version")), "{error:?}");
    assert!(puts(&server).await.is_empty());
}

#[tokio::test]
async fn a_version_at_the_end_of_the_range_is_a_decode_error_not_an_overflow() {
    let (server, docs) = adapter().await;
    let mut page = page_at(3);
    page["version"]["number"] = serde_json::json!(u64::MAX);
    Mock::given(method("GET"))
        .and(path(PAGE))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;

    let error = docs.update_postmortem(&doc(), &updated()).await.unwrap_err();

    assert!(matches!(&error, PortError::Transient(text) if text.contains("version")), "{error:?}");
    assert!(puts(&server).await.is_empty());
}
