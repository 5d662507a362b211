//! What the tracker webhooks share: the answer, and recording a change.
//!
//! Trackers sign their deliveries instead of sending `SIMA_WEBHOOK_TOKEN`:
//! each route checks its tracker's signature over the raw body before
//! reading a byte of it, and a delivery that is not about one of SIMA's
//! tickets changes nothing and is answered `202`. A delivery only says which
//! ticket moved: the service reads that ticket back from the tracker and
//! records what it answers, so a replayed or late delivery cannot move an
//! item back to an older state.

use std::fmt::Display;

use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use sima_core::ports::TicketChange;
use sima_core::Secret;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// What a tracker webhook did.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TicketWebhookOutcome)]
pub(super) struct TicketOutcome {
    /// `recorded` (an action item's ticket changed) or `ignored` (nothing to do).
    #[schema(pattern = "^(recorded|ignored)$", example = "recorded")]
    outcome: &'static str,
    /// The incident whose action item it is, when recorded (`INC-7`).
    #[schema(required = true, example = "INC-7")]
    incident: Option<String>,
    /// Why it was ignored, or what was recorded.
    detail: String,
}

/// The answer to a delivery that changes nothing.
pub(super) fn ignored(detail: impl Into<String>) -> (StatusCode, Json<TicketOutcome>) {
    (StatusCode::ACCEPTED, Json(TicketOutcome { outcome: "ignored", incident: None, detail: detail.into() }))
}

/// 401 for a route whose tracker or secret is not configured, saying what to set.
pub(super) fn unconfigured(tracker: &str, variable: &str) -> ApiError {
    ApiError::unauthorized(format!(
        "{tracker} webhooks cannot be verified: set SIMA_TRACKER={} and {variable} on the server",
        tracker.to_ascii_lowercase()
    ))
}

/// An adapter's check of a signature (`secret`, raw body, header value).
pub(super) type VerifySignature<E> = fn(&[u8], &[u8], Option<&str>) -> Result<(), E>;

/// Who signs a tracker's deliveries, and how their signature is checked.
pub(super) struct Signer<'a, E> {
    /// The tracker's name (`jira`), as `SIMA_TRACKER` spells it.
    pub(super) tracker: &'static str,
    /// Its name for people (`Jira`).
    pub(super) product: &'static str,
    /// The variable holding the secret (`SIMA_JIRA_WEBHOOK_SECRET`).
    pub(super) variable: &'static str,
    /// The secret, if set.
    pub(super) secret: Option<&'a Secret>,
    /// The header carrying the signature.
    pub(super) header: &'static str,
    /// The adapter's check of the signature over the raw body.
    pub(super) verify: VerifySignature<E>,
}

impl<E: Display> Signer<'_, E> {
    /// The delivery as JSON, once its signature is checked over the raw
    /// bytes: 401 when this tracker is not the one running, has no secret,
    /// or the signature is missing or wrong; 400 when the signed body is not JSON.
    pub(super) fn open(&self, state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
        let running = state.service.tracker().map(|t| t.name()) == Some(self.tracker);
        let Some(secret) = self.secret.filter(|_| running) else {
            return Err(unconfigured(self.product, self.variable));
        };
        let signature = headers.get(self.header).map(|v| v.to_str().unwrap_or_default());
        (self.verify)(secret.expose().as_bytes(), body, signature)
            .map_err(|e| ApiError::unauthorized(e.to_string()))?;
        serde_json::from_slice(body).map_err(|_| ApiError::invalid("the body is not JSON"))
    }
}

/// Records `change`, reported by `tracker`, on the action item whose ticket it is.
///
/// # Errors
/// The store fails, or the tracker cannot be read back (5xx, so the
/// tracker delivers it again).
pub(super) async fn record(
    state: &AppState,
    change: TicketChange,
    tracker: &str,
) -> Result<(StatusCode, Json<TicketOutcome>), ApiError> {
    let key = change.ticket.key.clone();
    let status = change.ticket.status.clone();
    match state.service.ticket_changed(change, tracker).await? {
        Some(number) => {
            tracing::info!(incident = %number, ticket = %key, %status, tracker, "ticket change recorded");
            let detail = format!("{key} is `{status}`");
            Ok((
                StatusCode::OK,
                Json(TicketOutcome { outcome: "recorded", incident: Some(number.to_string()), detail }),
            ))
        }
        None => Ok(ignored(format!("{key} is not the ticket of an action item"))),
    }
}
