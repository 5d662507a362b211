//! `/api/v1/incidents/{id}/actions…`: the follow-up action items.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sima_core::domain::{ActionItem, Actor, Command, Incident, NewActionItem, Text, Ticket, UserRef};
use utoipa::{IntoParams, ToSchema};

use super::json::JsonBody;
use super::naming::{clip, incident_ref, IncidentPath};
use super::schemas;
use crate::error::{ApiError, ErrorBody};
use crate::intake::named;
use crate::state::AppState;

/// One action item as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ActionItem)]
pub(super) struct ActionItemView {
    /// Its number, from 1 (`POST …/actions/{number}/done`).
    #[schema(minimum = 1)]
    number: usize,
    /// What is to be done.
    text: String,
    /// Who does it (chat id).
    #[schema(required = true)]
    owner: Option<String>,
    /// `open` or `done`.
    #[schema(schema_with = schemas::action_status)]
    status: &'static str,
    /// When it should be done by (`YYYY-MM-DD`).
    #[schema(required = true)]
    due: Option<NaiveDate>,
    /// Who recorded it (`user:U1`, `api`).
    added_by: String,
    /// When it was done.
    #[schema(required = true)]
    done_at: Option<DateTime<Utc>>,
    /// Its ticket in the tracker; null until it is exported.
    #[schema(required = true)]
    ticket: Option<TicketView>,
}

/// An action item's ticket in the tracker (Jira, Linear).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Ticket)]
pub(super) struct TicketView {
    /// The key people read (`OPS-12`).
    #[schema(example = "OPS-12")]
    key: String,
    /// The tracker's own link to it.
    #[schema(example = "https://acme.atlassian.net/browse/OPS-12")]
    url: String,
    /// The tracker's status name, as its users see it (`In Progress`).
    #[schema(example = "In Progress")]
    status: String,
}

impl TicketView {
    fn new(ticket: &Ticket) -> Self {
        Self { key: ticket.key.clone(), url: ticket.url.clone(), status: ticket.status.clone() }
    }
}

/// `GET /api/v1/incidents/{id}/actions`: an incident's action items.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ActionList {
    /// The action items, numbered from 1.
    actions: Vec<ActionItemView>,
}

impl ActionItemView {
    fn new(number: usize, item: &ActionItem) -> Self {
        Self {
            number,
            text: item.text.to_string(),
            owner: item.owner.as_ref().map(ToString::to_string),
            status: item.status.as_str(),
            due: item.due,
            added_by: item.added_by.to_string(),
            done_at: item.done_at,
            ticket: item.ticket.as_ref().map(TicketView::new),
        }
    }
}

fn views(incident: &Incident) -> Vec<ActionItemView> {
    incident.action_items().iter().enumerate().map(|(i, item)| ActionItemView::new(i + 1, item)).collect()
}

/// An incident's action items, numbered from 1.
#[utoipa::path(
    get,
    path = "/incidents/{id}/actions",
    operation_id = "list_action_items",
    tag = "actions",
    params(IncidentPath),
    responses(
        (status = 200, description = "The action items", body = ActionList),
        (status = 400, description = "The number is out of range", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
    ),
)]
pub(super) async fn list(
    State(state): State<AppState>,
    Path(IncidentPath { id }): Path<IncidentPath>,
) -> Result<Json<ActionList>, ApiError> {
    let incident = state.service.get(incident_ref(&id)?).await?;
    Ok(Json(ActionList { actions: views(&incident) }))
}

/// A new action item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewActionItem)]
pub(super) struct NewActionBody {
    /// What is to be done.
    text: String,
    /// Who does it (chat id, `@` optional).
    #[serde(default)]
    owner: Option<String>,
    /// When it should be done by.
    #[serde(default)]
    #[schema(format = Date, example = "2026-12-01")]
    due: Option<String>,
}

impl NewActionBody {
    fn parse(self) -> Result<NewActionItem, ApiError> {
        let text = named("text", Text::parse(self.text.trim()))?;
        let owner = match self.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            Some(owner) => Some(named("owner", UserRef::parse(owner.trim_start_matches('@')))?),
            None => None,
        };
        let due = match self.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(due) => Some(NaiveDate::parse_from_str(due, "%Y-%m-%d").map_err(|_| {
                ApiError::invalid(format!("`due`: date `{due}` is invalid: use YYYY-MM-DD, e.g. `2026-12-01`"))
            })?),
            None => None,
        };
        Ok(NewActionItem { text, owner, due })
    }
}

