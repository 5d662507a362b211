//! The public read model: what the status page may show, built from the
//! incidents in the store and nothing else. Only published words reach it:
//! an incident without a public update, or private now, is left out; one
//! made private then public again shows only what was published since (the
//! earlier updates were withdrawn: a new publication is needed), and
//! of the others only the public updates (their title, message and
//! statuses), the times of those updates and the components their domain
//! belongs to are kept. Ids are opaque digests, not the incident's number
//! (which would tell how many incidents there were) nor its internal id.

use chrono::{DateTime, Duration, NaiveDate, TimeDelta, Utc};
use sha2::{Digest, Sha256};
use sima_core::domain::{ComponentStatus, Domain, Incident, PublicStatus};

/// How far back the page looks: incidents declared earlier are shown only
/// while publicly open, and each component has a bar per day of it.
pub(crate) const HISTORY_DAYS: i64 = 90;

/// A stretch of time `[from, to)` and the component status that stood through it.
type Span = (DateTime<Utc>, DateTime<Utc>, ComponentStatus);

/// A component as configured: its name, line, and the domains it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComponentDef {
    /// What customers call it.
    pub(crate) name: String,
    /// One line under it.
    pub(crate) description: String,
    /// The domains whose incidents affect it.
    pub(crate) domains: Vec<Domain>,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicPage {
    /// The components, in configured order.
    pub(crate) components: Vec<PublicComponent>,
    /// The incidents shown, most recently updated first.
    pub(crate) incidents: Vec<PublicIncident>,
    /// The latest public update, or the start of the window when none.
    pub(crate) updated_at: DateTime<Utc>,
    /// The first day of the history.
    pub(crate) since: DateTime<Utc>,
}

/// One component row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicComponent {
    /// Opaque id.
    pub(crate) id: String,
    /// Its name.
    pub(crate) name: String,
    /// Its line.
    pub(crate) description: String,
    /// The worst status of the publicly open incidents covering it.
    pub(crate) status: ComponentStatus,
    /// The latest public update of an incident covering it, else the start of the window.
    pub(crate) updated_at: DateTime<Utc>,
    /// One bar per day, oldest first: the worst status it had that day.
    pub(crate) history: Vec<(NaiveDate, ComponentStatus)>,
}

/// One incident as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicIncident {
    /// Opaque id (12 hex digits), for its page and the APIs.
    pub(crate) id: String,
    /// The latest update's title.
    pub(crate) title: String,
    /// The latest update's stage.
    pub(crate) status: PublicStatus,
    /// The worst component status it announced.
    pub(crate) impact: ComponentStatus,
    /// The latest update's component status (operational once resolved).
    pub(crate) component_status: ComponentStatus,
    /// Its first public update.
    pub(crate) created_at: DateTime<Utc>,
    /// Its latest public update.
    pub(crate) updated_at: DateTime<Utc>,
    /// The first `monitoring` update.
    pub(crate) monitoring_at: Option<DateTime<Utc>>,
    /// The latest `resolved` update, when it is the latest of all.
    pub(crate) resolved_at: Option<DateTime<Utc>>,
    /// Indexes into [`PublicPage::components`].
    pub(crate) components: Vec<usize>,
    /// Its updates, newest first.
    pub(crate) updates: Vec<PublicEntry>,
}

/// One public update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicEntry {
    /// Opaque id.
    pub(crate) id: String,
    /// The stage announced.
    pub(crate) status: PublicStatus,
    /// The title it was published with.
    pub(crate) title: String,
    /// What customers are told.
    pub(crate) message: String,
    /// The components' status while it stood.
    pub(crate) component_status: ComponentStatus,
    /// When it was published.
    pub(crate) at: DateTime<Utc>,
}

impl PublicIncident {
    /// Whether customers may still be affected: its latest update is not `resolved`.
    pub(crate) fn is_open(&self) -> bool {
        self.status != PublicStatus::Resolved
    }
}

impl PublicPage {
    /// The worst component status announced by an open incident (on any component or none).
    pub(crate) fn worst(&self) -> ComponentStatus {
        self.incidents.iter().filter(|i| i.is_open()).map(|i| i.component_status).max().unwrap_or_default()
    }
}

