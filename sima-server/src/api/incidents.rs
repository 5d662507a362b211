//! `/api/v1/incidents…`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use sima_core::domain::{Actor, Command, IncidentRef, Status, Text, UserRef};

use super::json::{IncidentView, JsonBody};
use super::query::FilterQuery;
use crate::error::ApiError;
use crate::intake::DeclarationFields;
use crate::state::AppState;

fn reference(id: &str) -> Result<IncidentRef, ApiError> {
    id.parse().map_err(|e: sima_core::domain::ValidationError| ApiError::not_found(e.to_string()))
}

/// `GET /incidents`: `{"incidents": [...]}`, newest first.
pub(super) async fn list(
    State(state): State<AppState>,
    query: Result<Query<FilterQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let incidents = state.service.list(&query.parse()?).await?;
    let views: Vec<IncidentView> = incidents.iter().map(IncidentView::from).collect();
    Ok(Json(json!({ "incidents": views })))
}

/// A declaration through the API.
#[derive(Debug, Deserialize)]
pub(super) struct DeclareBody {
    #[serde(flatten)]
    fields: DeclarationFields,
    /// The chat id of whoever declares, if a person.
    reporter: Option<String>,
}

/// `POST /incidents`: 201 with the new incident, or 200 with the open one
/// that has the same `dedup_key`.
pub(super) async fn declare(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<DeclareBody>,
) -> Result<impl IntoResponse, ApiError> {
    let reporter = match body.reporter.as_deref() {
        Some(user) => Actor::User(UserRef::parse(user).map_err(|e| ApiError::invalid(format!("`reporter`: {e}")))?),
        None => Actor::Api,
    };
    let declaration = body.fields.into_declaration(reporter, state.settings.alerts.default_severity)?;
    let declared = state.service.declare(declaration).await?;
    let status = if declared.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(IncidentView::from(&declared.incident))))
}

/// `GET /incidents/{id}` (a UUID or `INC-n`).
pub(super) async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<IncidentView>, ApiError> {
    let incident = state.service.get(reference(&id)?).await?;
    Ok(Json(IncidentView::from(&incident)))
}

/// `GET /incidents/{id}/timeline`: `{"events": [...]}`.
pub(super) async fn timeline(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (_, events) = state.service.timeline(reference(&id)?).await?;
    Ok(Json(json!({ "events": events })))
}

/// A status change through the API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StatusBody {
    status: String,
    #[serde(default)]
    message: Option<String>,
}

/// `POST /incidents/{id}/status` with `{"status", "message"}`.
pub(super) async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StatusBody>,
) -> Result<Json<IncidentView>, ApiError> {
    let to: Status = body.status.parse().map_err(|e| ApiError::invalid(format!("`status`: {e}")))?;
    let message = match body.message.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => Some(Text::parse(m).map_err(|e| ApiError::invalid(format!("`message`: {e}")))?),
        _ => None,
    };
    let incident = state.service.get(reference(&id)?).await?;
    let changed = state.service.execute(incident.id, Actor::Api, Command::ChangeStatus { to, message }).await?;
    Ok(Json(IncidentView::from(&changed)))
}

/// `POST /incidents/{id}/effects/retry`: queues the effects that failed for
/// good to run again; `{"retried": n}`.
pub(super) async fn retry_effects(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let incident = state.service.get(reference(&id)?).await?;
    let retried = state.service.retry_failed_effects(incident.id, Actor::Api).await?;
    Ok(Json(json!({ "retried": retried })))
}
