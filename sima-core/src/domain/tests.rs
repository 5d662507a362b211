//! Decide/apply tests on whole incidents.

use chrono::{DateTime, Duration, Utc};

use super::*;

pub(crate) fn t(minutes: i64) -> DateTime<Utc> {
    "2026-11-25T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
}

fn alice() -> UserRef {
    UserRef::parse("UALICE").unwrap()
}

pub(crate) fn declared(at: DateTime<Utc>) -> Incident {
    let declaration = Declaration {
        domain: Domain::parse("outbound-email").unwrap(),
        summary: Summary::parse("Emails are late").unwrap(),
        description: Description::parse("Queue is stuck").unwrap(),
        severity: Severity::Sev2,
        impact: None,
        started_at: None,
        dedup_key: None,
        reporter: Actor::User(alice()),
        private: false,
        incident_type: None,
        fields: Default::default(),
    };
    let event = IncidentEvent { seq: 1, at, actor: Actor::User(alice()), kind: declaration.decide(at).unwrap() };
    Incident::from_declared(IncidentId::new(), IncidentNumber::new(1).unwrap(), &event).unwrap()
}

/// Decides and applies, as the service does.
pub(crate) fn run(
    incident: &mut Incident,
    command: Command,
    at: DateTime<Utc>,
) -> Result<Vec<IncidentEvent>, DomainError> {
    let kinds = incident.decide(&command, at)?;
    let mut events = Vec::new();
    for kind in kinds {
        let event = IncidentEvent { seq: incident.version() + 1, at, actor: Actor::User(alice()), kind };
        incident.apply(&event);
        events.push(event);
    }
    Ok(events)
}

fn status(to: Status) -> Command {
    Command::ChangeStatus { to, message: None }
}

/// An incident forced into `status` (apply does not check transitions).
fn in_status(status: Status) -> Incident {
    let mut incident = declared(t(0));
    let event = IncidentEvent {
        seq: 2,
        at: t(1),
        actor: Actor::Api,
        kind: EventKind::StatusChanged { from: Status::Open, to: status, message: None },
    };
    incident.apply(&event);
    incident
}

#[test]
fn decide_follows_the_transition_table_for_every_pair() {
    for from in Status::ALL {
        for to in Status::ALL {
            let incident = in_status(from);
            let result = incident.decide(&status(to), t(2));
            match result {
                Ok(events) => {
                    assert!(from.can_become(to), "{from} -> {to} should be refused");
                    assert_eq!(events, vec![EventKind::StatusChanged { from, to, message: None }]);
                }
                Err(DomainError::Terminal(s)) => assert!(s.is_terminal() && from == s),
                Err(DomainError::AlreadyInStatus(s)) => assert_eq!((s, from), (to, to)),
                Err(DomainError::Transition(e)) => {
                    assert!(!from.can_become(to), "{from} -> {to} should be allowed");
                    assert_eq!((e.from, e.to), (from, to));
                }
                Err(other) => panic!("{other}"),
            }
        }
    }
}

#[test]
fn refused_transition_says_what_is_allowed() {
    let err = in_status(Status::Monitoring).decide(&status(Status::FalsePositive), t(2)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot go from monitoring to false_positive: from monitoring the next status is one of investigating, identified, resolved"
    );
}

#[test]
fn terminal_incidents_refuse_everything_but_outcomes() {
    let closed = in_status(Status::Closed);
    let note = Command::AddNote(Text::parse("late note").unwrap());
    assert_eq!(closed.decide(&note, t(3)), Err(DomainError::Terminal(Status::Closed)));
    let failed = Command::Record(Outcome::EffectFailed { effect: EffectKind::Page, error: "x".into() });
    assert_eq!(closed.decide(&failed, t(3)).unwrap().len(), 1);
}

#[test]
fn roles_change_hands_and_repeat_is_a_no_op() {
    let mut incident = declared(t(0));
    let bob = UserRef::parse("UBOB").unwrap();
    let give = |user: &UserRef| Command::AssignRole { role: Role::IncidentManager, user: user.clone() };
    run(&mut incident, give(&alice()), t(1)).unwrap();
    let events = run(&mut incident, give(&bob), t(2)).unwrap();
    assert_eq!(
        events[0].kind,
        EventKind::RoleAssigned { role: Role::IncidentManager, user: bob.clone(), previous: Some(alice()) }
    );
    assert!(run(&mut incident, give(&bob), t(3)).unwrap().is_empty());
    assert_eq!(incident.roles().incident_manager, Some(bob));
    assert_eq!(incident.version(), 3);
}

