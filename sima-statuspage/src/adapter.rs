//! `StatuspagePage`: the [`StatusPagePort`] over Statuspage's manage API:
//! component names mapped to ids through a cached component list, a search
//! by `metadata` before each create, `PATCH` for every later push, and a
//! `DELETE` (components set operational first) to withdraw one.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::json;
use sima_core::domain::{ComponentStatus, PublicStatus};
use sima_core::ports::{HostedIncident, PortError, PublicNotice, StatusPagePort};
use tracing::{info, instrument, warn};

use crate::client::{StatuspageClient, PER_PAGE};
use crate::config::StatuspageConfig;
use crate::dto::{
    Component, Incident, IncidentFields, IncidentRequest, PatchIncidentComponents, PatchIncidentComponentsRequest,
    METADATA_KEY,
};
use crate::error::StatuspageError;
use crate::render::{plain_text, truncate, BODY_MAX_CHARS, NAME_MAX_CHARS};

/// How long the page's component list is trusted before it is read again.
pub const COMPONENT_CACHE_TTL: Duration = Duration::from_secs(300);

/// The most pages of a list read in one go (2,000 rows): a bound against an
/// API that ignores `page` and answers the same full page forever.
const MAX_PAGES: usize = 20;

/// The status a component goes back to once the incident is resolved.
const OPERATIONAL: &str = "operational";

/// Publishes SIMA's public updates as incidents of one Atlassian Statuspage page.
#[derive(Debug)]
pub struct StatuspagePage {
    client: StatuspageClient,
    /// The page's settable components (groups left out), with when they were read.
    components: Mutex<Option<ComponentList>>,
}

/// The component list as last read.
#[derive(Debug, Clone)]
struct ComponentList {
    read_at: Instant,
    components: Vec<Component>,
}

/// The hosted incident a push updates.
struct Target {
    id: String,
    /// Its public link, kept when an answer lacks one.
    url: Option<String>,
}

impl StatuspagePage {
    /// Builds the adapter for the page `config` names.
    ///
    /// # Errors
    /// [`StatuspageError::Config`] if `api_url` is not a usable URL, `page_id`
    /// is empty, or the HTTP client cannot be built.
    pub fn new(config: StatuspageConfig) -> Result<Self, StatuspageError> {
        let client = StatuspageClient::new(&config)?;
        Ok(Self { client, components: Mutex::new(None) })
    }

    /// The components each named component of `notice` maps to: id → status.
    /// The cached list is used while fresh; a name it lacks reads the list once more.
    async fn named_components(
        &self,
        notice: &PublicNotice,
    ) -> Result<BTreeMap<String, ComponentStatus>, StatuspageError> {
        if notice.components.is_empty() {
            return Ok(BTreeMap::new());
        }
        let cached = self.cached_components();
        let components = match cached {
            Some(components) => components,
            None => self.read_components().await?,
        };
        if let Ok(ids) = component_ids(&components, &notice.components) {
            return Ok(ids);
        }
        let fresh = self.read_components().await?;
        component_ids(&fresh, &notice.components).map_err(|name| StatuspageError::UnknownComponent {
            name,
            known: fresh.iter().map(|component| component.name.clone()).collect(),
        })
    }

    /// The cached component list, if read less than [`COMPONENT_CACHE_TTL`] ago.
    fn cached_components(&self) -> Option<Vec<Component>> {
        let cache = self.components.lock().unwrap_or_else(PoisonError::into_inner);
        cache.as_ref().filter(|list| list.read_at.elapsed() < COMPONENT_CACHE_TTL).map(|list| list.components.clone())
    }

    /// Reads every page of the component list, keeps the settable ones and caches them.
    async fn read_components(&self) -> Result<Vec<Component>, StatuspageError> {
        let mut components = Vec::new();
        for page in 1..=MAX_PAGES {
            let rows = self.client.components(page).await?;
            let full = rows.len() >= PER_PAGE;
            components.extend(rows.into_iter().filter(|component| !component.group));
            if !full {
                break;
            }
            if page == MAX_PAGES {
                warn!(pages = MAX_PAGES, "the component list was cut after its last page read");
            }
        }
        let list = ComponentList { read_at: Instant::now(), components: components.clone() };
        *self.components.lock().unwrap_or_else(PoisonError::into_inner) = Some(list);
        Ok(components)
    }

