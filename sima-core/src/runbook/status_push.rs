//! The hosted status page runbook: each published update is pushed to the
//! hosted page (Atlassian Statuspage…), creating its incident the first time
//! and recording where it lives. A private incident is never pushed, and
//! one pushed before it was made private is withdrawn from the hosted page.

use crate::domain::{
    components_of, ComponentStatus, Effect, EffectKind, EventKind, HostedStatus, Incident, IncidentEvent, Outcome,
    PublicStatus,
};
use crate::ports::{HostedIncident, PortError, PublicNotice, StatusPagePort};

use super::failure::Failure;
use super::RunbookConfig;

/// The pushes `events` imply, when a hosted page is wired: one per update
/// published while the incident is public; and, once it is private, the
/// withdrawal of the hosted incident it was pushed to (made private after
/// the push, or the push recorded while it was being made private).
pub(crate) fn plan(config: &RunbookConfig, after: &Incident, events: &[IncidentEvent]) -> Vec<Effect> {
    if !config.hosted_status_page {
        return Vec::new();
    }
    if after.is_private() {
        let withdraws = events.iter().any(|e| {
            matches!(e.kind, EventKind::VisibilityChanged { private: true } | EventKind::StatusPageLinked { .. })
        });
        return match after.hosted_status() {
            Some(hosted) if withdraws && after.hosted_withdrawal_due() => {
                vec![Effect::WithdrawStatusPage { id: hosted.id.clone() }]
            }
            _ => Vec::new(),
        };
    }
    events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::PublicUpdatePublished { .. }))
        .map(|e| Effect::PushStatusPage { seq: e.seq })
        .collect()
}

/// What the hosted page shows for the update recorded by event `seq`: the
/// incident's components with the update's component status (operational
/// once resolved). `None` if no such update was recorded.
pub(crate) fn notice(config: &RunbookConfig, incident: &Incident, seq: u64) -> Option<PublicNotice> {
    let update = incident.public_updates().iter().find(|u| u.seq == seq)?;
    let component_status = match update.status {
        PublicStatus::Resolved => ComponentStatus::Operational,
        _ => update.component_status,
    };
    let components = components_of(&config.status_components, incident)
        .into_iter()
        .map(|c| (c.name().to_owned(), component_status))
        .collect();
    Some(PublicNotice {
        incident: incident.number().to_string(),
        title: update.title.clone(),
        status: update.status,
        message: update.message.as_str().to_owned(),
        components,
    })
}

/// Pushes the update recorded by event `seq`; records the hosted incident
/// the first time. Skipped for a private incident (made private since the
/// update), when no hosted page is wired any more, and when a newer update
/// supersedes it.
pub(crate) async fn perform(
    status_page: Option<&dyn StatusPagePort>,
    config: &RunbookConfig,
    incident: &Incident,
    seq: u64,
) -> Result<Vec<Outcome>, Failure> {
    let Some(status_page) = status_page else {
        tracing::info!(incident = %incident.number(), "no hosted status page is configured any more; push skipped");
        return Ok(vec![]);
    };
    if incident.is_private() {
        tracing::info!(incident = %incident.number(), "the incident is private; it is not pushed to the status page");
        return Ok(vec![]);
    }
    // A newer update was published: its push carries the current state, and
    // this older one, run late (retried), must not put the page back.
    if incident.last_public_update().is_some_and(|last| last.seq > seq) {
        tracing::info!(incident = %incident.number(), seq, "a newer public update supersedes this push; skipped");
        return Ok(vec![]);
    }
    let Some(notice) = notice(config, incident, seq) else {
        return Err(Failure::Port(PortError::NotFound(format!("public update {seq} of {}", incident.number()))));
    };
    // Made private and public again: the old hosted incident comes off first,
    // so this push makes a new one instead of adding to the withdrawn one.
    if incident.hosted_withdrawal_due() && !incident.failed_effects().contains(&EffectKind::WithdrawStatusPage) {
        return Err(Failure::NotReady("the earlier hosted incident is not withdrawn yet"));
    }
    let hosted = incident.hosted_status().map(|h| HostedIncident { id: h.id.clone(), url: h.url.clone() });
    let first = hosted.is_none();
    let pushed = status_page.publish(hosted, &notice).await?;
    Ok(if first { vec![Outcome::StatusPageLinked(HostedStatus { id: pushed.id, url: pushed.url })] } else { vec![] })
}

