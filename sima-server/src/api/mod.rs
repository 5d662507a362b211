//! The REST API under `/api/v1`, and its OpenAPI document.
//!
//! Every route is registered with `routes!`, which adds the handler to the
//! router and its `#[utoipa::path]` to the document in one step: a route
//! cannot be served without being described.

mod actions;
mod fields;
pub(crate) mod incidents;
mod json;
pub(crate) mod metrics;
pub(crate) mod naming;
pub mod openapi;
mod public_updates;
mod query;
mod schemas;
mod sessions;
mod visibility;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub use json::{AlertOutcome, IncidentView};

/// Where the API is served.
pub const PREFIX: &str = "/api/v1";

/// API answers are never sniffed as another type, nor cached on the way.
async fn no_sniffing_no_caching(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `/api/v1/…` routes with their OpenAPI description, registered together.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(incidents::list, incidents::declare))
        .routes(routes!(incidents::show))
        .routes(routes!(incidents::timeline))
        .routes(routes!(incidents::change_status))
        .routes(routes!(fields::set))
        .routes(routes!(visibility::change))
        .routes(routes!(public_updates::publish))
        .routes(routes!(incidents::retry_effects))
        .routes(routes!(actions::list, actions::add))
        .routes(routes!(actions::done))
        .routes(routes!(actions::export))
        .routes(routes!(metrics::report))
        .routes(routes!(sessions::list))
        .routes(routes!(sessions::revoke))
        .routes(routes!(openapi::serve))
}

/// `/api/v1/…` routes.
pub fn router() -> Router<AppState> {
    let document = openapi::document(PREFIX, routes(), crate::webhooks::PREFIX, crate::webhooks::routes());
    Router::from(routes())
        .layer(axum::middleware::map_response(no_sniffing_no_caching))
        .layer(axum::Extension(std::sync::Arc::new(document)))
}
