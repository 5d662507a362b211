//! Policies through the use cases and the outbox: composition, guards,
//! extra steps and timers, with a manual clock.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::{
    Actor, Command, Declaration, Description, Domain, EventKind, IncidentEvent, IncidentRef, Role, RoomId, Severity,
    Status, Summary, UserRef,
};
use crate::ports::{MockPolicy, Policy, Refusal, Step, TimerCondition};
use crate::testkit::{ChatCall, FakeChat, FakePager, InMemoryStore, ManualClock};
use crate::{Engine, Incident, ServiceError};

const MINUTE: Duration = Duration::from_secs(60);

fn user(id: &str) -> UserRef {
    UserRef::parse(id).unwrap()
}

fn declaration(severity: Severity) -> Declaration {
    Declaration {
        domain: Domain::parse("payments").unwrap(),
        summary: Summary::parse("Checkout fails").unwrap(),
        description: Description::parse("").unwrap(),
        severity,
        impact: None,
        started_at: None,
        dedup_key: None,
        reporter: Actor::User(user("U1")),
    }
}

/// Sev1 rules: page the secondary, invite the leads, tell security, and
/// escalate if nobody acknowledges within 15 minutes.
struct Sev1Rules;

impl Policy for Sev1Rules {
    fn steps(&self, after: &Incident, event: &IncidentEvent) -> Vec<Step> {
        match &event.kind {
            EventKind::Declared { severity: Severity::Sev1, .. } => vec![
                Step::Page { service: Domain::parse("payments-secondary").unwrap() },
                Step::Invite { users: vec![user("ULEAD")] },
                Step::Post { room: RoomId::new("C0SEC"), text: format!("{} declared", after.title()) },
                Step::Timer { name: "sev1-ack".into(), after: 15 * MINUTE, condition: TimerCondition::Unacknowledged },
            ],
            EventKind::TimerFired { name } if name == "sev1-ack" => vec![Step::Escalate],
            _ => vec![],
        }
    }
}

/// Only the Incident Manager may resolve.
struct OnlyTheManagerResolves;

impl Policy for OnlyTheManagerResolves {
    fn guard(&self, incident: &Incident, actor: &Actor, command: &Command) -> Result<(), Refusal> {
        match command {
            Command::ChangeStatus { to: Status::Resolved, .. }
                if actor.user() != incident.roles().get(Role::IncidentManager) =>
            {
                Err(Refusal::new("only the Incident Manager may resolve"))
            }
            _ => Ok(()),
        }
    }
}

struct World {
    engine: Engine,
    clock: Arc<ManualClock>,
    chat: Arc<FakeChat>,
    pager: Arc<FakePager>,
}

fn world(policies: Vec<Arc<dyn Policy>>) -> World {
    let clock = Arc::new(ManualClock::at_str("2026-11-25T10:00:00Z"));
    let chat = Arc::new(FakeChat::new());
    let pager = Arc::new(FakePager::new());
    let builder = Engine::builder()
        .store(Arc::new(InMemoryStore::new()))
        .clock(clock.clone())
        .chat(chat.clone())
        .paging(pager.clone());
    let engine = policies.into_iter().fold(builder, |b, p| b.policy(p)).build().unwrap();
    World { engine, clock, chat, pager }
}

impl World {
    async fn declare(&self, severity: Severity) -> Incident {
        let incident = self.engine.service().declare(declaration(severity)).await.unwrap().incident;
        self.engine.worker().run_until_idle().await.unwrap();
        incident
    }

    async fn later(&self, by: Duration) {
        self.clock.advance(by);
        self.engine.worker().run_until_idle().await.unwrap();
    }

    async fn events(&self, incident: &Incident) -> Vec<IncidentEvent> {
        self.engine.service().timeline(IncidentRef::Id(incident.id())).await.unwrap().1
    }

    fn triggers(&self, dedup_key: &str) -> u32 {
        self.pager.alerts().get(dedup_key).map_or(0, |alert| alert.triggers)
    }
}

fn fired(events: &[IncidentEvent]) -> usize {
    events.iter().filter(|e| matches!(e.kind, EventKind::TimerFired { .. })).count()
}

