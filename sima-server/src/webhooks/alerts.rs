//! `POST /webhooks/alerts`: the generic alert JSON.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use sima_core::domain::{Actor, DedupKey, Severity};

use super::request::AlertRequest;
use super::resolve::alert_resolved;
use super::token::authorize;
use crate::api::IncidentView;
use crate::error::ApiError;
use crate::intake::{named, DeclarationFields};
use crate::state::AppState;

/// Whether the alert fires or cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum AlertStatus {
    Firing,
    Resolved,
}

/// `{"dedup_key", "domain", "summary", "description"?, "severity"?, "impact"?, "started_at"?, "status"}`.
#[derive(Debug, Deserialize)]
pub struct AlertBody {
    #[serde(flatten)]
    fields: DeclarationFields,
    status: AlertStatus,
}

impl AlertBody {
    /// What this alert asks for, or a 400 naming the field to fix.
    ///
    /// # Errors
    /// 400 (or 422 for hidden characters) for a missing or invalid field.
    pub fn request(self, default_severity: Severity) -> Result<AlertRequest, ApiError> {
        let Some(key) = self.fields.dedup_key.as_deref() else {
            return Err(ApiError::invalid("`dedup_key` is required: alerts with the same key open one incident"));
        };
        Ok(match self.status {
            AlertStatus::Firing => {
                AlertRequest::Fire(self.fields.into_declaration(Actor::Monitor("webhook".into()), default_severity)?)
            }
            AlertStatus::Resolved => AlertRequest::Clear(named("dedup_key", DedupKey::parse(key))?),
        })
    }
}

/// Opens (or finds) the incident for a firing alert; posts an update for a resolved one.
pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<AlertBody>, axum::extract::rejection::JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(&state, &headers)?;
    let Json(body) = body?;
    match body.request(state.settings.alerts.default_severity)? {
        AlertRequest::Fire(declaration) => {
            let declared = state.service.declare(declaration).await?;
            let status = if declared.created { StatusCode::CREATED } else { StatusCode::OK };
            let body = json!({ "created": declared.created, "incident": IncidentView::from(&declared.incident) });
            Ok((status, Json(body)))
        }
        AlertRequest::Clear(key) => {
            let incident = alert_resolved(&state, &key, "webhook").await?;
            let body = json!({ "created": false, "incident": incident.as_ref().map(IncidentView::from) });
            Ok((StatusCode::OK, Json(body)))
        }
    }
}