/// Add an action item.
#[utoipa::path(
    post,
    path = "/incidents/{id}/actions",
    operation_id = "add_action_item",
    tag = "actions",
    params(IncidentPath),
    request_body = NewActionBody,
    responses(
        (status = 201, description = "The new action item", body = ActionItemView),
        (status = 400, description = "A field is invalid; the message names it", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "The incident is closed (`refused`) or changed meanwhile (`busy`)", body = ErrorBody),
    ),
)]
pub(super) async fn add(
    State(state): State<AppState>,
    Path(IncidentPath { id }): Path<IncidentPath>,
    JsonBody(body): JsonBody<NewActionBody>,
) -> Result<impl IntoResponse, ApiError> {
    let item = body.parse()?;
    let incident = state.service.get(incident_ref(&id)?).await?;
    let after = state.service.execute(incident.id(), Actor::Api, Command::AddActionItem(item)).await?;
    let created = views(&after).pop().ok_or_else(|| ApiError::not_found("the action item was not recorded"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The `{number}` of an action item in a path.
///
/// # Errors
/// 404 when it is no number at all; 400 when it is a number out of range
/// (action items are numbered from 1 to `u32::MAX`).
fn action_number(segment: &str) -> Result<u32, ApiError> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::not_found(format!("`{}` is no action item number: use 1, 2, …", clip(segment))));
    }
    segment.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::invalid(format!(
            "`number`: `{}` is out of range: action items are numbered from 1 to {}",
            clip(segment),
            u32::MAX
        ))
    })
}

/// The `{id}` and `{number}` of an action item's path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(super) struct ActionPath {
    /// The incident: its UUID or its number (`INC-7`).
    #[param(example = "INC-7")]
    id: String,
    /// The action item's number, from 1.
    #[param(value_type = u32, minimum = 1, example = 1)]
    number: String,
}

/// Mark an action item done.
///
/// Marking it done again changes nothing.
#[utoipa::path(
    post,
    path = "/incidents/{id}/actions/{number}/done",
    operation_id = "complete_action_item",
    tag = "actions",
    params(ActionPath),
    responses(
        (status = 200, description = "The action item, done", body = ActionItemView),
        (status = 400, description = "A number is out of range", body = ErrorBody),
        (status = 404, description = "No such incident or action item", body = ErrorBody),
        (status = 409, description = "The incident is closed (`refused`) or changed meanwhile (`busy`)", body = ErrorBody),
    ),
)]
pub(super) async fn done(
    State(state): State<AppState>,
    Path(ActionPath { id, number }): Path<ActionPath>,
) -> Result<Json<ActionItemView>, ApiError> {
    let number = action_number(&number)?;
    let incident = state.service.get(incident_ref(&id)?).await?;
    let after = state.service.execute(incident.id(), Actor::Api, Command::CompleteActionItem(number)).await?;
    Ok(Json(item_view(&after, number)?))
}

/// Action item `number` (from 1) of `incident`, as the API shows it.
fn item_view(incident: &Incident, number: u32) -> Result<ActionItemView, ApiError> {
    let item = incident.action_item(number).ok_or_else(|| ApiError::not_found(format!("no action item {number}")))?;
    Ok(ActionItemView::new(number as usize, item))
}

/// Export an action item to the tracker.
///
/// For `[tracker] export = "on_command"`, where action items become tickets
/// only when asked; with `all` it asks again for one whose export failed.
/// The ticket is made in the background: read the item back for its `ticket`.
/// Asking again for an exported item changes nothing.
#[utoipa::path(
    post,
    path = "/incidents/{id}/actions/{number}/export",
    operation_id = "export_action_item",
    tag = "actions",
    params(ActionPath),
    responses(
        (status = 202, description = "The action item; its ticket follows", body = ActionItemView),
        (status = 400, description = "A number is out of range", body = ErrorBody),
        (status = 404, description = "No such incident or action item", body = ErrorBody),
        (status = 409, description = "No tracker is configured (`no_tracker`), the incident is closed (`refused`) \
                                     or changed meanwhile (`busy`)", body = ErrorBody),
    ),
)]
pub(super) async fn export(
    State(state): State<AppState>,
    Path(ActionPath { id, number }): Path<ActionPath>,
) -> Result<(StatusCode, Json<ActionItemView>), ApiError> {
    let number = action_number(&number)?;
    let incident = state.service.get(incident_ref(&id)?).await?;
    let after = state.service.execute(incident.id(), Actor::Api, Command::ExportActionItem(number)).await?;
    Ok((StatusCode::ACCEPTED, Json(item_view(&after, number)?)))
}