#[tokio::test]
async fn extra_steps_run_once_through_the_outbox() {
    let world = world(vec![Arc::new(Sev1Rules)]);
    let incident = world.declare(Severity::Sev1).await;
    world.later(Duration::from_secs(1)).await;
    assert_eq!(world.triggers(&format!("{}:payments-secondary", incident.id())), 1);
    assert_eq!(world.triggers(&incident.id().to_string()), 1, "the runbook's own page is unchanged");
    let calls = world.chat.calls();
    let to_security = calls.iter().filter(|c| matches!(c, ChatCall::Post(room, _) if room.as_str() == "C0SEC"));
    assert_eq!(to_security.count(), 1);
    assert!(calls.iter().any(|c| matches!(c, ChatCall::Invite(_, users) if users == &vec![user("ULEAD")])));
}

#[tokio::test]
async fn a_sev2_takes_no_sev1_step() {
    let world = world(vec![Arc::new(Sev1Rules)]);
    let incident = world.declare(Severity::Sev2).await;
    world.later(20 * MINUTE).await;
    assert_eq!(world.pager.alerts().len(), 1);
    assert!(!world.chat.calls().iter().any(|c| matches!(c, ChatCall::Post(room, _) if room.as_str() == "C0SEC")));
    assert_eq!(fired(&world.events(&incident).await), 0);
}

#[tokio::test]
async fn the_escalation_timer_fires_at_15_minutes_and_once() {
    let world = world(vec![Arc::new(Sev1Rules)]);
    let incident = world.declare(Severity::Sev1).await;
    let escalation = format!("{}:payments", incident.id());
    world.later(14 * MINUTE).await;
    assert_eq!(world.triggers(&escalation), 0, "not before 15 minutes");
    world.later(MINUTE).await;
    assert_eq!(world.triggers(&escalation), 1);
    world.later(60 * MINUTE).await;
    assert_eq!(world.triggers(&escalation), 1);
    assert_eq!(fired(&world.events(&incident).await), 1);
}

#[tokio::test]
async fn an_incident_acknowledged_at_14_minutes_does_not_escalate() {
    let world = world(vec![Arc::new(Sev1Rules)]);
    let incident = world.declare(Severity::Sev1).await;
    world.later(14 * MINUTE).await;
    let ack = Command::ChangeStatus { to: Status::Investigating, message: None };
    world.engine.service().execute(incident.id(), Actor::User(user("U2")), ack).await.unwrap();
    world.later(MINUTE).await;
    assert_eq!(world.triggers(&format!("{}:payments", incident.id())), 0);
    assert_eq!(fired(&world.events(&incident).await), 0);
}

#[tokio::test]
async fn a_recorded_timer_does_not_fire_again() {
    let world = world(vec![Arc::new(Sev1Rules)]);
    let incident = world.declare(Severity::Sev1).await;
    world.later(15 * MINUTE).await;
    // A second replica (or a replay) delivers the same timer again.
    let again = crate::domain::Outcome::TimerFired("sev1-ack".into());
    world.engine.service().execute(incident.id(), Actor::Sima, Command::Record(again)).await.unwrap();
    world.later(MINUTE).await;
    assert_eq!(fired(&world.events(&incident).await), 1);
    assert_eq!(world.triggers(&format!("{}:payments", incident.id())), 1);
}

#[tokio::test]
async fn a_guard_refusal_records_nothing_and_says_why() {
    let world = world(vec![Arc::new(OnlyTheManagerResolves)]);
    let incident = world.declare(Severity::Sev2).await;
    let before = world.events(&incident).await;
    let resolve = Command::ChangeStatus { to: Status::Resolved, message: None };
    let error = world.engine.service().execute(incident.id(), Actor::User(user("U2")), resolve.clone()).await;
    assert_eq!(error, Err(ServiceError::Forbidden(Refusal::new("only the Incident Manager may resolve"))));
    assert_eq!(world.events(&incident).await, before);
    let assign = Command::AssignRole { role: Role::IncidentManager, user: user("U2") };
    world.engine.service().execute(incident.id(), Actor::User(user("U1")), assign).await.unwrap();
    let resolved = world.engine.service().execute(incident.id(), Actor::User(user("U2")), resolve).await.unwrap();
    assert_eq!(resolved.status(), Status::Resolved);
}

