//! The page an on-call receives for an incident.

use std::collections::BTreeMap;

use crate::domain::{Domain, Incident};
use crate::ports::{Link, Page};

/// The page for `domain`'s on-call, linking the room and the incident at
/// `public_url`. The first page's dedup key is the incident id; an
/// escalation's adds the domain, so it raises an alert of its own.
pub(crate) fn page(public_url: &str, incident: &Incident, domain: &Domain, escalation: bool) -> Page {
    let dedup_key = if escalation { format!("{}:{domain}", incident.id()) } else { incident.id().to_string() };
    let mut links = Vec::new();
    if let Some(room) = incident.room() {
        links.push(Link { label: "Incident channel".into(), url: room.url.clone() });
    }
    links.push(Link {
        label: format!("{} in SIMA", incident.number()),
        url: format!("{}/api/v1/incidents/{}", public_url.trim_end_matches('/'), incident.number()),
    });
    let mut details = BTreeMap::new();
    details.insert("number".to_owned(), incident.number().to_string());
    details.insert("domain".to_owned(), incident.domain().to_string());
    details.insert("reporter".to_owned(), incident.reporter().to_string());
    details.insert("impact".to_owned(), incident.impact().map_or_else(|| "unknown".to_owned(), |i| i.to_string()));
    details.insert("description".to_owned(), incident.description().to_string());
    Page {
        dedup_key,
        service: domain.as_str().to_owned(),
        summary: format!("[{}] {}", incident.severity(), incident.title()),
        severity: incident.severity(),
        timestamp: incident.milestones().declared_at,
        links,
        details,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::{declared, t};

    #[test]
    fn an_escalation_raises_an_alert_of_its_own_that_links_the_incident() {
        let incident = declared(t(0));
        let first = page("https://sima.example/", &incident, incident.domain(), false);
        let security = Domain::parse("security").unwrap();
        let escalation = page("https://sima.example/", &incident, &security, true);
        assert_eq!(first.dedup_key, incident.id().to_string());
        assert_eq!(escalation.dedup_key, format!("{}:security", incident.id()));
        assert_eq!((first.service.as_str(), escalation.service.as_str()), ("outbound-email", "security"));
        assert_eq!(first.summary, "[sev2] INC-1 · Emails are late");
        assert_eq!(first.links.last().map(|l| l.url.as_str()), Some("https://sima.example/api/v1/incidents/INC-1"));
        assert_eq!(first.details.get("impact").map(String::as_str), Some("unknown"));
    }
}
