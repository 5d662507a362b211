//! When the runbook rewrites the post-mortem: after it exists (or while its
//! create is on its way), once per decision, for what the document shows.

use super::plan::{immediate, postmortem_written_or_due};
use super::RunbookConfig;
use crate::domain::tests::{declared, t};
use crate::domain::{Actor, DocRef, Effect, EffectKind, EventKind, Incident, IncidentEvent, Status, Text};

/// Applies `kinds` to `incident` one event each, and returns the events.
fn happen(incident: &mut Incident, kinds: Vec<EventKind>) -> Vec<IncidentEvent> {
    let mut events = Vec::new();
    for kind in kinds {
        let event = IncidentEvent { seq: incident.version() + 1, at: t(10), actor: Actor::Api, kind };
        incident.apply(&event);
        events.push(event);
    }
    events
}

fn resolved() -> EventKind {
    EventKind::StatusChanged { from: Status::Open, to: Status::Resolved, message: None }
}

fn root_cause() -> EventKind {
    EventKind::RootCauseSet { text: Text::parse("A full disk").unwrap() }
}

fn action_item() -> EventKind {
    EventKind::ActionItemAdded { text: Text::parse("Alert on disk usage").unwrap(), owner: None, due: None }
}

fn written() -> EventKind {
    EventKind::PostmortemCreated { doc: DocRef { id: "INC-1".into(), url: "https://docs.example/INC-1".into() } }
}

fn updates(incident: &Incident, events: &[IncidentEvent]) -> usize {
    let effects = immediate(&RunbookConfig::default(), incident, events);
    effects.iter().filter(|e| **e == Effect::UpdatePostmortem).count()
}

#[test]
fn several_changes_after_the_postmortem_plan_one_update() {
    let mut incident = declared(t(0));
    happen(&mut incident, vec![resolved(), written()]);
    let events = happen(&mut incident, vec![root_cause(), action_item(), EventKind::ActionItemDone { number: 1 }]);
    assert_eq!(updates(&incident, &events), 1);
    for change in [root_cause(), action_item(), EventKind::ActionItemDone { number: 1 }] {
        let events = happen(&mut incident, vec![change.clone()]);
        assert_eq!(updates(&incident, &events), 1, "{change:?}");
    }
}

#[test]
fn changes_before_the_resolution_are_in_the_created_document_and_plan_no_update() {
    let mut incident = declared(t(0));
    let events = happen(&mut incident, vec![root_cause(), action_item()]);
    assert_eq!(updates(&incident, &events), 0);
    let events = happen(&mut incident, vec![root_cause(), resolved()]);
    let effects = immediate(&RunbookConfig::default(), &incident, &events);
    assert!(effects.contains(&Effect::CreatePostmortem));
    assert!(!effects.contains(&Effect::UpdatePostmortem), "the create writes the root cause already");
}

#[test]
fn a_change_while_the_create_is_on_its_way_plans_an_update_that_waits_for_it() {
    let mut incident = declared(t(0));
    happen(&mut incident, vec![resolved()]);
    let events = happen(&mut incident, vec![root_cause()]);
    assert_eq!(updates(&incident, &events), 1);
    assert!(postmortem_written_or_due(&incident));
}

#[test]
fn no_update_once_the_create_failed_for_good_nor_for_unrelated_events() {
    let mut incident = declared(t(0));
    happen(&mut incident, vec![resolved()]);
    let failed = EventKind::EffectFailed { effect: EffectKind::CreatePostmortem, error: "refused".into() };
    let events = happen(&mut incident, vec![failed, root_cause()]);
    assert_eq!(updates(&incident, &events), 0);

    let mut incident = declared(t(0));
    happen(&mut incident, vec![resolved(), written()]);
    let note = EventKind::NoteAdded { text: Text::parse("Still watching").unwrap() };
    let events = happen(&mut incident, vec![note]);
    assert_eq!(updates(&incident, &events), 0);
}
