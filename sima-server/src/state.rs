//! What every route shares.

use std::sync::Arc;

use sima_core::ports::SessionStore;
use sima_core::EffectWorker;
use sima_core::IncidentService;

use crate::clients::ClientLimiter;
use crate::metrics::ServerMetrics;
use crate::settings::Settings;

/// Shared by the routes: one reference count, however many parts it holds
/// (every layer and handler clones it per request).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Shares `parts` with every route.
    pub fn new(parts: Shared) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every route reads through [`AppState`].
pub struct Shared {
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
