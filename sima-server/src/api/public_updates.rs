//! `POST /api/v1/incidents/{id}/public-updates`: publish an update on the
//! status page, as the API actor. Only what is published here (or with
//! `/incident publish` in chat) ever reaches `/status`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sima_core::domain::{Actor, ComponentStatus, PublicStatus};
use sima_core::PublishRequest;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::ToSchema;

use super::json::JsonBody;
use super::naming::{incident_ref, IncidentPath};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Longest accepted message, in characters (the core's bound, checked here first for a clear answer).
pub(crate) const MAX_MESSAGE: usize = 2000;

fn one_of(names: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(names)).description(Some(description)).build()
}

fn public_status() -> Object {
    one_of(PublicStatus::ALL.map(PublicStatus::as_str), "The stage announced, in Atlassian Statuspage's words.")
}

fn component_status() -> Object {
    one_of(ComponentStatus::ALL.map(ComponentStatus::as_str), "How the incident's components are doing.")
}

/// A public update as the API takes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PublicUpdateRequest)]
pub(super) struct PublicUpdateBody {
    /// `investigating`, `identified`, `monitoring` or `resolved`.
    #[schema(schema_with = public_status)]
    status: String,
    /// What customers are told (1 to 2000 characters).
    message: String,
    /// The public title (1 to 120 characters); unset: the last update's, else
    /// a neutral one naming the affected components. Never the internal summary.
    #[serde(default)]
    title: Option<String>,
    /// `operational`, `degraded_performance`, `partial_outage` or
    /// `major_outage`; unset: operational once resolved, else the last
    /// update's, else what the severity implies.
    #[serde(default)]
    #[schema(schema_with = component_status)]
    component_status: Option<String>,
}

/// The update as published.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PublicUpdatePublished)]
pub(super) struct PublishedView {
    /// The incident (`INC-7`).
    incident: String,
    /// The `public_update_published` event on its timeline.
    seq: u64,
    /// When it was published (RFC 3339).
    published_at: DateTime<Utc>,
    /// The stage announced.
    #[schema(schema_with = public_status)]
    status: PublicStatus,
    /// The public title.
    title: String,
    /// What customers are told.
    message: String,
    /// How its components are shown.
    #[schema(schema_with = component_status)]
    component_status: ComponentStatus,
    /// Its page on the status page (`{status.url}/status/incidents/{public id}`).
    url: String,
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    all.iter().map(|s| format!("`{}`", name(*s))).collect::<Vec<_>>().join(", ")
}

/// Publish an update on the status page.
///
/// The update appears on `/status`, in `/status/feed.atom` and in
/// `/status/api/v2/summary.json` within a few seconds, and is pushed to the
/// hosted Statuspage page when one is configured. Private incidents are
/// never published. Needs the API token (the read token is refused).
#[utoipa::path(
    post,
    path = "/incidents/{id}/public-updates",
    operation_id = "publish_public_update",
    tag = "incidents",
    params(IncidentPath),
    request_body = PublicUpdateBody,
    responses(
        (status = 201, description = "The update as published", body = PublishedView),
        (status = 400, description = "The status, component status, message or title is invalid; the message \
                                      lists the accepted values or bounds", body = ErrorBody),
        (status = 422, description = "The message or title holds refused characters (control characters, \
                                      bidirectional overrides, zero-width characters)", body = ErrorBody),
        (status = 401, description = "No API token, or a wrong one", body = ErrorBody),
        (status = 403, description = "The read token: it may only read", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "The incident is private (`refused`: private incidents never reach the \
                                      status page), has ended (only `resolved` may still be published), or \
                                      changed meanwhile (`busy`)", body = ErrorBody),
    ),
)]
pub(super) async fn publish(
    State(state): State<AppState>,
    Path(IncidentPath { id }): Path<IncidentPath>,
    JsonBody(body): JsonBody<PublicUpdateBody>,
) -> Result<(StatusCode, Json<PublishedView>), ApiError> {
    let status: PublicStatus = body.status.parse().map_err(|_| {
        ApiError::invalid(format!(
            "`status`: `{}` is not a public status; use one of {}",
            body.status.trim(),
            names(&PublicStatus::ALL, PublicStatus::as_str)
        ))
    })?;
    let component_status = match body.component_status.as_deref() {
        None => None,
        Some(value) => Some(value.parse::<ComponentStatus>().map_err(|_| {
            ApiError::invalid(format!(
                "`component_status`: `{}` is not a component status; use one of {}",
                value.trim(),
                names(&ComponentStatus::ALL, ComponentStatus::as_str)
            ))
        })?),
    };
    let length = body.message.trim().chars().count();
    if length == 0 || length > MAX_MESSAGE {
        return Err(ApiError::invalid(format!(
            "`message` must be 1 to {MAX_MESSAGE} characters (got {length}): it is what customers read"
        )));
    }
    let incident = state.service.get(incident_ref(&id)?).await?;
    if incident.is_private() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "refused",
            format!(
                "{} is private: private incidents never reach the status page; make it public first \
                 (POST /api/v1/incidents/{}/visibility with {{\"private\": false}})",
                incident.number(),
                incident.number()
            ),
        ));
    }
    let request = PublishRequest { status, message: body.message, title: body.title, component_status };
    let published = state.service.publish(incident.id(), Actor::Api, request).await?;
    let update = published.public_updates().last().ok_or_else(|| {
        tracing::error!(incident = %published.number(), "published, yet no public update recorded");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    })?;
    let url = format!("{}/status/incidents/{}", state.settings.status_url(), crate::status::public_id(&published));
    Ok((
        StatusCode::CREATED,
        Json(PublishedView {
            incident: published.number().to_string(),
            seq: update.seq,
            published_at: update.at,
            status: update.status,
            title: update.title.clone(),
            message: update.message.as_str().to_owned(),
            component_status: update.component_status,
            url,
        }),
    ))
}
