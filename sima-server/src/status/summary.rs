//! `GET /status/api/v2/summary.json`: the page in the shape of Atlassian
//! Statuspage's public summary, so that readers written for Statuspage
//! (status aggregators, chat integrations, monitoring) read SIMA's page too.
//! As Statuspage's summary does, it lists only unresolved incidents.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sima_core::domain::ComponentStatus;

use super::model::{PublicIncident, PublicPage};
use super::strings::{Key, Strings};

/// Statuspage's name for the page's time zone: every time is UTC.
const TIME_ZONE: &str = "Etc/UTC";

/// What the summary says of the whole page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Indicator {
    /// Nothing open.
    None,
    /// Degraded performance somewhere.
    Minor,
    /// A partial outage.
    Major,
    /// A major outage.
    Critical,
}

impl Indicator {
    /// The indicator for a component status.
    pub(crate) fn of(status: ComponentStatus) -> Self {
        match status {
            ComponentStatus::Operational => Self::None,
            ComponentStatus::DegradedPerformance => Self::Minor,
            ComponentStatus::PartialOutage => Self::Major,
            ComponentStatus::MajorOutage => Self::Critical,
        }
    }

    /// Statuspage's word (`none`, `minor`, `major`, `critical`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Minor => "minor",
            Self::Major => "major",
            Self::Critical => "critical",
        }
    }

    /// The sentence the page shows for it.
    pub(crate) fn description(self, strings: &Strings) -> &str {
        strings.get(match self {
            Self::None => Key::AllOperational,
            Self::Minor => Key::MinorOutage,
            Self::Major => Key::PartialOutageOverall,
            Self::Critical => Key::MajorOutageOverall,
        })
    }
}

/// Where the documents link to and what they call the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageInfo {
    /// The page's title.
    pub(crate) title: String,
    /// The public base, without a trailing slash (`https://status.acme.example`).
    pub(crate) url: String,
    /// Opaque id of the page.
    pub(crate) id: String,
}

impl PageInfo {
    /// The page of incident `id`.
    pub(crate) fn incident_url(&self, id: &str) -> String {
        format!("{}/status/incidents/{id}", self.url)
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    page: Page<'a>,
    status: Status<'a>,
    components: Vec<Component<'a>>,
    incidents: Vec<Incident<'a>>,
    scheduled_maintenances: [(); 0],
}

#[derive(Serialize)]
struct Page<'a> {
    id: &'a str,
    name: &'a str,
    url: String,
    time_zone: &'static str,
    updated_at: String,
}

#[derive(Serialize)]
struct Status<'a> {
    indicator: &'static str,
    description: &'a str,
}

#[derive(Serialize)]
struct Component<'a> {
    id: &'a str,
    name: &'a str,
    status: &'static str,
    created_at: String,
    updated_at: String,
    position: usize,
    description: Option<&'a str>,
    showcase: bool,
    start_date: Option<String>,
    group_id: Option<&'a str>,
    page_id: &'a str,
    group: bool,
    only_show_if_degraded: bool,
}

#[derive(Serialize)]
struct Incident<'a> {
    id: &'a str,
    name: &'a str,
    status: &'static str,
    created_at: String,
    updated_at: String,
    monitoring_at: Option<String>,
    resolved_at: Option<String>,
    impact: &'static str,
    shortlink: String,
    started_at: String,
    page_id: &'a str,
    incident_updates: Vec<IncidentUpdate<'a>>,
    components: Vec<Component<'a>>,
}

#[derive(Serialize)]
struct IncidentUpdate<'a> {
    id: &'a str,
    status: &'static str,
    body: &'a str,
    incident_id: &'a str,
    created_at: String,
    updated_at: String,
    display_at: String,
    affected_components: Vec<AffectedComponent<'a>>,
    deliver_notifications: bool,
    custom_tweet: Option<&'a str>,
    tweet_id: Option<&'a str>,
}

#[derive(Serialize)]
struct AffectedComponent<'a> {
    code: &'a str,
    name: &'a str,
    old_status: &'static str,
    new_status: &'static str,
}

/// RFC 3339 with milliseconds, as Statuspage writes times.
fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn components<'a>(page: &'a PublicPage, info: &'a PageInfo, only: Option<&[usize]>) -> Vec<Component<'a>> {
    page.components
        .iter()
        .enumerate()
        .filter(|(index, _)| only.is_none_or(|only| only.contains(index)))
        .map(|(index, component)| Component {
            id: &component.id,
            name: &component.name,
            status: component.status.as_str(),
            created_at: time(page.since),
            updated_at: time(component.updated_at),
            position: index + 1,
            description: Some(component.description.as_str()).filter(|d| !d.is_empty()),
            showcase: true,
            start_date: None,
            group_id: None,
            page_id: &info.id,
            group: false,
            only_show_if_degraded: false,
        })
        .collect()
}

fn incident<'a>(page: &'a PublicPage, info: &'a PageInfo, incident: &'a PublicIncident) -> Incident<'a> {
    let affected = |index: usize| {
        // Updates are newest first: the one before this one is the next in the list.
        let old = incident.updates.get(index + 1).map_or(ComponentStatus::Operational, |u| u.component_status);
        let new = incident.updates[index].component_status;
        incident
            .components
            .iter()
            .filter_map(|c| page.components.get(*c))
            .map(|c| AffectedComponent {
                code: &c.id,
                name: &c.name,
                old_status: old.as_str(),
                new_status: new.as_str(),
            })
            .collect()
    };
    Incident {
        id: &incident.id,
        name: &incident.title,
        status: incident.status.as_str(),
        created_at: time(incident.created_at),
        updated_at: time(incident.updated_at),
        monitoring_at: incident.monitoring_at.map(time),
        resolved_at: incident.resolved_at.map(time),
        impact: Indicator::of(incident.impact).as_str(),
        shortlink: info.incident_url(&incident.id),
        started_at: time(incident.created_at),
        page_id: &info.id,
        incident_updates: incident
            .updates
            .iter()
            .enumerate()
            .map(|(index, update)| IncidentUpdate {
                id: &update.id,
                status: update.status.as_str(),
                body: &update.message,
                incident_id: &incident.id,
                created_at: time(update.at),
                updated_at: time(update.at),
                display_at: time(update.at),
                affected_components: affected(index),
                deliver_notifications: true,
                custom_tweet: None,
                tweet_id: None,
            })
            .collect(),
        components: components(page, info, Some(&incident.components)),
    }
}

/// The summary of `page`, as JSON text.
pub(crate) fn render(page: &PublicPage, info: &PageInfo, strings: &Strings) -> String {
    let indicator = Indicator::of(page.worst());
    let summary = Summary {
        page: Page {
            id: &info.id,
            name: &info.title,
            url: format!("{}/status", info.url),
            time_zone: TIME_ZONE,
            updated_at: time(page.updated_at),
        },
        status: Status { indicator: indicator.as_str(), description: indicator.description(strings) },
        components: components(page, info, None),
        incidents: page.incidents.iter().filter(|i| i.is_open()).map(|i| incident(page, info, i)).collect(),
        scheduled_maintenances: [],
    };
    // Serializing plain structs of strings, numbers and booleans cannot fail.
    serde_json::to_string_pretty(&summary).unwrap_or_else(|_| "{}".to_owned())
}