#[test]
fn edits_record_old_and_new_values() {
    let mut incident = declared(t(0));
    let events = run(&mut incident, Command::Edit(FieldEdit::Severity(Severity::Sev1)), t(1)).unwrap();
    assert_eq!(
        events[0].kind,
        EventKind::FieldEdited(FieldChange::Severity { old: Severity::Sev2, new: Severity::Sev1, policy_depth: 0 })
    );
    assert_eq!(incident.severity(), Severity::Sev1);
    run(&mut incident, Command::Edit(FieldEdit::Impact(Impact::new(40))), t(2)).unwrap();
    assert_eq!(incident.impact(), Some(Impact::new(40)));
    assert!(run(&mut incident, Command::Edit(FieldEdit::Impact(Impact::new(40))), t(3)).unwrap().is_empty());
}

#[test]
fn backdating_start_must_precede_every_milestone() {
    let mut incident = declared(t(0));
    run(&mut incident, Command::Edit(FieldEdit::StartedAt(t(-30))), t(1)).unwrap();
    assert_eq!(incident.milestones().started_at, t(-30));
    let err = run(&mut incident, Command::Edit(FieldEdit::StartedAt(t(5))), t(6)).unwrap_err();
    assert!(err.to_string().contains("declared_at"), "{err}");
    run(&mut incident, status(Status::Investigating), t(10)).unwrap();
    run(&mut incident, Command::Edit(FieldEdit::StartedAt(t(0))), t(11)).unwrap();
    assert_eq!(incident.milestones().started_at, t(0));
    assert!(run(&mut incident, Command::Edit(FieldEdit::StartedAt(t(1))), t(12)).is_err());
}

#[test]
fn declaring_an_impact_that_starts_in_the_future_is_refused() {
    let mut declaration = Declaration {
        domain: Domain::parse("api").unwrap(),
        summary: Summary::parse("x").unwrap(),
        description: Description::empty(),
        severity: Severity::Sev3,
        impact: None,
        started_at: Some(t(5)),
        dedup_key: None,
        reporter: Actor::Api,
        private: false,
        incident_type: None,
        fields: Default::default(),
    };
    assert!(declaration.decide(t(0)).is_err());
    declaration.started_at = Some(t(-5));
    assert!(matches!(declaration.decide(t(0)).unwrap(), EventKind::Declared { started_at, .. } if started_at == t(-5)));
}

#[test]
fn milestones_follow_first_ack_first_mitigation_and_last_resolution() {
    let mut incident = declared(t(0));
    run(&mut incident, status(Status::Investigating), t(4)).unwrap();
    run(&mut incident, status(Status::Monitoring), t(20)).unwrap();
    run(&mut incident, status(Status::Resolved), t(30)).unwrap();
    assert_eq!(incident.milestones().resolved_at, Some(t(30)));
    run(&mut incident, status(Status::Investigating), t(40)).unwrap();
    assert_eq!(incident.milestones().resolved_at, None, "a reopened incident is not resolved");
    run(&mut incident, status(Status::Resolved), t(55)).unwrap();
    run(&mut incident, status(Status::Closed), t(90)).unwrap();
    let m = incident.milestones();
    assert_eq!((m.acknowledged_at, m.mitigated_at, m.resolved_at), (Some(t(4)), Some(t(20)), Some(t(55))));
}

#[test]
fn replay_equals_the_incremental_fold() {
    let mut incident = declared(t(0));
    let first = IncidentEvent { seq: 1, at: t(0), actor: incident.reporter().clone(), kind: declared_kind(&incident) };
    let mut log = vec![first];
    log.extend(run(&mut incident, status(Status::Identified), t(3)).unwrap());
    log.extend(run(&mut incident, Command::SetRootCause(Text::parse("cert expired").unwrap()), t(4)).unwrap());
    log.extend(
        run(&mut incident, Command::AddActionItem(Text::parse("alert on certs").unwrap().into()), t(5)).unwrap(),
    );
    let replayed = Incident::replay(incident.id(), incident.number(), &log).unwrap();
    assert_eq!(replayed, incident);
    assert_eq!(replayed.action_items().len(), 1);
}

