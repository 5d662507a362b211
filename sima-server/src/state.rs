//! What every route shares.

use std::sync::Arc;

use sima_core::ports::SessionStore;
use sima_core::EffectWorker;
use sima_core::IncidentService;

use crate::clients::ClientLimiter;
use crate::gauges::IncidentGauges;
use crate::settings::Settings;
use crate::telemetry::HttpMetrics;

/// Shared by the routes; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub service: IncidentService,
    /// The configuration.
    pub settings: Arc<Settings>,
    /// Request counters and latencies.
    pub http: Arc<HttpMetrics>,
    /// The engine's effect worker, for readiness and failure counts.
    pub worker: EffectWorker,
    /// Per-client request budgets.
    pub limiter: Arc<ClientLimiter>,
    /// Incident counts behind `/metrics`, refreshed at most every few seconds.
    pub gauges: Arc<IncidentGauges>,
    /// Dashboard sessions, so a signed-out or revoked cookie stops working.
    pub sessions: Arc<dyn SessionStore>,
}
