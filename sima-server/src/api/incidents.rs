//! `/api/v1/incidents…`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use sima_core::domain::{Actor, Command, Incident, IncidentNumber, IncidentRef, Status, Text, UserRef};
use sima_core::ports::IncidentFilter;
use sima_core::ServiceError;
use utoipa::ToSchema;

use super::json::{EffectsRetried, IncidentList, IncidentView, JsonBody, Timeline};
use super::naming::{incident_ref, IncidentPath};
use super::query::{FilterQuery, MAX_LIMIT};
use super::schemas;
use crate::backlog::IntakeSource;
use crate::error::{ApiError, ErrorBody};
use crate::guard::visibility::Viewer;
use crate::guard::Caller;
use crate::intake::{named, DeclarationFields};
use crate::state::AppState;

/// Incidents per page when the caller names no `limit`.
const DEFAULT_PAGE: usize = 100;

/// The incidents numbered below `cursor` that pass `filter`, newest first, at
/// most `page + 1` of them (one more than a page tells whether more follow).
pub(crate) async fn after_cursor(
    state: &AppState,
    viewer: &Viewer,
    filter: &IncidentFilter,
    cursor: IncidentNumber,
    page: usize,
) -> Result<Vec<Incident>, ApiError> {
    // The stores list newest number first and filter by declaration time: start
    // at the cursor's declaration and skip what the previous page showed.
    let last = match state.service.get(IncidentRef::Number(cursor)).await {
        // A hidden incident is no cursor, as if it did not exist.
        Ok(last) if viewer.can_see(state, &last).await? => last,
        Ok(_) => return Err(ApiError::invalid(format!("`cursor`: no incident {cursor}"))),
        Err(ServiceError::NotFound(_)) => return Err(ApiError::invalid(format!("`cursor`: no incident {cursor}"))),
        Err(error) => return Err(error.into()),
    };
    let until = last.milestones().declared_at + chrono::Duration::nanoseconds(1);
    let mut window = filter.clone();
    window.to = Some(filter.to.map_or(until, |to| to.min(until)));
    let mut extra = 1;
    loop {
        window.limit = Some(page + 1 + extra);
        let rows = viewer.list(state, &window).await?;
        let complete = rows.len() < page + 1 + extra;
        let rest: Vec<Incident> = rows.into_iter().filter(|i| i.number() < cursor).collect();
        if complete || rest.len() > page {
            return Ok(rest.into_iter().take(page + 1).collect());
        }
        extra *= 4;
    }
}

/// List incidents, newest first.
///
/// 100 at a time unless `limit` says otherwise; pass `cursor=<next_cursor>`
/// for the next page (`next_cursor` is null on the last one).
#[utoipa::path(
    get,
    path = "/incidents",
    operation_id = "list_incidents",
    tag = "incidents",
    params(FilterQuery),
    responses(
        (status = 200, description = "A page of incidents", body = IncidentList),
        (status = 400, description = "A filter is invalid; the message names it", body = ErrorBody),
    ),
)]
pub(super) async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<FilterQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<IncidentList>, ApiError> {
    let Query(query) = query?;
    let mut filter = query.parse()?;
    // `parse` has checked the bounds of a `limit` given.
    let page = filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_LIMIT);
    // The read token never sees private incidents.
    let viewer = Viewer::of(caller);
    let mut incidents = match query.cursor()? {
        Some(cursor) => after_cursor(&state, &viewer, &filter, cursor, page).await?,
        None => {
            filter.limit = Some(page + 1);
            viewer.list(&state, &filter).await?
        }
    };
    let next_cursor = (incidents.len() > page).then(|| {
        incidents.truncate(page);
        incidents.last().map(|i| i.number().to_string())
    });
    let incidents = incidents.iter().map(IncidentView::from).collect();
    Ok(Json(IncidentList { incidents, next_cursor: next_cursor.flatten() }))
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
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = Declaration)]
pub(super) struct DeclareBody {
    #[serde(flatten)]
    fields: DeclarationFields,
    /// The chat id of whoever declares, if a person.
    reporter: Option<String>,
}

