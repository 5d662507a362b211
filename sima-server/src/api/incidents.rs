//! `/api/v1/incidents…`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use sima_core::domain::{Actor, Command, Incident, IncidentNumber, IncidentRef, Status, Text, UserRef};
use sima_core::ports::IncidentFilter;
use sima_core::ServiceError;

use super::json::{IncidentView, JsonBody};
use super::naming::incident_ref;
use super::query::{FilterQuery, MAX_LIMIT};
use crate::error::ApiError;
use crate::intake::{named, DeclarationFields};
use crate::state::AppState;

/// Incidents per page when the caller names no `limit`.
const DEFAULT_PAGE: usize = 100;

/// The incidents numbered below `cursor` that pass `filter`, newest first, at
/// most `page + 1` of them (one more than a page tells whether more follow).
pub(crate) async fn after_cursor(
    state: &AppState,
    filter: &IncidentFilter,
    cursor: IncidentNumber,
    page: usize,
) -> Result<Vec<Incident>, ApiError> {
    // The stores list newest number first and filter by declaration time: start
    // at the cursor's declaration and skip what the previous page showed.
    let last = match state.service.get(IncidentRef::Number(cursor)).await {
        Ok(last) => last,
        Err(ServiceError::NotFound(_)) => return Err(ApiError::invalid(format!("`cursor`: no incident {cursor}"))),
        Err(error) => return Err(error.into()),
    };
    let until = last.milestones().declared_at + chrono::Duration::nanoseconds(1);
    let mut window = filter.clone();
    window.to = Some(filter.to.map_or(until, |to| to.min(until)));
    let mut extra = 1;
    loop {
        window.limit = Some(page + 1 + extra);
        let rows = state.service.list(&window).await?;
        let complete = rows.len() < page + 1 + extra;
        let rest: Vec<Incident> = rows.into_iter().filter(|i| i.number() < cursor).collect();
        if complete || rest.len() > page {
            return Ok(rest.into_iter().take(page + 1).collect());
        }
        extra *= 4;
    }
}

/// `GET /incidents`: `{"incidents": [...], "next_cursor"}`, newest first,
/// [`DEFAULT_PAGE`] at a time; pass `cursor=<next_cursor>` for the next page.
pub(super) async fn list(
    State(state): State<AppState>,
    query: Result<Query<FilterQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let mut filter = query.parse()?;
    // `parse` has checked the bounds of a `limit` given.
    let page = filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_LIMIT);
    let mut incidents = match query.cursor()? {
        Some(cursor) => after_cursor(&state, &filter, cursor, page).await?,
        None => {
            filter.limit = Some(page + 1);
            state.service.list(&filter).await?
        }
    };
    let next_cursor = (incidents.len() > page).then(|| {
        incidents.truncate(page);
        incidents.last().map(|i| i.number().to_string())
    });
    let views: Vec<IncidentView> = incidents.iter().map(IncidentView::from).collect();
    Ok(Json(json!({ "incidents": views, "next_cursor": next_cursor.flatten() })))
}

/// The header that makes a declaration safe to retry.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The `Idempotency-Key` header as the dedup key of an API declaration.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
    let value = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .ok_or_else(|| ApiError::invalid("`Idempotency-Key` must be 1 to 200 printable ASCII characters"))?;
    Ok(Some(format!("idempotency:{value}")))
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
///
/// With an `Idempotency-Key` header and no `dedup_key`, the key is the dedup
/// key, so a retried request answers the incident the first one declared.
pub(super) async fn declare(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(mut body): JsonBody<DeclareBody>,
) -> Result<impl IntoResponse, ApiError> {
    if body.fields.dedup_key.is_none() {
        body.fields.dedup_key = idempotency_key(&headers)?;
    }
    let reporter = match body.reporter.as_deref() {
        Some(user) => Actor::User(named("reporter", UserRef::parse(user))?),
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
    let incident = state.service.get(incident_ref(&id)?).await?;
    Ok(Json(IncidentView::from(&incident)))
}

/// `GET /incidents/{id}/timeline`: `{"events": [...]}`.
pub(super) async fn timeline(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (_, events) = state.service.timeline(incident_ref(&id)?).await?;
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
        Some(m) if !m.is_empty() => Some(named("message", Text::parse(m))?),
        _ => None,
    };
    let incident = state.service.get(incident_ref(&id)?).await?;
    let changed = state.service.execute(incident.id(), Actor::Api, Command::ChangeStatus { to, message }).await?;
    Ok(Json(IncidentView::from(&changed)))
}

/// `POST /incidents/{id}/effects/retry`: queues the effects that failed for
/// good to run again; `{"retried": n}`.
pub(super) async fn retry_effects(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let incident = state.service.get(incident_ref(&id)?).await?;
    let retried = state.service.retry_failed_effects(incident.id(), Actor::Api).await?;
    Ok(Json(json!({ "retried": retried })))
}