/// Withdraws the hosted incident `id` from the hosted page: deletes it there,
/// then records `status_page_withdrawn`. One already gone counts as done;
/// skipped if it is no longer the one recorded (withdrawn already) or no
/// hosted page is wired any more. A platform that cannot delete fails, so
/// people know to remove it by hand.
pub(crate) async fn withdraw(
    status_page: Option<&dyn StatusPagePort>,
    incident: &Incident,
    id: &str,
) -> Result<Vec<Outcome>, Failure> {
    let Some(hosted) = incident.hosted_status().filter(|h| h.id == id) else {
        return Ok(vec![]);
    };
    let Some(status_page) = status_page else {
        tracing::warn!(incident = %incident.number(), "no hosted status page is configured any more; not withdrawn");
        return Ok(vec![]);
    };
    match status_page.withdraw(HostedIncident { id: hosted.id.clone(), url: hosted.url.clone() }).await {
        Ok(()) => {}
        Err(PortError::NotFound(what)) => {
            tracing::info!(incident = %incident.number(), %what, "the hosted incident is already gone");
        }
        Err(PortError::Unsupported(what)) => {
            return Err(Failure::Refused(format!(
                "the incident stays on the hosted status page: this status page does not support {what}; \
                 remove hosted incident {id} by hand"
            )));
        }
        Err(other) => return Err(other.into()),
    }
    Ok(vec![Outcome::StatusPageWithdrawn(id.to_owned())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::{declared, t};
    use crate::domain::Actor;

    fn happen(incident: &mut Incident, kinds: Vec<EventKind>) -> Vec<IncidentEvent> {
        kinds
            .into_iter()
            .map(|kind| {
                let event = IncidentEvent { seq: incident.version() + 1, at: t(10), actor: Actor::Api, kind };
                incident.apply(&event);
                event
            })
            .collect()
    }

    fn hosted_page() -> RunbookConfig {
        RunbookConfig { hosted_status_page: true, ..RunbookConfig::default() }
    }

    fn linked() -> EventKind {
        EventKind::StatusPageLinked { id: "p31zjtct2jer".into(), url: None }
    }

    fn withdraw() -> Vec<Effect> {
        vec![Effect::WithdrawStatusPage { id: "p31zjtct2jer".into() }]
    }

    #[test]
    fn made_private_after_the_push_plans_one_withdrawal_only_with_a_hosted_page() {
        let mut incident = declared(t(0));
        happen(&mut incident, vec![linked()]);
        let events = happen(&mut incident, vec![EventKind::VisibilityChanged { private: true }]);
        assert_eq!(plan(&hosted_page(), &incident, &events), withdraw());
        assert!(plan(&RunbookConfig::default(), &incident, &events).is_empty(), "no hosted page wired");
        let note = happen(&mut incident, vec![EventKind::VisibilityChanged { private: true }]);
        assert_eq!(plan(&hosted_page(), &incident, &note), withdraw(), "still due: planned again, run once");
        happen(&mut incident, vec![EventKind::StatusPageWithdrawn { id: "p31zjtct2jer".into() }]);
        assert!(incident.hosted_status().is_none() && !incident.hosted_withdrawal_due());
        let again = happen(&mut incident, vec![EventKind::VisibilityChanged { private: true }]);
        assert!(plan(&hosted_page(), &incident, &again).is_empty(), "nothing left to withdraw");
    }

    #[test]
    fn a_push_recorded_while_it_was_made_private_is_withdrawn_and_public_events_withdraw_nothing() {
        let mut incident = declared(t(0));
        happen(&mut incident, vec![EventKind::VisibilityChanged { private: true }]);
        let events = happen(&mut incident, vec![linked()]);
        assert!(incident.hosted_withdrawal_due());
        assert_eq!(plan(&hosted_page(), &incident, &events), withdraw());

        let mut public = declared(t(0));
        let events = happen(&mut public, vec![linked(), EventKind::VisibilityChanged { private: false }]);
        assert!(plan(&hosted_page(), &public, &events).is_empty());
        assert!(!public.hosted_withdrawal_due());
    }
}
