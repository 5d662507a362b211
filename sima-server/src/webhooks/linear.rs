//! `POST /webhooks/linear`: Linear's webhook, signed
//! `Linear-Signature: <hex HMAC-SHA256 of the body>` with
//! `SIMA_LINEAR_WEBHOOK_SECRET`, refused when its `webhookTimestamp` is more
//! than a minute from now (a replayed delivery). An issue's new state is
//! recorded on the action item it was made for; anything else is
//! acknowledged and ignored.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;
use sima_linear::{parse_webhook, verify_signature, WebhookError, SIGNATURE_HEADER};

use super::tickets::{ignored, record, Signer, TicketOutcome};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The tracker's name, as `SIMA_TRACKER` and the timeline's actor (`tracker:linear`) spell it.
const TRACKER: &str = "linear";

/// Receive a Linear webhook.
///
/// Create it in Linear (Settings → API → Webhooks) with this URL and the
/// *Issues* data change events; its signing secret is
/// `SIMA_LINEAR_WEBHOOK_SECRET`. The signature is checked over the raw body
/// before it is read, then the delivery's age. An issue SIMA made moving to
/// a completed or canceled state marks its action item done; moving out of
/// one reopens it.
#[utoipa::path(
    post,
    path = "/linear",
    operation_id = "linear_webhook",
    tag = "webhooks",
    security(("linear_signature" = [])),
    request_body(content = Object, content_type = "application/json",
        description = "Linear's webhook payload (`type`, `action`, `data`, `webhookTimestamp`)"),
    responses(
        (status = 200, description = "An action item's ticket changed", body = TicketOutcome),
        (status = 202, description = "Nothing to do: another type or action, another issue, or not a Linear payload", body = TicketOutcome),
        (status = 400, description = "A Linear issue event SIMA cannot read", body = ErrorBody),
        (status = 401, description = "No, a malformed or a wrong signature, a stale delivery; or Linear is not configured", body = ErrorBody),
    ),
)]
pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<TicketOutcome>), ApiError> {
    let signer = Signer {
        tracker: TRACKER,
        product: "Linear",
        variable: "SIMA_LINEAR_WEBHOOK_SECRET",
        secret: state.settings.linear.webhook_secret.as_ref(),
        header: SIGNATURE_HEADER,
        verify: verify_signature,
    };
    let payload = signer.open(&state, &headers, &body)?;
    if !payload.get("type").is_some_and(Value::is_string) {
        return Ok(ignored("not a Linear webhook: no `type`"));
    }
    match parse_webhook(&body, state.service.now()) {
        Ok(Some(change)) => record(&state, change, TRACKER).await,
        Ok(None) => Ok(ignored("not an Issue create or update")),
        Err(stale @ WebhookError::Stale { .. }) => Err(ApiError::unauthorized(stale.to_string())),
        Err(error) => Err(ApiError::invalid(error.to_string())),
    }
}
