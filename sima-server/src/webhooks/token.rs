//! The webhooks' credential: `SIMA_WEBHOOK_TOKEN` as a bearer token.

use axum::http::HeaderMap;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;

/// Checks `Authorization: Bearer <SIMA_WEBHOOK_TOKEN>`.
pub(super) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
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
