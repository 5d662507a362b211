//! `/api/v1/incidents/{id}/actions…`: the follow-up action items.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sima_core::domain::{ActionItem, Actor, Command, Incident, NewActionItem, Text, UserRef};

use super::json::JsonBody;
use super::naming::{clip, incident_ref};
use crate::error::ApiError;
use crate::intake::named;
use crate::state::AppState;

/// One action item as the API shows it.
#[derive(Debug, Serialize)]
pub(super) struct ActionItemView {
    /// Its number, from 1 (`POST …/actions/{number}/done`).
    number: usize,
    text: String,
    owner: Option<String>,
    /// `open` or `done`.
    status: &'static str,
    /// `YYYY-MM-DD`.
    due: Option<NaiveDate>,
    added_by: String,
    done_at: Option<DateTime<Utc>>,
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
        }
    }
}

fn views(incident: &Incident) -> Vec<ActionItemView> {
    incident.action_items().iter().enumerate().map(|(i, item)| ActionItemView::new(i + 1, item)).collect()
}

/// `GET /incidents/{id}/actions`: `{"actions": [...]}`, numbered from 1.
pub(super) async fn list(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let incident = state.service.get(incident_ref(&id)?).await?;
    Ok(Json(json!({ "actions": views(&incident) })))
}

/// A new action item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewActionBody {
    text: String,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
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

/// `POST /incidents/{id}/actions` with `{"text", "owner"?, "due"?}`: 201 with the new item.
pub(super) async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
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

/// `POST /incidents/{id}/actions/{number}/done`: the item, now done (done again is a no-op).
pub(super) async fn done(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
) -> Result<Json<ActionItemView>, ApiError> {
    let number = action_number(&number)?;
    let incident = state.service.get(incident_ref(&id)?).await?;
    let after = state.service.execute(incident.id(), Actor::Api, Command::CompleteActionItem(number)).await?;
    let index = usize::try_from(number).unwrap_or(usize::MAX) - 1;
    let item =
        after.action_items().get(index).ok_or_else(|| ApiError::not_found(format!("no action item {number}")))?;
    Ok(Json(ActionItemView::new(index + 1, item)))
}
