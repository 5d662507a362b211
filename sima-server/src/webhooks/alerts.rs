//! `POST /webhooks/alerts`: the generic alert JSON.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use sima_core::domain::{Actor, DedupKey};

use super::{authorize, resolve::alert_resolved};
use crate::api::IncidentView;
use crate::error::ApiError;
use crate::intake::DeclarationFields;
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
pub(super) struct AlertBody {
    #[serde(flatten)]
    fields: DeclarationFields,
    status: AlertStatus,
}

/// Opens (or finds) the incident for a firing alert; posts an update for a resolved one.
pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<AlertBody>, axum::extract::rejection::JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(&state, &headers)?;
    let Json(body) = body?;
    let Some(key) = body.fields.dedup_key.clone() else {
        return Err(ApiError::invalid("`dedup_key` is required: alerts with the same key open one incident"));
    };
    let key = DedupKey::parse(&key).map_err(|e| ApiError::invalid(format!("`dedup_key`: {e}")))?;
    match body.status {
        AlertStatus::Firing => {
            let declaration = body
                .fields
                .into_declaration(Actor::Monitor("webhook".into()), state.settings.alerts.default_severity)?;
            let declared = state.service.declare(declaration).await?;
            let status = if declared.created { StatusCode::CREATED } else { StatusCode::OK };
            let body = json!({ "created": declared.created, "incident": IncidentView::from(&declared.incident) });
            Ok((status, Json(body)))
        }
        AlertStatus::Resolved => {
            let incident = alert_resolved(&state, &key, "webhook").await?;
            let body = json!({ "created": false, "incident": incident.as_ref().map(IncidentView::from) });
            Ok((StatusCode::OK, Json(body)))
        }
    }
}
