//! Shared fixtures: an adapter pointed at a mock Confluence, a sample document.

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use sima_confluence::{ConfluenceConfig, ConfluenceDocs, HttpPolicy, Secret};
use sima_core::model::{DocBlock, Document, PostmortemProperties, RichText};
use std::sync::{Arc, Mutex};

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) const SPACE: &str = "98306";
pub(crate) const EMAIL: &str = "sima@acme.example";
pub(crate) const TOKEN: &str = "ATATT3xFfGF0-test-token";
pub(crate) const PAGES: &str = "/wiki/api/v2/pages";

pub(crate) struct TestConfluence {
    pub(crate) server: MockServer,
    pub(crate) docs: ConfluenceDocs,
}

impl TestConfluence {
    /// An adapter with Basic auth, short waits and a 1 s timeout.
    pub(crate) async fn start() -> Self {
        let server = MockServer::start().await;
        no_pages_yet(&server).await;
        let docs = ConfluenceDocs::new(config(&server).with_email(EMAIL)).unwrap();
        Self { server, docs }
    }

    /// Confluence answers the next `times` creates (0: all) with `response`.
    pub(crate) async fn answer(&self, response: ResponseTemplate, times: u64) {
        let mock = Mock::given(method("POST")).and(path(PAGES)).respond_with(response);
        let mock = if times == 0 { mock } else { mock.up_to_n_times(times).with_priority(1) };
        mock.mount(&self.server).await;
    }

    /// The creates Confluence received (lookups left out).
    pub(crate) async fn requests(&self) -> Vec<Request> {
        let all = self.server.received_requests().await.unwrap_or_default();
        all.into_iter().filter(|request| request.method.as_str() == "POST").collect()
    }
}

/// Lookups by title find nothing.
pub(crate) async fn no_pages_yet(server: &MockServer) {
    let empty = json!({ "results": [], "_links": { "base": "https://acme.atlassian.net/wiki" } });
    Mock::given(method("GET"))
        .and(path(PAGES))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty))
        .mount(server)
        .await;
}

/// A Confluence space that keeps the pages it is sent: a lookup by title
/// finds them, a second page with a taken title is refused with 400 as
/// Confluence does, and the first `slow_creates` creates are answered with
/// `first_answer` (a slow answer or a 5xx) after the page is made.
#[derive(Clone)]
pub(crate) struct Space {
    pub(crate) pages: Arc<Mutex<Vec<Value>>>,
    pub(crate) first_answer: Option<ResponseTemplate>,
    pub(crate) slow_creates: Arc<Mutex<u32>>,
}

impl Space {
    pub(crate) fn new(first_answer: Option<ResponseTemplate>, slow_creates: u32) -> Self {
        Self { pages: Arc::default(), first_answer, slow_creates: Arc::new(Mutex::new(slow_creates)) }
    }

    pub(crate) async fn mount(&self, server: &MockServer) {
        Mock::given(path(PAGES)).respond_with(self.clone()).mount(server).await;
    }
}

impl Respond for Space {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut pages = self.pages.lock().unwrap();
        if request.method.as_str() == "GET" {
            let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
            let wanted = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            let results: Vec<Value> = pages
                .iter()
                .filter(|p| Some(p["spaceId"].as_str().unwrap_or_default().to_owned()) == wanted("space-id"))
                .filter(|p| wanted("title").is_none_or(|title| p["title"] == title.as_str()))
                .cloned()
                .collect();
            let body = json!({ "results": results, "_links": { "base": "https://acme.atlassian.net/wiki" } });
            return ResponseTemplate::new(200).set_body_json(body);
        }
        let sent: Value = serde_json::from_slice(&request.body).unwrap();
        if pages.iter().any(|p| p["title"] == sent["title"] && p["spaceId"] == sent["spaceId"]) {
            return refusal(
                400,
                "A page with this title already exists: A page already exists with the same TITLE in this space",
            );
        }
        let id = (557060 + pages.len()).to_string();
        let title = sent["title"].as_str().unwrap_or_default().replace(' ', "+");
        let mut page = sent.clone();
        page["id"] = json!(id);
        page["_links"] = json!({ "webui": format!("/spaces/OPS/pages/{id}/{title}") });
        if let Some(object) = page.as_object_mut() {
            object.remove("body");
        }
        pages.push(page.clone());
        let mut slow = self.slow_creates.lock().unwrap();
        match &self.first_answer {
            Some(answer) if *slow > 0 => {
                *slow -= 1;
                answer.clone()
            }
            _ => {
                page["_links"]["base"] = json!("https://acme.atlassian.net/wiki");
                ResponseTemplate::new(200).set_body_json(page)
            }
        }
    }
}

/// A Bearer configuration against `server`, with short waits.
pub(crate) fn config(server: &MockServer) -> ConfluenceConfig {
    let mut config = ConfluenceConfig::new(format!("{}/wiki", server.uri()), SPACE, Secret::new(TOKEN));
    config.http = HttpPolicy { timeout_secs: 1, backoff_ms: 10, max_retry_wait_secs: 5, ..HttpPolicy::default() };
    config
}

/// The page Confluence answers a create with.
pub(crate) fn created() -> Value {
    json!({
        "id": "557060",
        "status": "current",
        "title": "Post-mortem INC-7",
        "spaceId": SPACE,
        "_links": { "webui": "/spaces/OPS/pages/557060/Post-mortem+INC-7", "base": "https://acme.atlassian.net/wiki" }
    })
}

/// Confluence API v2's error envelope.
pub(crate) fn refusal(status: u16, title: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({ "errors": [{ "status": status, "code": "X", "title": title }] }))
}

pub(crate) fn document() -> Document {
    Document {
        title: "Post-mortem INC-7".into(),
        properties: PostmortemProperties {
            number: "INC-7".into(),
            severity: "sev2".into(),
            domain: "outbound-email".into(),
            status: "Draft".into(),
            started_at: Utc.with_ymd_and_hms(2025, 3, 14, 9, 20, 0).unwrap(),
            resolved_at: None,
            mtta_minutes: None,
            mttr_minutes: None,
            incident_manager: None,
            room_url: None,
        },
        blocks: vec![
            DocBlock::Heading { level: 2, text: "Summary".into() },
            DocBlock::Paragraph { text: RichText::new().plain("Emails <late> & queued") },
        ],
        private: false,
    }
}