/// A stable, opaque id: the first 12 hex digits of SHA-256 of `parts`.
fn opaque(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hex::encode(&hash.finalize()[..6])
}

/// The public id of `incident`: what its page and the documents call it.
/// A digest of its internal id (a UUIDv7: 74 random bits), so it cannot be
/// walked back to that id nor to its number; unkeyed, so that links stay
/// valid when the server's credentials change.
pub(crate) fn public_id(incident: &Incident) -> String {
    opaque(&["incident", &incident.id().to_string()])
}

/// Whether `incident` may appear: public now, published, and recent or still publicly open.
pub(crate) fn is_shown(incident: &Incident, since: DateTime<Utc>) -> bool {
    let Some(last) = incident.shown_public_updates().last() else { return false };
    !incident.is_private() && (incident.milestones().declared_at >= since || last.status != PublicStatus::Resolved)
}

/// The start of the history window: midnight UTC, `HISTORY_DAYS - 1` days before `now`'s day.
pub(crate) fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.date_naive();
    let first = today - Duration::days(HISTORY_DAYS - 1);
    first.and_hms_opt(0, 0, 0).map_or(now, |midnight| midnight.and_utc())
}

/// The page for `incidents` (any order; those not to be shown are left
/// out here) over `components`, as of `now`.
pub(crate) fn build(incidents: &[Incident], components: &[ComponentDef], now: DateTime<Utc>) -> PublicPage {
    let since = window_start(now);
    let mut shown: Vec<(PublicIncident, Vec<Span>)> = incidents
        .iter()
        .filter(|incident| is_shown(incident, since))
        .filter_map(|incident| public_incident(incident, components, now))
        .collect();
    shown.sort_by(|a, b| b.0.updated_at.cmp(&a.0.updated_at).then_with(|| a.0.id.cmp(&b.0.id)));
    let days: Vec<NaiveDate> = (0..HISTORY_DAYS).map(|n| since.date_naive() + Duration::days(n)).collect();
    let components = components
        .iter()
        .enumerate()
        .map(|(index, def)| {
            let mine = || shown.iter().filter(|(incident, _)| incident.components.contains(&index));
            let status = mine().filter(|(i, _)| i.is_open()).map(|(i, _)| i.component_status).max().unwrap_or_default();
            let updated_at = mine().map(|(i, _)| i.updated_at).max().unwrap_or(since);
            let mut history: Vec<(NaiveDate, ComponentStatus)> =
                days.iter().map(|day| (*day, ComponentStatus::Operational)).collect();
            for (_, spans) in mine() {
                for (from, to, status) in spans {
                    mark(&mut history, since, *from, *to, *status);
                }
            }
            PublicComponent {
                id: opaque(&["component", def.name.trim()]),
                name: def.name.trim().to_owned(),
                description: def.description.trim().to_owned(),
                status,
                updated_at,
                history,
            }
        })
        .collect();
    let incidents: Vec<PublicIncident> = shown.into_iter().map(|(incident, _)| incident).collect();
    let updated_at = incidents.iter().map(|i| i.updated_at).max().unwrap_or(since);
    PublicPage { components, incidents, updated_at, since }
}

/// Raises the bars of the days `[from, to)` meets to at least `status`.
fn mark(
    history: &mut [(NaiveDate, ComponentStatus)],
    since: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    status: ComponentStatus,
) {
    if status == ComponentStatus::Operational {
        return;
    }
    let day_of = |at: DateTime<Utc>| (at - since).num_days() - i64::from(at < since);
    // A span ending exactly at midnight does not colour the day that starts then.
    let last = if to > from { to - TimeDelta::milliseconds(1) } else { to };
    let (first, last) = (day_of(from).max(0), day_of(last).min(HISTORY_DAYS - 1));
    for day in first..=last {
        if let Some(bar) = usize::try_from(day).ok().and_then(|d| history.get_mut(d)) {
            bar.1 = bar.1.max(status);
        }
    }
}

