//! The REST API under `/api/v1`.

mod actions;
pub(crate) mod incidents;
mod json;
mod metrics;
mod query;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub use json::IncidentView;

/// The incident an `{id}` path segment names (a UUID or `INC-n`); 404 otherwise.
fn reference(id: &str) -> Result<sima_core::domain::IncidentRef, crate::error::ApiError> {
    id.parse().map_err(|e: sima_core::domain::ValidationError| crate::error::ApiError::not_found(e.to_string()))
}

/// `/api/v1/…` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(incidents::list).post(incidents::declare))
        .route("/incidents/{id}", get(incidents::show))
        .route("/incidents/{id}/timeline", get(incidents::timeline))
        .route("/incidents/{id}/status", post(incidents::change_status))
        .route("/incidents/{id}/effects/retry", post(incidents::retry_effects))
        .route("/incidents/{id}/actions", get(actions::list).post(actions::add))
        .route("/incidents/{id}/actions/{number}/done", post(actions::done))
        .route("/metrics", get(metrics::report))
}
