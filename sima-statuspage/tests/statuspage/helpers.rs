//! A mock Statuspage manage API and the notices the tests publish.

use serde_json::{json, Value};
use sima_core::domain::{ComponentStatus, PublicStatus};
use sima_core::ports::PublicNotice;
use sima_statuspage::{HttpPolicy, Secret, StatuspageConfig, StatuspagePage};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub(crate) const KEY: &str = "89a229ce1a8dbcf9ff30430fbe35eb4c";
pub(crate) const PAGE: &str = "gytm4qzbx9t6";
pub(crate) const COMPONENTS: &str = "/v1/pages/gytm4qzbx9t6/components";
pub(crate) const INCIDENTS: &str = "/v1/pages/gytm4qzbx9t6/incidents";
pub(crate) const UNRESOLVED: &str = "/v1/pages/gytm4qzbx9t6/incidents/unresolved";
pub(crate) const API_ID: &str = "b13yz5g2cw10";
pub(crate) const BILLING_ID: &str = "ftgks51sfs2d";
pub(crate) const INCIDENT_ID: &str = "p31zjtct2jer";
pub(crate) const SHORTLINK: &str = "http://stspg.io/p31zjtct2jer";

/// A mock Statuspage with the page's components listed, and the adapter pointed at it.
pub(crate) struct TestStatuspage {
    pub(crate) server: MockServer,
    pub(crate) page: StatuspagePage,
}

impl TestStatuspage {
    /// A page with components `API` and `Billing` (and a group `Platform`).
    pub(crate) async fn start() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(COMPONENTS))
            .and(query_param("page", "1"))
            .and(query_param("per_page", "100"))
            .respond_with(ResponseTemplate::new(200).set_body_json(components()))
            .mount(&server)
            .await;
        let page = StatuspagePage::new(config(&server)).unwrap();
        Self { server, page }
    }

    /// The page has no unresolved incident.
    pub(crate) async fn no_unresolved_incidents(&self) {
        Mock::given(method("GET"))
            .and(path(UNRESOLVED))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&self.server)
            .await;
    }

    /// Every request received, in order.
    pub(crate) async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }

    /// The requests received with `verb` to `route`.
    pub(crate) async fn sent(&self, verb: &str, route: &str) -> Vec<Request> {
        let requests = self.requests().await;
        requests.into_iter().filter(|r| r.method.as_str() == verb && r.url.path() == route).collect()
    }

    /// The JSON bodies of the requests received with `verb` to `route`.
    pub(crate) async fn bodies(&self, verb: &str, route: &str) -> Vec<Value> {
        self.sent(verb, route).await.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
    }
}

/// The adapter's configuration against `server`, retrying fast.
pub(crate) fn config(server: &MockServer) -> StatuspageConfig {
    let http = HttpPolicy { timeout_secs: 5, max_attempts: 3, max_retry_wait_secs: 10, backoff_ms: 10 };
    StatuspageConfig::new(Secret::new(KEY), PAGE).with_api_url(format!("{}/v1", server.uri())).with_http(http)
}

/// Mounts an answer for the key only: anything else gets Statuspage's 401.
pub(crate) async fn only_for_the_key(server: &MockServer) {
    Mock::given(header("authorization", format!("OAuth {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .with_priority(2)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "error": "Could not authenticate" })))
        .with_priority(3)
        .mount(server)
        .await;
}

/// The page's components as `GET /pages/{page_id}/components` lists them.
pub(crate) fn components() -> Value {
    json!([
        { "id": "k9b1n0dm9fpq", "page_id": PAGE, "group_id": null, "group": true, "name": "Platform",
          "status": "operational", "position": 1 },
        { "id": API_ID, "page_id": PAGE, "group_id": "k9b1n0dm9fpq", "group": false, "name": "API",
          "description": "Public REST API", "status": "operational", "position": 2, "showcase": true },
        { "id": BILLING_ID, "page_id": PAGE, "group_id": null, "group": false, "name": "Billing",
          "status": "operational", "position": 3, "showcase": true },
    ])
}

/// An incident as Statuspage answers it, made for SIMA incident `number`.
pub(crate) fn incident(number: &str, status: &str, components: &[(&str, &str)]) -> Value {
    let components: Vec<Value> = components
        .iter()
        .map(|(id, status)| json!({ "id": id, "page_id": PAGE, "name": "c", "status": status }))
        .collect();
    json!({
        "id": INCIDENT_ID, "page_id": PAGE, "name": "Emails are delayed", "status": status,
        "impact": "minor", "shortlink": SHORTLINK, "created_at": "2026-12-07T01:00:00.000Z",
        "metadata": { "sima": { "incident": number } },
        "components": components,
        "incident_updates": [{ "id": "u1", "status": status, "body": "x", "incident_id": INCIDENT_ID }],
    })
}

/// A public notice for `INC-7`.
pub(crate) fn notice(status: PublicStatus, components: &[(&str, ComponentStatus)]) -> PublicNotice {
    PublicNotice {
        incident: "INC-7".into(),
        title: "Emails are delayed".into(),
        status,
        message: "Outgoing e-mail is queued; we are on it.".into(),
        components: components.iter().map(|(name, status)| ((*name).to_owned(), *status)).collect(),
    }
}
