//! JSON shapes of the API (docs/architecture.md#the-external-contract; every field in
//! docs/api.md#shapes), and the body extractor.

use axum::extract::{FromRequest, Request};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sima_core::domain::{Incident, Room};

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
#[derive(Debug, Serialize)]
pub struct RolesView {
    /// Incident Manager's chat id.
    pub incident_manager: Option<String>,
    /// Communication Lead's chat id.
    pub communication_lead: Option<String>,
}

/// An incident as the API shows it.
#[derive(Debug, Serialize)]
pub struct IncidentView {
    /// UUID.
    pub id: String,
    /// `INC-7`.
    pub number: String,
    /// Status.
    pub status: String,
    /// Domain slug.
    pub domain: String,
    /// One line.
    pub summary: String,
    /// Longer text.
    pub description: String,
    /// `sev1`…`sev4`.
    pub severity: String,
    /// Affected customers.
    pub impact: Option<u64>,
    /// Webhook deduplication key.
    pub dedup_key: Option<String>,
    /// Who declared it (`user:U1`, `monitor:alertmanager`, `api`).
    pub reporter: String,
    /// Role holders.
    pub roles: RolesView,
    /// The incident room.
    pub room: Option<Room>,
    /// Root cause, once known.
    pub root_cause: Option<String>,
    /// Follow-up actions.
    pub action_items: Vec<String>,
    /// Post-mortem link, once written.
    pub postmortem_url: Option<String>,
    /// Milestones.
    pub declared_at: DateTime<Utc>,
    /// Milestones.
    pub started_at: DateTime<Utc>,
    /// Milestones.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Milestones.
    pub mitigated_at: Option<DateTime<Utc>>,
    /// Milestones.
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
            roles: RolesView {
                incident_manager: i.roles().incident_manager.as_ref().map(ToString::to_string),
                communication_lead: i.roles().communication_lead.as_ref().map(ToString::to_string),
            },
            room: i.room().cloned(),
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
