//! A paging adapter of our own, for the SIMA reference server: it pages the
//! on-call by posting JSON to an in-house alerting webhook. `main.rs` runs
//! the whole server (routes, settings, janitors, graceful shutdown) with it.
//!
//! # Layout
//! - [`WebhookPager`]: `PagingPort` over one HTTP endpoint.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};
use sima_core::domain::PageRef;
use sima_core::ports::{Page, PagingPort, PortError};
use sima_core::retry_after_header;

/// Pages by posting `{"action", "dedup_key", …}` to one URL.
#[derive(Debug, Clone)]
pub struct WebhookPager {
    url: String,
    http: reqwest::Client,
}

impl WebhookPager {
    /// A pager posting to `url`.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(url: impl Into<String>) -> Result<Self, PortError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| PortError::Invalid(e.to_string()))?;
        Ok(Self { url: url.into(), http })
    }

    /// Posts one event; the status decides the error, as for every adapter.
    async fn send(&self, body: Value) -> Result<(), PortError> {
        let response = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|e| PortError::Transient(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let wait = retry_after_header(response.headers().get("retry-after").map(|v| v.as_bytes()));
        Err(PortError::from_http(status.as_u16(), wait, format!("the pager answered {status}")))
    }
}

#[async_trait]
impl PagingPort for WebhookPager {
    async fn trigger(&self, page: &Page) -> Result<PageRef, PortError> {
        let links: Vec<Value> = page.links.iter().map(|l| json!({ "label": l.label, "url": l.url })).collect();
        self.send(json!({
            "action": "trigger", "dedup_key": page.dedup_key, "team": page.service,
            "summary": page.summary, "severity": page.severity.to_string(), "links": links,
        }))
        .await?;
        Ok(PageRef { dedup_key: page.dedup_key.clone(), service: page.service.clone() })
    }

    async fn acknowledge(&self, page: &PageRef) -> Result<(), PortError> {
        self.send(json!({ "action": "acknowledge", "dedup_key": page.dedup_key })).await
    }

    async fn resolve(&self, page: &PageRef) -> Result<(), PortError> {
        self.send(json!({ "action": "resolve", "dedup_key": page.dedup_key })).await
    }
}
