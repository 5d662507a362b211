//! Shared fixtures: an adapter pointed at a mock Confluence, a sample document.

use chrono::{TimeZone, Utc};
use confluence_docs::{ConfluenceConfig, ConfluenceDocs, HttpPolicy, Secret};
use serde_json::{json, Value};
use sima_core::model::{DocBlock, Document, PostmortemProperties, RichText};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

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
        let docs = ConfluenceDocs::new(config(&server).with_email(EMAIL)).unwrap();
        Self { server, docs }
    }

    /// Confluence answers the next `times` creates (0: all) with `response`.
    pub(crate) async fn answer(&self, response: ResponseTemplate, times: u64) {
        let mock = Mock::given(method("POST")).and(path(PAGES)).respond_with(response);
        let mock = if times == 0 { mock } else { mock.up_to_n_times(times).with_priority(1) };
        mock.mount(&self.server).await;
    }

    pub(crate) async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}

/// A Bearer configuration against `server`, with short waits.
pub(crate) fn config(server: &MockServer) -> ConfluenceConfig {
    let mut config = ConfluenceConfig::new(server.uri(), SPACE, Secret::new(TOKEN));
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
    }
}