    /// The incident an earlier push made for `notice.incident`, if any: among
    /// the unresolved incidents, and among the newest ones when the notice
    /// resolves (the lost push may have resolved it).
    async fn find_made_for(&self, notice: &PublicNotice) -> Result<Option<Incident>, StatuspageError> {
        for page in 1..=MAX_PAGES {
            let rows = self.client.unresolved_incidents(page).await?;
            let full = rows.len() >= PER_PAGE;
            if let Some(found) = made_for(rows, &notice.incident) {
                return Ok(Some(found));
            }
            if !full {
                break;
            }
            if page == MAX_PAGES {
                warn!(pages = MAX_PAGES, "stopped looking among unresolved incidents after its last page read");
            }
        }
        if notice.status == PublicStatus::Resolved {
            return Ok(made_for(self.client.recent_incidents().await?, &notice.incident));
        }
        Ok(None)
    }

    /// The components a `resolved` push sets: every one the incident holds
    /// (read again: Statuspage is the record) and every one the notice names,
    /// all operational.
    async fn components_to_clear(
        &self,
        target: &Target,
        named: &BTreeMap<String, ComponentStatus>,
    ) -> Result<BTreeMap<String, &'static str>, StatuspageError> {
        let incident = self.client.incident(&target.id).await?;
        let held = incident.components.unwrap_or_default().into_iter().map(|component| component.id);
        Ok(held.chain(named.keys().cloned()).map(|id| (id, OPERATIONAL)).collect())
    }

    /// `POST /pages/{page_id}/incidents`, carrying SIMA's number in `metadata`.
    async fn create(
        &self,
        notice: &PublicNotice,
        name: &str,
        body: &str,
        components: &BTreeMap<String, &'static str>,
    ) -> Result<Incident, StatuspageError> {
        let metadata = json!({ METADATA_KEY: { "incident": notice.incident } });
        let request = incident_request(notice, name, body, components, Some(metadata));
        let created = self.client.create_incident(&request).await?;
        info!(hosted = %created.id, "created the Statuspage incident");
        Ok(created)
    }

    /// `PATCH /pages/{page_id}/incidents/{id}`: a new incident update and the components.
    async fn update(
        &self,
        id: &str,
        notice: &PublicNotice,
        name: &str,
        body: &str,
        components: &BTreeMap<String, &'static str>,
    ) -> Result<Incident, StatuspageError> {
        let request = incident_request(notice, name, body, components, None);
        self.client.update_incident(id, &request).await
    }
}

/// The incident update `notice` makes, notifying subscribers, with `metadata` when creating.
fn incident_request<'a>(
    notice: &PublicNotice,
    name: &'a str,
    body: &'a str,
    components: &'a BTreeMap<String, &'static str>,
    metadata: Option<serde_json::Value>,
) -> IncidentRequest<'a> {
    IncidentRequest {
        incident: IncidentFields {
            name,
            status: notice.status.as_str(),
            body,
            component_ids: components.keys().map(String::as_str).collect(),
            components: components.iter().map(|(id, status)| (id.as_str(), *status)).collect(),
            deliver_notifications: true,
            metadata,
        },
    }
}

/// The ids of the components `named`, with their statuses, or the first name
/// `components` lacks.
fn component_ids(
    components: &[Component],
    named: &[(String, ComponentStatus)],
) -> Result<BTreeMap<String, ComponentStatus>, String> {
    named
        .iter()
        .map(|(name, status)| match components.iter().find(|component| component.name == *name) {
            Some(component) => Ok((component.id.clone(), *status)),
            None => Err(name.clone()),
        })
        .collect()
}

/// The first of `incidents` made for SIMA incident `number`.
fn made_for(incidents: Vec<Incident>, number: &str) -> Option<Incident> {
    incidents.into_iter().find(|incident| incident.sima_incident() == Some(number))
}

