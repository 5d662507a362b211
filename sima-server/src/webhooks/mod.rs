//! Monitoring webhooks behind a bearer token: our generic JSON and
//! Prometheus Alertmanager (v4). Both are idempotent: one incident per dedup
//! key while it is open, one update per resolution.

mod alertmanager;
mod alerts;
mod request;
mod resolve;
mod token;

pub use alertmanager::Notification;
pub use alerts::AlertBody;
pub use request::AlertRequest;

use axum::routing::post;
use axum::Router;

use crate::state::AppState;

/// `/webhooks/…` routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/alerts", post(alerts::receive)).route("/alertmanager", post(alertmanager::receive))
}
