//! Monitoring webhooks behind a bearer token: our generic JSON and
//! Prometheus Alertmanager (v4). Both are idempotent: one incident per dedup
//! key while it is open, one update per resolution. The trackers' webhooks
//! (`jira`, `linear`) are signed by the tracker instead of carrying the token.

mod alertmanager;
mod alerts;
mod fire;
mod jira;
mod linear;
pub mod open_keys;
mod request;
mod resolve;
mod tickets;
mod token;

pub use alertmanager::Notification;
pub use alerts::AlertBody;
pub use open_keys::OpenKeys;
pub use request::AlertRequest;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Where the webhooks are served.
pub const PREFIX: &str = "/webhooks";

/// `/webhooks/…` routes with their OpenAPI description, registered together.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alerts::receive))
        .routes(routes!(alertmanager::receive))
        .routes(routes!(jira::receive))
        .routes(routes!(linear::receive))
}

/// `/webhooks/…` routes.
pub fn router() -> Router<AppState> {
    routes().into()
}
