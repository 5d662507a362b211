//! The REST API under `/api/v1`.

mod incidents;
mod json;
mod metrics;
mod query;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub use json::IncidentView;

/// `/api/v1/…` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(incidents::list).post(incidents::declare))
        .route("/incidents/{id}", get(incidents::show))
        .route("/incidents/{id}/timeline", get(incidents::timeline))
        .route("/incidents/{id}/status", post(incidents::change_status))
        .route("/incidents/{id}/effects/retry", post(incidents::retry_effects))
        .route("/metrics", get(metrics::report))
}
