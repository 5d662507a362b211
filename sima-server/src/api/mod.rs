//! The REST API under `/api/v1`.

mod actions;
pub(crate) mod incidents;
mod json;
mod metrics;
pub(crate) mod naming;
mod query;
mod sessions;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub use json::IncidentView;

/// API answers are never sniffed as another type, nor cached on the way.
async fn no_sniffing_no_caching(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
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
        .route("/sessions", get(sessions::list))
        .route("/sessions/revoke", post(sessions::revoke))
        .layer(axum::middleware::map_response(no_sniffing_no_caching))
}
