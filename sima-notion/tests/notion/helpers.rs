//! Shared fixtures: an adapter pointed at a wiremock Notion, sample documents.

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use sima_core::model::{DocBlock, Document, PostmortemProperties, RichText, Todo};
use sima_notion::{HttpPolicy, NotionConfig, NotionDocs};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub(crate) const TOKEN: &str = "ntn_test_token";
pub(crate) const DATA_SOURCE: &str = "d9824bdc-8445-4327-be8b-5b47500af6ce";
pub(crate) const PAGE_ID: &str = "59833787-2cf9-4fdf-8782-e53db20768a5";
pub(crate) const PAGE_URL: &str = "https://www.notion.so/INC-42-598337872cf94fdf8782e53db20768a5";
pub(crate) const QUERY_PATH: &str = "/v1/data_sources/d9824bdc-8445-4327-be8b-5b47500af6ce/query";
pub(crate) const CHILDREN_PATH: &str = "/v1/blocks/59833787-2cf9-4fdf-8782-e53db20768a5/children";

pub(crate) struct TestNotion {
    pub(crate) server: MockServer,
    pub(crate) docs: NotionDocs,
}

impl TestNotion {
    pub(crate) async fn start() -> Self {
        let server = MockServer::start().await;
        let mut config = NotionConfig::new(TOKEN, DATA_SOURCE).with_api_url(format!("{}/v1", server.uri()));
        config.http = HttpPolicy { backoff_ms: 0, timeout_secs: 5, ..HttpPolicy::default() };
        let docs = NotionDocs::new(config).unwrap();
        Self { server, docs }
    }

    /// Mounts `status`/`body` for `verb path`, at most `times` times (0: always).
    pub(crate) async fn answer(&self, verb: &str, at: &str, response: ResponseTemplate, times: u64, priority: u8) {
        let mock = Mock::given(method(verb)).and(path(at)).respond_with(response).with_priority(priority);
        let mock = if times > 0 { mock.up_to_n_times(times) } else { mock };
        mock.mount(&self.server).await;
    }

    /// The data source holds no post-mortem for the incident.
    pub(crate) async fn no_existing_page(&self) {
        self.answer("POST", QUERY_PATH, ok(list(vec![], None)), 0, 5).await;
    }

    /// The data source already holds the post-mortem page.
    pub(crate) async fn existing_page(&self) {
        self.answer("POST", QUERY_PATH, ok(list(vec![page()], None)), 0, 5).await;
    }

    /// Creating a page succeeds.
    pub(crate) async fn create_succeeds(&self) {
        self.answer("POST", "/v1/pages", ok(page()), 0, 5).await;
    }

    /// Appending blocks succeeds.
    pub(crate) async fn append_succeeds(&self) {
        self.answer("PATCH", CHILDREN_PATH, ok(list(vec![], None)), 0, 5).await;
    }

    /// The page holds `first + second` top-level blocks, listed in two pages.
    pub(crate) async fn page_holds(&self, first: usize, second: usize) {
        Mock::given(method("GET"))
            .and(path(CHILDREN_PATH))
            .and(query_param("page_size", "100"))
            .and(query_param_is_missing("start_cursor"))
            .respond_with(ok(list(blocks(first), (second > 0).then_some("cursor-2"))))
            .mount(&self.server)
            .await;
        Mock::given(method("GET"))
            .and(path(CHILDREN_PATH))
            .and(query_param("start_cursor", "cursor-2"))
            .respond_with(ok(list(blocks(second), None)))
            .mount(&self.server)
            .await;
    }

    pub(crate) async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }

    /// The JSON bodies of the `verb` requests to `at`, in order.
    pub(crate) async fn bodies(&self, verb: &str, at: &str) -> Vec<Value> {
        self.requests()
            .await
            .iter()
            .filter(|r| r.method.as_str() == verb && r.url.path() == at)
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }
}

pub(crate) fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// Notion's error envelope.
pub(crate) fn error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "object": "error", "status": status, "code": code, "message": format!("{code} happened"),
        "request_id": "b3c7e1a2-9d4f-4c8e-a6b5-3f2e1d0c9b8a"
    }))
}

pub(crate) fn page() -> Value {
    serde_json::from_str(include_str!("../fixtures/page_response.json")).unwrap()
}

pub(crate) fn list(results: Vec<Value>, next_cursor: Option<&str>) -> Value {
    json!({"object": "list", "results": results, "next_cursor": next_cursor, "has_more": next_cursor.is_some()})
}

fn blocks(n: usize) -> Vec<Value> {
    (0..n).map(|i| json!({"object": "block", "id": format!("block-{i}"), "type": "paragraph"})).collect()
}

pub(crate) fn properties() -> PostmortemProperties {
    PostmortemProperties {
        number: "INC-42".into(),
        severity: "sev1".into(),
        domain: "outbound-email".into(),
        status: "Draft".into(),
        started_at: Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 0).unwrap(),
        resolved_at: Some(Utc.with_ymd_and_hms(2025, 3, 14, 11, 1, 0).unwrap()),
        mtta_minutes: Some(4.5),
        mttr_minutes: Some(95.0),
        incident_manager: Some("U024BE7LH".into()),
        room_url: Some("https://acme.slack.com/archives/C0INC42".into()),
    }
}

/// A short post-mortem: one of each block.
pub(crate) fn small_document() -> Document {
    Document {
        title: "INC-42: outbound e-mails are not delivered".into(),
        properties: properties(),
        blocks: vec![
            DocBlock::Heading { level: 2, text: "Summary".into() },
            DocBlock::Paragraph { text: "Outbound e-mails were queued for 95 minutes.".into() },
            DocBlock::Bullets { items: vec!["09:26 declared by U024BE7LH".into()] },
            DocBlock::Todos { items: vec![Todo { text: "Alert on queue depth".into(), done: false }] },
            DocBlock::Table {
                header: vec!["Time".into(), "Event".into()],
                rows: vec![vec!["09:26".into(), "Declared".into()]],
            },
        ],
        private: false,
    }
}

/// A post-mortem whose timeline has `events` bullets, some over 2000 characters.
pub(crate) fn timeline_document(events: usize) -> Document {
    let items = (0..events)
        .map(|i| if i % 50 == 7 { format!("event {i}: {}", "long note ".repeat(500)) } else { format!("event {i}") })
        .map(RichText::from)
        .collect();
    Document {
        title: "INC-42: outbound e-mails are not delivered".into(),
        properties: properties(),
        blocks: vec![
            DocBlock::Heading { level: 2, text: "Summary".into() },
            DocBlock::Paragraph { text: "x".repeat(4500).into() },
            DocBlock::Heading { level: 2, text: "Timeline".into() },
            DocBlock::Bullets { items },
            DocBlock::Heading { level: 2, text: "Action items".into() },
            DocBlock::Todos { items: vec![Todo { text: "Alert on queue depth".into(), done: false }] },
        ],
        private: false,
    }
}
