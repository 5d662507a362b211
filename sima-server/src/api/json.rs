//! JSON shapes of the API (docs/architecture.md#the-external-contract; every field in
//! docs/api.md#shapes), and the body extractor. Each shape is the type a handler
//! serializes and, through `ToSchema`, its schema in `/api/v1/openapi.json`.

use axum::extract::{FromRequest, Request};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sima_core::domain::{Incident, IncidentEvent, Room};
use utoipa::ToSchema;

use super::schemas;

use crate::error::ApiError;

/// A JSON body whose rejections answer in the API's error shape.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

/// Role holders.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Roles)]
pub struct RolesView {
    /// Incident Manager's chat id.
    #[schema(required = true)]
    pub incident_manager: Option<String>,
    /// Communication Lead's chat id.
    #[schema(required = true)]
    pub communication_lead: Option<String>,
}

/// The chat room of an incident.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Room)]
pub struct RoomView {
    /// The platform's channel id (`C0123ABC` on Slack).
    pub id: String,
    /// The room's name.
    pub name: String,
    /// A link that opens the room.
    pub url: String,
}

impl From<&Room> for RoomView {
    fn from(room: &Room) -> Self {
        Self { id: room.id.to_string(), name: room.name.clone(), url: room.url.clone() }
    }
}

/// An incident as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Incident)]
pub struct IncidentView {
    /// UUID.
    #[schema(format = "uuid")]
    pub id: String,
    /// `INC-7`.
    #[schema(example = "INC-7")]
    pub number: String,
    /// Status.
    #[schema(schema_with = schemas::status)]
    pub status: String,
    /// Domain slug.
    #[schema(example = "payments")]
    pub domain: String,
    /// One line.
    pub summary: String,
    /// Longer text.
    pub description: String,
    /// `sev1`…`sev4`.
    #[schema(schema_with = schemas::severity)]
    pub severity: String,
    /// Affected customers.
    #[schema(required = true)]
    pub impact: Option<u64>,
    /// Webhook deduplication key.
    #[schema(required = true)]
    pub dedup_key: Option<String>,
    /// Who declared it (`user:U1`, `monitor:alertmanager`, `api`).
    pub reporter: String,
    /// Private: a private room, no broadcast, hidden from the read token and
    /// from dashboard users who are not in its room.
    pub private: bool,
    /// Incident type (null when declared without one).
    #[serde(rename = "type")]
    #[schema(required = true, example = "security")]
    pub incident_type: Option<String>,
    /// Custom field values by field name: a string, a number, or a list of
    /// strings (multi-select).
    #[schema(value_type = Object)]
    pub fields: sima_core::domain::FieldValues,
    /// Role holders.
    pub roles: RolesView,
    /// The incident room, once created.
    #[schema(required = true)]
    pub room: Option<RoomView>,
    /// Root cause, once known.
    #[schema(required = true)]
    pub root_cause: Option<String>,
    /// Follow-up actions.
    pub action_items: Vec<String>,
    /// Post-mortem link, once written.
    #[schema(required = true)]
    pub postmortem_url: Option<String>,
    /// When it was declared.
    pub declared_at: DateTime<Utc>,
    /// When impact began.
    pub started_at: DateTime<Utc>,
    /// When it first left `open`.
    #[schema(required = true)]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When it first entered `monitoring` or `resolved`.
    #[schema(required = true)]
    pub mitigated_at: Option<DateTime<Utc>>,
    /// When it last entered `resolved` (null while reopened).
    #[schema(required = true)]
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<&Incident> for IncidentView {
    fn from(i: &Incident) -> Self {
        let m = &i.milestones();
        Self {
            id: i.id().to_string(),
            number: i.number().to_string(),
            status: i.status().to_string(),
            domain: i.domain().to_string(),
            summary: i.summary().to_string(),
            description: i.description().to_string(),
            severity: i.severity().to_string(),
            impact: i.impact().map(|x| x.affected_customers()),
            dedup_key: i.dedup_key().map(ToString::to_string),
            reporter: i.reporter().to_string(),
            private: i.is_private(),
            incident_type: i.incident_type().map(ToOwned::to_owned),
            fields: i.fields().clone(),
            roles: RolesView {
                incident_manager: i.roles().incident_manager.as_ref().map(ToString::to_string),
                communication_lead: i.roles().communication_lead.as_ref().map(ToString::to_string),
            },
            room: i.room().map(RoomView::from),
            root_cause: i.root_cause().map(ToString::to_string),
            action_items: i.action_items().iter().map(|a| a.text.to_string()).collect(),
            postmortem_url: i.postmortem().map(|d| d.url.clone()),
            declared_at: m.declared_at,
            started_at: m.started_at,
            acknowledged_at: m.acknowledged_at,
            mitigated_at: m.mitigated_at,
            resolved_at: m.resolved_at,
        }
    }
}

/// `GET /api/v1/incidents`: a page of incidents, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IncidentList {
    /// The incidents of this page.
    pub(crate) incidents: Vec<IncidentView>,
    /// Pass it as `cursor` for the next page; null on the last page.
    #[schema(required = true, example = "INC-7")]
    pub(crate) next_cursor: Option<String>,
}

/// `GET /api/v1/incidents/{id}/timeline`: every event of an incident, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Timeline {
    /// The events, by `seq`.
    #[schema(schema_with = schemas::timeline_events)]
    pub(crate) events: Vec<IncidentEvent>,
}

/// `POST /api/v1/incidents/{id}/effects/retry`: how many failed effects were queued again.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EffectsRetried {
    /// Effects queued to run again.
    pub(crate) retried: u64,
}

/// What a webhook did: the incident it opened, found or updated.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertOutcome {
    /// Whether this alert opened a new incident.
    pub created: bool,
    /// The incident; null for a resolved alert that matches no open incident.
    #[schema(required = true)]
    pub incident: Option<IncidentView>,
}
