//! Publishing public updates: what customers read on the status page.
//!
//! Anyone who may act on the incident may publish, as with status updates;
//! a company keeps it to a role with a [`Policy`](crate::ports::Policy)
//! guard on [`Command::Publish`]. Private incidents are never published.

use std::collections::BTreeMap;

use tracing::instrument;

use super::{IncidentService, ServiceError};
use crate::domain::{
    components_of, default_public_title, parse_public_message, parse_public_title, Actor, Command, ComponentStatus,
    EventKind, Incident, IncidentId, PublicStatus, StatusComponent, ValidationError,
};
use crate::messages;
use crate::model::Form;

/// A public update as a caller asks for it (the REST body, the chat form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishRequest {
    /// The stage announced.
    pub status: PublicStatus,
    /// What customers are told: 1 to 2000 characters, no hidden characters.
    pub message: String,
    /// The public title (1 to 120 characters); `None`: the last update's,
    /// else a neutral one naming the affected components.
    pub title: Option<String>,
    /// How the affected components are doing; `None`: operational once
    /// resolved, else the last update's, else what the severity implies.
    pub component_status: Option<ComponentStatus>,
}

impl PublishRequest {
    /// A request with only a status and a message; the rest defaults.
    pub fn new(status: PublicStatus, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), title: None, component_status: None }
    }
}

impl IncidentService {
    /// The status page's components, as configured.
    pub fn status_components(&self) -> &[StatusComponent] {
        &self.config().status_components
    }

    /// The components `incident` affects (those covering its domain).
    pub fn components_of(&self, incident: &Incident) -> Vec<&StatusComponent> {
        components_of(self.status_components(), incident)
    }

    /// The title the next public update of `incident` gets when none is
    /// given: the last update's still shown, else a neutral one naming the affected
    /// components by what they suffer (`Checkout is down`), else
    /// `Service disruption`. Never the internal summary.
    pub fn default_public_title(&self, incident: &Incident, component_status: ComponentStatus) -> String {
        // Not a title withdrawn by making the incident private: it may be why it was.
        if let Some(last) = incident.shown_public_updates().last() {
            return last.title.clone();
        }
        let suffered = match component_status {
            ComponentStatus::Operational => ComponentStatus::for_severity(incident.severity()),
            other => other,
        };
        default_public_title(&self.components_of(incident), suffered)
    }

    /// Publishes an update of incident `id` on the status page, as `actor`,
    /// and returns the incident with it
    /// ([`Incident::last_public_update`]); a hosted status page, if one is
    /// wired, receives it from the effect worker.
    ///
    /// # Errors
    /// `Invalid` for a bad message or title; `Refused` for a private incident
    /// (or an ended one, unless `resolved`); `Forbidden` by a policy;
    /// `NotFound`; `Busy`; `Store`.
    #[instrument(skip_all, fields(incident = %id, status = %request.status), err)]
    pub async fn publish(
        &self,
        id: IncidentId,
        actor: Actor,
        request: PublishRequest,
    ) -> Result<Incident, ServiceError> {
        let message = parse_public_message(&request.message)?;
        let title = request.title.as_deref().map(parse_public_title).transpose()?;
        let incident = self.store().get(id).await?.ok_or_else(|| ServiceError::NotFound(id.to_string()))?;
        let component_status =
            request.component_status.unwrap_or_else(|| incident.default_component_status(request.status));
        let title = title.unwrap_or_else(|| self.default_public_title(&incident, component_status));
        let command = Command::Publish {
            status: request.status,
            message,
            title: Some(title),
            component_status: Some(component_status),
        };
        let published = self.execute(id, actor, command).await?;
        tracing::info!(incident = %published.number(), "public update published");
        Ok(published)
    }
}

/// The publish form's inputs as a request, or what to fix, keyed by input id.
pub(crate) fn request_from_form(values: &BTreeMap<String, String>) -> Result<PublishRequest, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let value = |id: &str| values.get(id).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut check = |id: &str, result: Result<(), ValidationError>| {
        if let Err(e) = result {
            errors.insert(id.to_owned(), e.to_string());
        }
    };
    let status = value("status").map(str::parse::<PublicStatus>);
    check("status", status.clone().map_or(Err(ValidationError::Empty("status")), |s| s.map(drop)));
    let component_status = value("component_status").map(str::parse::<ComponentStatus>).transpose();
    check("component_status", component_status.clone().map(drop));
    let title = value("title");
    check("title", title.map_or(Ok(()), |t| parse_public_title(t).map(drop)));
    let message = values.get("message").map(String::as_str).unwrap_or_default();
    check("message", parse_public_message(message).map(drop));
    match (status, component_status) {
        (Some(Ok(status)), Ok(component_status)) if errors.is_empty() => Ok(PublishRequest {
            status,
            message: message.to_owned(),
            title: title.map(str::to_owned),
            component_status,
        }),
        _ => Err(errors),
    }
}

impl IncidentService {
    /// The publish form for `incident`, pre-filled: the title customers
    /// would read, the components' status by default, and the last internal
    /// update (a status change's message or a note) as the message to adapt.
    ///
    /// # Errors
    /// `Store` if its events cannot be read.
    pub(crate) async fn publish_form(&self, incident: &Incident) -> Result<Form, ServiceError> {
        let status = messages::suggested_public_status(incident);
        let component_status = incident.default_component_status(status);
        let title = self.default_public_title(incident, component_status);
        let events = self.store().events(incident.id()).await?;
        let last_said = events.iter().rev().find_map(|event| match &event.kind {
            EventKind::StatusChanged { message: Some(message), .. } => Some(message.clone()),
            EventKind::NoteAdded { text } => Some(text.as_str().to_owned()),
            _ => None,
        });
        Ok(messages::publish_form(incident, &title, component_status, last_said))
    }
}
