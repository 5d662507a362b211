//! `POST /webhooks/jira`: Jira's admin webhook, signed
//! `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>` with
//! `SIMA_JIRA_WEBHOOK_SECRET`. An issue's new status is recorded on the
//! action item it was made for; anything else is acknowledged and ignored.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;
use sima_jira::{parse_webhook, verify_signature, SIGNATURE_HEADER};

use super::tickets::{ignored, record, Signer, TicketOutcome};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The tracker's name, as `SIMA_TRACKER` and the timeline's actor (`tracker:jira`) spell it.
const TRACKER: &str = "jira";

/// Receive a Jira webhook.
///
/// Register it in Jira (Settings → System → WebHooks) with this URL, the
/// secret `SIMA_JIRA_WEBHOOK_SECRET`, and the *Issue updated* event. The
/// signature is checked over the raw body before it is read. An issue SIMA
/// made (labelled `sima-inc-…`) moving to a done status marks its action
/// item done; moving out of one reopens it.
#[utoipa::path(
    post,
    path = "/jira",
    operation_id = "jira_webhook",
    tag = "webhooks",
    security(("jira_signature" = [])),
    request_body(content = Object, content_type = "application/json",
        description = "Jira's webhook payload (`webhookEvent`, `issue`)"),
    responses(
        (status = 200, description = "An action item's ticket changed", body = TicketOutcome),
        (status = 202, description = "Nothing to do: another event, another issue, or not a Jira payload", body = TicketOutcome),
        (status = 400, description = "A Jira issue event SIMA cannot read", body = ErrorBody),
        (status = 401, description = "No, a malformed or a wrong signature; or Jira is not configured", body = ErrorBody),
    ),
)]
pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<TicketOutcome>), ApiError> {
    let signer = Signer {
        tracker: TRACKER,
        product: "Jira",
        variable: "SIMA_JIRA_WEBHOOK_SECRET",
        secret: state.settings.jira.webhook_secret.as_ref(),
        header: SIGNATURE_HEADER,
        verify: verify_signature,
    };
    let payload = signer.open(&state, &headers, &body)?;
    if !payload.get("webhookEvent").is_some_and(Value::is_string) {
        return Ok(ignored("not a Jira webhook: no `webhookEvent`"));
    }
    let base_url = state.settings.jira.url.as_deref().unwrap_or_default().trim_end_matches('/');
    match parse_webhook(&body, base_url).map_err(|e| ApiError::invalid(e.to_string()))? {
        Some(change) => record(&state, change, TRACKER).await,
        None => Ok(ignored("not an issue event")),
    }
}
