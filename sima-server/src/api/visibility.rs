//! `POST /api/v1/incidents/{id}/visibility`: make an incident private, or
//! public again, as the API actor (who may always make one public).

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use sima_core::domain::{Actor, Command};
use utoipa::ToSchema;

use super::json::{IncidentView, JsonBody};
use super::naming::{incident_ref, IncidentPath};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// A visibility change through the API.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = VisibilityChange)]
pub(super) struct VisibilityBody {
    /// `true` to make the incident private, `false` to make it public.
    private: bool,
}

/// Make an incident private or public.
///
/// A private incident is hidden from the read token and from dashboard users
/// outside its room; making it public announces it. The change is recorded on
/// the timeline (`visibility_changed`); asking for the visibility it already
/// has changes nothing.
#[utoipa::path(
    post,
    path = "/incidents/{id}/visibility",
    operation_id = "change_visibility",
    tag = "incidents",
    params(IncidentPath),
    request_body = VisibilityBody,
    responses(
        (status = 200, description = "The incident, with its new visibility", body = IncidentView),
        (status = 400, description = "The number is out of range, or the body is not JSON", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "The incident changed meanwhile (`busy`)", body = ErrorBody),
        (status = 422, description = "The body is not `{\"private\": true|false}`; the message names what \
                                      is wrong", body = ErrorBody),
    ),
)]
pub(super) async fn change(
    State(state): State<AppState>,
    Path(IncidentPath { id }): Path<IncidentPath>,
    JsonBody(VisibilityBody { private }): JsonBody<VisibilityBody>,
) -> Result<Json<IncidentView>, ApiError> {
    let incident = state.service.get(incident_ref(&id)?).await?;
    let changed = state.service.execute(incident.id(), Actor::Api, Command::SetVisibility { private }).await?;
    Ok(Json(IncidentView::from(&changed)))
}