#[tokio::test]
async fn policies_compose_in_order() {
    let mut first = MockPolicy::new();
    first.expect_guard().returning(|_, _, _| Err(Refusal::new("first")));
    first.expect_steps().returning(|_, event| match event.kind {
        EventKind::Declared { .. } => vec![Step::Post { room: RoomId::new("C0A"), text: "a".into() }],
        _ => vec![],
    });
    let mut second = MockPolicy::new();
    second.expect_guard().returning(|_, _, _| Err(Refusal::new("second")));
    second.expect_steps().returning(|_, event| match event.kind {
        EventKind::Declared { .. } => vec![Step::Post { room: RoomId::new("C0B"), text: "b".into() }],
        _ => vec![],
    });
    let world = world(vec![Arc::new(first), Arc::new(second)]);
    let incident = world.declare(Severity::Sev3).await;
    let rooms: Vec<String> = world
        .chat
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            ChatCall::Post(room, _) if matches!(room.as_str(), "C0A" | "C0B") => Some(room.as_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(rooms, ["C0A", "C0B"]);
    let note = Command::AddNote(crate::domain::Text::parse("hello").unwrap());
    let error = world.engine.service().execute(incident.id(), Actor::User(user("U1")), note).await.unwrap_err();
    assert_eq!(error, ServiceError::Forbidden(Refusal::new("first")));
}

#[tokio::test]
async fn a_timer_fires_once_across_a_restart_and_two_replicas() {
    let store = Arc::new(InMemoryStore::new());
    let clock = Arc::new(ManualClock::at_str("2026-11-25T10:00:00Z"));
    let pager = Arc::new(FakePager::new());
    let replica = || {
        Engine::builder()
            .store(store.clone())
            .clock(clock.clone())
            .chat(Arc::new(FakeChat::new()))
            .paging(pager.clone())
            .policy(Arc::new(Sev1Rules))
            .build()
            .unwrap()
    };
    let first = replica();
    let incident = first.service().declare(declaration(Severity::Sev1)).await.unwrap().incident;
    first.worker().run_until_idle().await.unwrap();
    drop(first);
    // After a restart, two replicas share the store when the timer falls due.
    let (a, b) = (replica(), replica());
    clock.advance(15 * MINUTE);
    let (ran_a, ran_b) = tokio::join!(a.worker().run_until_idle(), b.worker().run_until_idle());
    ran_a.unwrap();
    ran_b.unwrap();
    clock.advance(15 * MINUTE);
    a.worker().run_until_idle().await.unwrap();
    let alerts = pager.alerts();
    assert_eq!(alerts.get(&format!("{}:payments", incident.id())).map(|a| a.triggers), Some(1));
    let events = a.service().timeline(IncidentRef::Id(incident.id())).await.unwrap().1;
    assert_eq!(fired(&events), 1);
}

/// A sev2 still open after an hour becomes a sev1.
struct RaiseAfterAnHour;

impl Policy for RaiseAfterAnHour {
    fn steps(&self, _after: &Incident, event: &IncidentEvent) -> Vec<Step> {
        match &event.kind {
            EventKind::Declared { severity: Severity::Sev2, .. } => {
                vec![Step::Timer { name: "sev2-open".into(), after: 60 * MINUTE, condition: TimerCondition::StillOpen }]
            }
            EventKind::TimerFired { name } if name == "sev2-open" => {
                vec![Step::SetSeverity { severity: Severity::Sev1 }]
            }
            _ => vec![],
        }
    }
}

#[tokio::test]
async fn a_policy_sets_the_severity_as_sima_once() {
    let world = world(vec![Arc::new(RaiseAfterAnHour)]);
    let incident = world.declare(Severity::Sev2).await;
    world.later(59 * MINUTE).await;
    let get = || world.engine.service().get(IncidentRef::Id(incident.id()));
    assert_eq!(get().await.unwrap().severity(), Severity::Sev2);
    world.later(MINUTE).await;
    world.later(60 * MINUTE).await;
    assert_eq!(get().await.unwrap().severity(), Severity::Sev1);
    let events = world.events(&incident).await;
    let edits: Vec<&IncidentEvent> = events.iter().filter(|e| matches!(e.kind, EventKind::FieldEdited(_))).collect();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].actor, Actor::Sima);
}