fn declared_kind(incident: &Incident) -> EventKind {
    EventKind::Declared {
        domain: incident.domain().clone(),
        summary: incident.summary().clone(),
        description: incident.description().clone(),
        severity: incident.severity(),
        impact: incident.impact(),
        started_at: incident.milestones().started_at,
        dedup_key: None,
        private: false,
        incident_type: None,
        fields: Default::default(),
    }
}

#[test]
fn outcomes_are_recorded_once() {
    let mut incident = declared(t(0));
    let room = Room { id: RoomId::new("C1"), name: "incident_11_25_emails-are-late".into(), url: "u".into() };
    assert_eq!(run(&mut incident, Command::Record(Outcome::RoomCreated(room.clone())), t(0)).unwrap().len(), 1);
    assert!(run(&mut incident, Command::Record(Outcome::RoomCreated(room)), t(0)).unwrap().is_empty());
}

#[test]
fn a_policy_severity_change_records_its_depth_in_the_chain() {
    let mut incident = declared(t(0));
    let set = |severity, policy_depth| Command::Record(Outcome::SeveritySet { severity, policy_depth });
    let events = run(&mut incident, set(Severity::Sev1, 2), t(1)).unwrap();
    let expected = FieldChange::Severity { old: Severity::Sev2, new: Severity::Sev1, policy_depth: 2 };
    assert_eq!(events[0].kind, EventKind::FieldEdited(expected));
    assert_eq!(events[0].kind.policy_depth(), 2);
    assert!(run(&mut incident, set(Severity::Sev1, 3), t(2)).unwrap().is_empty(), "already sev1: nothing");
    let by_hand = run(&mut incident, Command::Edit(FieldEdit::Severity(Severity::Sev3)), t(3)).unwrap();
    assert_eq!(by_hand[0].kind.policy_depth(), 0, "a person's edit starts no chain");
}

#[test]
fn a_private_incident_is_made_public_again_only_by_an_explicit_recorded_change() {
    let mut incident = declared(t(0));
    assert!(!incident.is_private());
    let events = run(&mut incident, Command::SetVisibility { private: true }, t(1)).unwrap();
    assert_eq!(events[0].kind, EventKind::VisibilityChanged { private: true });
    assert!(incident.is_private());
    assert!(run(&mut incident, Command::SetVisibility { private: true }, t(2)).unwrap().is_empty(), "already private");
    run(&mut incident, status(Status::FalsePositive), t(3)).unwrap();
    let public = run(&mut incident, Command::SetVisibility { private: false }, t(4)).unwrap();
    assert_eq!(public[0].kind, EventKind::VisibilityChanged { private: false }, "allowed after the end too");
    assert!(!incident.is_private());
    let manager = Actor::User(alice());
    assert!(!incident.may_make_public(&manager), "no Incident Manager yet");
    assert!(incident.may_make_public(&Actor::Api));
    let mut managed = declared(t(0));
    run(&mut managed, Command::AssignRole { role: Role::IncidentManager, user: alice() }, t(1)).unwrap();
    assert!(managed.may_make_public(&manager));
    assert!(!managed.may_make_public(&Actor::User(UserRef::parse("UBOB").unwrap())));
}

#[test]
fn a_declaration_made_private_replays_private() {
    let mut draft =
        DeclarationDraft { domain: "payments".into(), summary: "Leak".into(), ..DeclarationDraft::default() };
    draft.private = true;
    let kind = draft.parse(Actor::Api, Some(Severity::Sev1)).unwrap().decide(t(0)).unwrap();
    let event = IncidentEvent { seq: 1, at: t(0), actor: Actor::Api, kind };
    let incident = Incident::replay(IncidentId::new(), IncidentNumber::new(3).unwrap(), &[event]).unwrap();
    assert!(incident.is_private());
    let snapshot = serde_json::to_value(&incident).unwrap();
    let mut old = snapshot.clone();
    old.as_object_mut().unwrap().remove("private");
    assert!(!serde_json::from_value::<Incident>(old).unwrap().is_private(), "an old snapshot reads as public");
}
