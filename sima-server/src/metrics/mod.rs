//! `GET /metrics`: one Prometheus registry per server (prometheus-client, in
//! the Prometheus text format 0.0.4), so several servers in one process
//! never mix their numbers.
//!
//! A scrape costs the same however many incidents the store holds: the
//! incident counts come from the store's own count (a few rows, cached for
//! [`INCIDENT_COUNTS_TTL`]) and the outbox gauges from its partial indexes.
//! It answers while the store is down: `sima_store_up 0`, the store's
//! gauges left out (never stale numbers), everything else as usual.
//!
//! # Layout
//! - [`http`]: requests and their latency per route, and the middleware recording them.
//! - [`store`]: incidents by status and severity, the outbox, whether the store answers.
//! - [`intake`]: declarations refused while the backlog is over its bound.
//! - [`worker`]: whether the effect worker runs, and what it gave up.
//! - [`process`]: `process_*`, read from `/proc/self` on Linux.
//! - [`build_info`]: which version and commit answer (`sima_build_info`).

pub mod build_info;
mod encode;
pub mod http;
pub mod intake;
pub mod process;
pub mod store;
pub mod worker;

use std::sync::Arc;

use prometheus_client::encoding::prometheus_text;
use prometheus_client::registry::Registry;
use sima_core::{EffectWorker, IncidentService};

pub use http::{track, HttpMetrics, BUCKETS};
pub use store::{INCIDENT_COUNTS_TTL, STORE_TIMEOUT};

/// The `Content-Type` of a scrape.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Everything `/metrics` shows for one server.
#[derive(Debug)]
pub struct ServerMetrics {
    registry: Registry,
    http: HttpMetrics,
    store: Arc<store::StoreGauges>,
    intake: intake::IntakeMetrics,
}

impl ServerMetrics {
    /// The metrics of a server whose effect worker is `worker`.
    pub fn new(worker: EffectWorker) -> Self {
        let mut registry = Registry::default();
        let store = Arc::new(store::StoreGauges::default());
        build_info::register(&mut registry);
        registry.register_collector(Box::new(store::StoreCollector(store.clone())));
        registry.register_collector(Box::new(worker::WorkerCollector(worker)));
        let http = HttpMetrics::register(&mut registry);
        let intake = intake::IntakeMetrics::register(&mut registry);
        process::register(&mut registry);
        Self { registry, http, store, intake }
    }

    /// The request counters, for the middleware.
    pub fn http(&self) -> &HttpMetrics {
        &self.http
    }

    /// The refusal counters of the intake gate.
    pub fn intake(&self) -> &intake::IntakeMetrics {
        &self.intake
    }

    /// The backlog readings each scrape records, for the intake gate.
    pub fn backlog(&self) -> Arc<crate::backlog::BacklogWatch> {
        self.store.backlog_watch()
    }

    /// Asks the store (at most [`STORE_TIMEOUT`]), then writes every metric.
    ///
    /// # Errors
    /// A metric could not be written (none of ours fails).
    pub async fn scrape(&self, service: &IncidentService) -> Result<String, std::fmt::Error> {
        self.store.refresh(service).await;
        let mut text = String::with_capacity(16 * 1024);
        prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
