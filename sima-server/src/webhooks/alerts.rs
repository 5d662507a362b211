//! `POST /webhooks/alerts`: the generic alert JSON.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use sima_core::domain::{Actor, DedupKey, FieldSchema, Severity};
use utoipa::ToSchema;

use super::fire::answer;
use super::request::AlertRequest;
use super::token::authorize;
use crate::api::AlertOutcome;
use crate::error::{ApiError, ErrorBody};
use crate::intake::{named, DeclarationFields};
use crate::state::AppState;

/// Whether the alert fires or cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum AlertStatus {
    Firing,
    Resolved,
}

/// `{"dedup_key", "domain", "summary", "description"?, "severity"?, "impact"?, "started_at"?, "status"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = Alert)]
pub struct AlertBody {
    /// The incident to open; `dedup_key` is required here: alerts with the same key open one incident.
    #[serde(flatten)]
    fields: DeclarationFields,
    /// `firing` opens (or finds) the incident; `resolved` posts an update on it.
    status: AlertStatus,
}

impl AlertBody {
    /// What this alert asks for, or a 400 naming the field to fix.
    ///
    /// # Errors
    /// 400 (or 422 for hidden characters) for a missing or invalid field.
    /// Its type and custom fields are checked against `schema`.
    pub fn request(self, schema: &FieldSchema, default_severity: Severity) -> Result<AlertRequest, ApiError> {
        let Some(key) = self.fields.dedup_key.as_deref() else {
            return Err(ApiError::invalid("`dedup_key` is required: alerts with the same key open one incident"));
        };
        Ok(match self.status {
            AlertStatus::Firing => {
                let reporter = Actor::Monitor("webhook".into());
                AlertRequest::Fire(self.fields.into_declaration(schema, reporter, default_severity)?)
            }
            AlertStatus::Resolved => AlertRequest::Clear(named("dedup_key", DedupKey::parse(key))?),
        })
    }
}

/// Receive a generic alert.
///
/// Opens (or finds) the incident for a firing alert; posts an update for a resolved one.
#[utoipa::path(
    post,
    path = "/alerts",
    operation_id = "receive_alert",
    tag = "webhooks",
    security(("webhook_token" = [])),
    request_body = AlertBody,
    responses(
        (status = 201, description = "A new incident", body = AlertOutcome),
        (status = 200, description = "The incident already open for this `dedup_key`, or the one a resolved \
                                      alert updated", body = AlertOutcome),
        (status = 400, description = "A field is invalid or `dedup_key` is missing", body = ErrorBody),
        (status = 503, description = "A new incident below sev1 while the backlog is over `[intake] max_backlog` \
                                      (`overloaded`; nothing recorded, resend after `Retry-After`), or the store is \
                                      unreachable (`unavailable`), the server is full (`overloaded`) or the request \
                                      took too long (`timeout`)", body = ErrorBody,
         headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    ),
)]
pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<AlertBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let Json(body) = body?;
    let request = body.request(&state.service.config().schema, state.settings.alerts.default_severity)?;
    answer(&state, request, "webhook").await
}