#[async_trait]
impl StatusPagePort for StatuspagePage {
    #[instrument(skip_all, fields(incident = %notice.incident, status = %notice.status), err)]
    async fn publish(
        &self,
        hosted: Option<HostedIncident>,
        notice: &PublicNotice,
    ) -> Result<HostedIncident, PortError> {
        let named = self.named_components(notice).await?;
        let name = truncate(&notice.title, NAME_MAX_CHARS);
        let body = truncate(&plain_text(&notice.message), BODY_MAX_CHARS);
        let target = match hosted {
            Some(hosted) => Some(Target { id: hosted.id, url: hosted.url }),
            None => self.find_made_for(notice).await?.map(|found| {
                info!(hosted = %found.id, "found the Statuspage incident an earlier push made");
                Target { id: found.id, url: found.shortlink }
            }),
        };
        let components = match (&target, notice.status) {
            (Some(target), PublicStatus::Resolved) => self.components_to_clear(target, &named).await?,
            (None, PublicStatus::Resolved) => named.keys().map(|id| (id.clone(), OPERATIONAL)).collect(),
            _ => named.iter().map(|(id, status)| (id.clone(), status.as_str())).collect(),
        };
        let (answer, known_url) = match target {
            Some(target) => (self.update(&target.id, notice, &name, &body, &components).await?, target.url),
            None => (self.create(notice, &name, &body, &components).await?, None),
        };
        Ok(HostedIncident { id: answer.id, url: answer.shortlink.or(known_url) })
    }

    /// Reads the incident, sets the components it holds back to operational
    /// (a delete does not promise to), then deletes it. A 404 at any step
    /// is `NotFound`: it is already gone.
    #[instrument(skip_all, fields(hosted = %hosted.id), err)]
    async fn withdraw(&self, hosted: HostedIncident) -> Result<(), PortError> {
        let incident = self.client.incident(&hosted.id).await?;
        let held: Vec<String> = incident
            .components
            .unwrap_or_default()
            .into_iter()
            .filter(|component| component.status.as_deref() != Some(OPERATIONAL))
            .map(|component| component.id)
            .collect();
        if !held.is_empty() {
            let request = PatchIncidentComponentsRequest {
                incident: PatchIncidentComponents {
                    component_ids: held.iter().map(String::as_str).collect(),
                    components: held.iter().map(|id| (id.as_str(), OPERATIONAL)).collect(),
                    deliver_notifications: false,
                },
            };
            self.client.set_incident_components(&hosted.id, &request).await?;
        }
        self.client.delete_incident(&hosted.id).await?;
        info!(hosted = %hosted.id, "deleted the Statuspage incident");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(id: &str, name: &str, group: bool) -> Component {
        Component { id: id.into(), name: name.into(), group }
    }

    #[test]
    fn names_map_to_ids_and_an_unknown_one_is_named() {
        let components = [component("a1", "API", false), component("b2", "Billing", false)];
        let named =
            [("Billing".to_owned(), ComponentStatus::MajorOutage), ("API".to_owned(), ComponentStatus::PartialOutage)];
        let ids = component_ids(&components, &named).unwrap();
        assert_eq!(
            ids,
            BTreeMap::from([
                ("a1".to_owned(), ComponentStatus::PartialOutage),
                ("b2".to_owned(), ComponentStatus::MajorOutage)
            ])
        );
        let unknown =
            [("API".to_owned(), ComponentStatus::MajorOutage), ("api".to_owned(), ComponentStatus::MajorOutage)];
        assert_eq!(component_ids(&components, &unknown), Err("api".to_owned()));
    }

    #[test]
    fn only_an_incident_carrying_the_number_is_taken() {
        let incident = |id: &str, metadata: serde_json::Value| Incident {
            id: id.into(),
            shortlink: None,
            metadata: Some(metadata),
            components: None,
        };
        let listed = vec![
            incident("x1", json!({ "sima": { "incident": "INC-70" } })),
            incident("x2", json!({ "other": { "incident": "INC-7" } })),
            incident("x3", json!({ "sima": { "incident": "INC-7" } })),
        ];
        assert_eq!(made_for(listed.clone(), "INC-7").map(|found| found.id), Some("x3".to_owned()));
        assert!(made_for(listed, "INC-8").is_none());
    }
}
