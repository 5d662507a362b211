//! Shared fixtures: a pager pointed at a wiremock server, a sample page.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use serde_json::Value;
use sima_core::domain::Severity;
use sima_core::ports::Link;
pub(crate) use sima_core::ports::Page;
use sima_pagerduty::{HttpPolicy, PagerDutyConfig, PagerDutyPager};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub(crate) const DEFAULT_KEY: &str = "D3FAULTKEY000000000000000000000a";
pub(crate) const EMAIL_KEY: &str = "EMA1LKEY000000000000000000000000";
pub(crate) const INCIDENT_ID: &str = "0190f3c4-6a7b-7cde-8f01-23456789abcd";

pub(crate) struct TestPager {
    pub(crate) server: MockServer,
    pub(crate) pager: PagerDutyPager,
}

impl TestPager {
    /// A pager with a default key and one for `outbound-email`, no backoff.
    pub(crate) async fn start() -> Self {
        let server = MockServer::start().await;
        let config = PagerDutyConfig::new(DEFAULT_KEY)
            .with_routing_key("outbound-email", EMAIL_KEY)
            .with_events_url(format!("{}/v2/enqueue", server.uri()));
        Self::with_config(server, config)
    }

    pub(crate) fn with_config(server: MockServer, mut config: PagerDutyConfig) -> Self {
        config.http = HttpPolicy { backoff_ms: 0, timeout_secs: 5, ..HttpPolicy::default() };
        let pager = PagerDutyPager::new(config).unwrap();
        Self { server, pager }
    }

    /// PagerDuty answers `status` with `body` to the next `times` events.
    pub(crate) async fn answer(&self, status: u16, body: Value, times: u64) {
        Mock::given(method("POST"))
            .and(path("/v2/enqueue"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .up_to_n_times(times)
            .mount(&self.server)
            .await;
    }

    /// PagerDuty accepts every event.
    pub(crate) async fn accept_all(&self) {
        Mock::given(method("POST"))
            .and(path("/v2/enqueue"))
            .respond_with(ResponseTemplate::new(202).set_body_json(accepted()))
            .mount(&self.server)
            .await;
    }

    pub(crate) async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }

    /// The JSON bodies PagerDuty received, in order.
    pub(crate) async fn bodies(&self) -> Vec<Value> {
        self.requests().await.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
    }
}

pub(crate) fn accepted() -> Value {
    serde_json::json!({"status": "success", "message": "Event processed", "dedup_key": INCIDENT_ID})
}

pub(crate) fn page() -> Page {
    Page {
        dedup_key: INCIDENT_ID.into(),
        service: "outbound-email".into(),
        summary: "INC-42: outbound e-mails are not delivered".into(),
        severity: Severity::Sev2,
        timestamp: Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap(),
        links: vec![
            Link { label: "Incident channel".into(), url: "https://acme.slack.com/archives/C0INC42".into() },
            Link {
                label: "Incident in SIMA".into(),
                url: format!("https://sima.example.com/api/v1/incidents/{INCIDENT_ID}"),
            },
        ],
        details: BTreeMap::from([
            ("number".to_owned(), "INC-42".to_owned()),
            ("impact".to_owned(), "120".to_owned()),
            ("reporter".to_owned(), "U024BE7LH".to_owned()),
            ("description".to_owned(), "Every message since 09:20 is queued.".to_owned()),
        ]),
    }
}