/// Declare an incident.
///
/// 201 with the new incident, or 200 with the open one that has the same
/// `dedup_key`. With an `Idempotency-Key` header and no `dedup_key`, the key
/// is the dedup key, so a retried request answers the incident the first one
/// declared.
#[utoipa::path(
    post,
    path = "/incidents",
    operation_id = "declare_incident",
    tag = "incidents",
    params(
        ("Idempotency-Key" = Option<String>, Header,
         description = "Makes the declaration safe to retry: used as `dedup_key` when the body has none \
                        (1 to 200 printable ASCII characters)"),
    ),
    request_body = DeclareBody,
    responses(
        (status = 201, description = "The new incident", body = IncidentView),
        (status = 200, description = "The open incident that has this `dedup_key`", body = IncidentView),
        (status = 400, description = "A field is invalid; the message names each one", body = ErrorBody),
        (status = 503, description = "A new incident below sev1 while the backlog is over `[intake] max_backlog` \
                                      (`overloaded`; nothing recorded, retry after `Retry-After`), or the store is \
                                      unreachable (`unavailable`), the server is full (`overloaded`) or the request \
                                      took too long (`timeout`)", body = ErrorBody,
         headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    ),
)]
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
    let declaration = body.fields.into_declaration(
        &state.service.config().schema,
        reporter,
        state.settings.alerts.default_severity,
    )?;
    state.intake.admit(&state.service, &declaration, IntakeSource::Api).await?;
    let declared = state.service.declare(declaration).await?;
    let status = if declared.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(IncidentView::from(&declared.incident))))
}

/// One incident, by UUID or `INC-n`.
#[utoipa::path(
    get,
    path = "/incidents/{id}",
    operation_id = "get_incident",
    tag = "incidents",
    params(IncidentPath),
    responses(
        (status = 200, description = "The incident", body = IncidentView),
        (status = 400, description = "The number is out of range", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
    ),
)]
pub(super) async fn show(
    State(state): State<AppState>,
    Path(IncidentPath { id }): Path<IncidentPath>,
) -> Result<Json<IncidentView>, ApiError> {
    let incident = state.service.get(incident_ref(&id)?).await?;
    Ok(Json(IncidentView::from(&incident)))
}

/// An incident's timeline: every event, oldest first.
#[utoipa::path(
    get,
    path = "/incidents/{id}/timeline",
    operation_id = "get_timeline",
    tag = "incidents",
    params(IncidentPath),
    responses(
        (status = 200, description = "Every event, oldest first", body = Timeline),
        (status = 400, description = "The number is out of range", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
    ),
)]
pub(super) async fn timeline(
    State(state): State<AppState>,
    Path(IncidentPath { id }): Path<IncidentPath>,
) -> Result<Json<Timeline>, ApiError> {
    let (_, events) = state.service.timeline(incident_ref(&id)?).await?;
    Ok(Json(Timeline { events }))
}

/// A status change through the API.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StatusChange)]
pub(super) struct StatusBody {
    /// The new status.
    #[schema(schema_with = schemas::status)]
    status: String,
    /// What to tell the room about it.
    #[serde(default)]
    message: Option<String>,
}

/// Change an incident's status.
///
/// The message, if any, is posted in the incident room with the change.
#[utoipa::path(
    post,
    path = "/incidents/{id}/status",
    operation_id = "change_status",
    tag = "incidents",
    params(IncidentPath),
    request_body = StatusBody,
    responses(
        (status = 200, description = "The incident, in its new status", body = IncidentView),
        (status = 400, description = "The status or message is invalid", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "The incident cannot move to that status (`refused`), or changed \
                                      meanwhile (`busy`)", body = ErrorBody),
    ),
)]
pub(super) async fn change_status(
    State(state): State<AppState>,
    Path(IncidentPath { id }): Path<IncidentPath>,
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

/// Run failed effects again.
///
/// Queues the effects that failed for good (a room, a page, a post-mortem)
/// to run again, and says how many.
#[utoipa::path(
    post,
    path = "/incidents/{id}/effects/retry",
    operation_id = "retry_effects",
    tag = "incidents",
    params(IncidentPath),
    responses(
        (status = 200, description = "How many effects were queued again", body = EffectsRetried),
        (status = 400, description = "The number is out of range", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "The incident changed meanwhile (`busy`)", body = ErrorBody),
    ),
)]
pub(super) async fn retry_effects(
    State(state): State<AppState>,
    Path(IncidentPath { id }): Path<IncidentPath>,
) -> Result<Json<EffectsRetried>, ApiError> {
    let incident = state.service.get(incident_ref(&id)?).await?;
    let retried = state.service.retry_failed_effects(incident.id(), Actor::Api).await?;
    Ok(Json(EffectsRetried { retried }))
}
