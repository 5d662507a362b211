//! What every route shares.

use std::sync::Arc;

use sima_core::ports::SessionStore;
use sima_core::EffectWorker;
use sima_core::IncidentService;

use crate::clients::ClientLimiter;
use crate::metrics::ServerMetrics;
use crate::settings::Settings;

/// Shared by the routes; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub service: IncidentService,
    /// The configuration.
    pub settings: Arc<Settings>,
    /// What `/metrics` shows: requests, the store's gauges, the worker, the process.
    pub metrics: Arc<ServerMetrics>,
    /// The engine's effect worker, for readiness and failure counts.
    pub worker: EffectWorker,
    /// Per-client request budgets.
    pub limiter: Arc<ClientLimiter>,
    /// Dashboard sessions, so a signed-out or revoked cookie stops working.
    pub sessions: Arc<dyn SessionStore>,
    /// Dedup keys whose incident was just seen open: repeated alerts are answered from it.
    pub open_keys: Arc<crate::webhooks::OpenKeys>,
    /// Refuses new incidents from machines while the backlog is over its bound.
    pub intake: Arc<crate::backlog::IntakeGate>,
}
