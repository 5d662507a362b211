//! `POST /api/v1/incidents/{id}/fields`: set or clear custom fields after
//! declaration, each value checked against the incident's type.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::Json;
use sima_core::domain::Actor;
use sima_core::ServiceError;

use super::json::{IncidentView, JsonBody};
use super::naming::{incident_ref, IncidentPath};
use crate::error::{ApiError, ErrorBody};
use crate::intake::field_inputs;
use crate::state::AppState;

/// Set custom fields.
///
/// The body maps field names to values: a string, a number, or a list of
/// strings for a multi-select; `null` or `""` clears a field. Every change
/// is recorded on the timeline (`fields_set`) and told in the incident room.
#[utoipa::path(
    post,
    path = "/incidents/{id}/fields",
    operation_id = "set_fields",
    tag = "incidents",
    params(IncidentPath),
    request_body(content = Object, description = "Field values by field name, e.g. `{\"category\": \"phishing\"}`"),
    responses(
        (status = 200, description = "The incident, with its fields", body = IncidentView),
        (status = 400, description = "A field is unknown, not of the incident's type, has a wrong value, or is \
                                      required and was cleared; the message names each one", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "The incident changed meanwhile (`busy`)", body = ErrorBody),
    ),
)]
pub(super) async fn set(
    State(state): State<AppState>,
    Path(IncidentPath { id }): Path<IncidentPath>,
    JsonBody(body): JsonBody<BTreeMap<String, serde_json::Value>>,
) -> Result<Json<IncidentView>, ApiError> {
    let incident = state.service.get(incident_ref(&id)?).await?;
    let changed = match state.service.set_fields(incident.id(), Actor::Api, &field_inputs(&body)).await {
        Ok(changed) => changed,
        Err(ServiceError::Invalid(error)) => return Err(ApiError::invalid(format!("`fields`: {error}"))),
        Err(error) => return Err(error.into()),
    };
    Ok(Json(IncidentView::from(&changed)))
}