/// The public face of `incident`, with the spans of time each of its
/// component statuses stood (`resolved` spans are operational).
fn public_incident(
    incident: &Incident,
    components: &[ComponentDef],
    now: DateTime<Utc>,
) -> Option<(PublicIncident, Vec<Span>)> {
    let updates = incident.shown_public_updates();
    let last = updates.last()?;
    let first = updates.first()?;
    let key = incident.id().to_string();
    let standing = |status: PublicStatus, component: ComponentStatus| {
        if status == PublicStatus::Resolved {
            ComponentStatus::Operational
        } else {
            component
        }
    };
    let spans = updates
        .iter()
        .enumerate()
        .map(|(index, update)| {
            let until = updates.get(index + 1).map_or(now, |next| next.at);
            (update.at, until.max(update.at), standing(update.status, update.component_status))
        })
        .collect();
    let entries = updates
        .iter()
        .rev()
        .map(|update| PublicEntry {
            id: opaque(&["update", &key, &update.seq.to_string()]),
            status: update.status,
            title: update.title.clone(),
            message: update.message.as_str().to_owned(),
            component_status: standing(update.status, update.component_status),
            at: update.at,
        })
        .collect();
    let covering = components
        .iter()
        .enumerate()
        .filter(|(_, def)| def.domains.contains(incident.domain()))
        .map(|(index, _)| index)
        .collect();
    let public = PublicIncident {
        id: public_id(incident),
        title: last.title.clone(),
        status: last.status,
        impact: updates.iter().map(|u| u.component_status).max().unwrap_or_default(),
        component_status: standing(last.status, last.component_status),
        created_at: first.at,
        updated_at: last.at,
        monitoring_at: updates.iter().find(|u| u.status == PublicStatus::Monitoring).map(|u| u.at),
        resolved_at: (last.status == PublicStatus::Resolved).then_some(last.at),
        components: covering,
        updates: entries,
    };
    Some((public, spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_window_starts_at_midnight_ninety_days_back() {
        let since = window_start(day("2026-06-30T15:00:00Z"));
        assert_eq!(since, day("2026-04-02T00:00:00Z"));
        assert_eq!((day("2026-06-30T00:00:00Z") - since).num_days(), HISTORY_DAYS - 1);
    }

    #[test]
    fn a_span_colours_the_days_it_meets_and_no_other() {
        let now = day("2026-06-30T15:00:00Z");
        let since = window_start(now);
        let mut history: Vec<(NaiveDate, ComponentStatus)> =
            (0..HISTORY_DAYS).map(|n| (since.date_naive() + Duration::days(n), ComponentStatus::Operational)).collect();
        mark(
            &mut history,
            since,
            day("2026-06-28T23:00:00Z"),
            day("2026-06-29T00:00:00Z"),
            ComponentStatus::PartialOutage,
        );
        mark(&mut history, since, day("2026-06-30T01:00:00Z"), now, ComponentStatus::DegradedPerformance);
        mark(&mut history, since, day("2026-06-30T02:00:00Z"), now, ComponentStatus::MajorOutage);
        mark(
            &mut history,
            since,
            day("2025-01-01T00:00:00Z"),
            day("2025-01-02T00:00:00Z"),
            ComponentStatus::MajorOutage,
        );
        let coloured: Vec<(String, ComponentStatus)> = history
            .iter()
            .filter(|(_, s)| *s != ComponentStatus::Operational)
            .map(|(d, s)| (d.to_string(), *s))
            .collect();
        assert_eq!(
            coloured,
            [
                ("2026-06-28".to_owned(), ComponentStatus::PartialOutage),
                ("2026-06-30".to_owned(), ComponentStatus::MajorOutage)
            ]
        );
    }

    #[test]
    fn ids_are_opaque_and_stable() {
        let a = opaque(&["incident", "0b8c"]);
        assert_eq!(a.len(), 12);
        assert_eq!(a, opaque(&["incident", "0b8c"]));
        assert_ne!(a, opaque(&["incident", "0b8d"]));
        assert_ne!(opaque(&["ab", "c"]), opaque(&["a", "bc"]));
    }
}
