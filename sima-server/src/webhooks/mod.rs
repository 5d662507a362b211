//! Monitoring webhooks behind a bearer token: our generic JSON and
//! Prometheus Alertmanager (v4). Both are idempotent: one incident per dedup
//! key while it is open, one update per resolution.

mod alertmanager;
mod alerts;
mod resolve;

pub use alertmanager::Notification;
pub use alerts::AlertBody;

use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use subtle::ConstantTimeEq;

use sima_core::domain::{Declaration, DedupKey};

use crate::error::ApiError;
use crate::state::AppState;

/// What an alert asks for, read from its body before anything is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertRequest {
    /// The alert fires: declare the incident, or find the one open for its dedup key.
    Fire(Declaration),
    /// The alert cleared: update the incident open for this key, if any.
    Clear(DedupKey),
}

/// `/webhooks/…` routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/alerts", post(alerts::receive)).route("/alertmanager", post(alertmanager::receive))
}

/// Checks `Authorization: Bearer <SIMA_WEBHOOK_TOKEN>`.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = &state.settings.webhook_token else {
        return Err(ApiError::unauthorized("webhooks are disabled: set SIMA_WEBHOOK_TOKEN on the server"));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("send `Authorization: Bearer <token>`"))?;
    if bool::from(given.as_bytes().ct_eq(expected.expose().as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::unauthorized("the webhook token is wrong"))
    }
}
