//! Policies through the use cases and the outbox: composition, guards,
//! extra steps and timers, with a manual clock.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::{
    Actor, Command, Declaration, Description, Domain, EffectKind, EventKind, FieldChange, FieldEdit, IncidentEvent,
    IncidentRef, Role, RoomId, Severity, Status, Summary, UserRef, MAX_POLICY_DEPTH,
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
        private: false,
        incident_type: None,
        fields: Default::default(),
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

/// Whenever the severity becomes `when`, set it to `set`.
struct Flip {
    when: Severity,
    set: Severity,
}

impl Policy for Flip {
    fn steps(&self, _after: &Incident, event: &IncidentEvent) -> Vec<Step> {
        match &event.kind {
            EventKind::FieldEdited(FieldChange::Severity { new, .. }) if *new == self.when => {
                vec![Step::SetSeverity { severity: self.set }]
            }
            _ => vec![],
        }
    }
}

/// The severity edits of `events`: the new value and the chain depth.
fn severity_edits(events: &[IncidentEvent]) -> Vec<(Severity, u8)> {
    let edit = |e: &IncidentEvent| match &e.kind {
        EventKind::FieldEdited(FieldChange::Severity { new, policy_depth, .. }) => Some((*new, *policy_depth)),
        _ => None,
    };
    events.iter().filter_map(edit).collect()
}

fn refusals(events: &[IncidentEvent]) -> Vec<String> {
    let refusal = |e: &IncidentEvent| match &e.kind {
        EventKind::EffectFailed { effect: EffectKind::RefusedStep, error } => Some(error.clone()),
        _ => None,
    };
    events.iter().filter_map(refusal).collect()
}

#[tokio::test]
async fn policies_that_re_trigger_each_other_stop_at_the_depth_limit_and_say_so() {
    // Built directly, past any start-up check: sev3 becomes sev2, and sev2 becomes sev3.
    let up = Flip { when: Severity::Sev3, set: Severity::Sev2 };
    let down = Flip { when: Severity::Sev2, set: Severity::Sev3 };
    let world = world(vec![Arc::new(up), Arc::new(down)]);
    let incident = world.declare(Severity::Sev4).await;
    let edit = Command::Edit(FieldEdit::Severity(Severity::Sev3));
    world.engine.service().execute(incident.id(), Actor::User(user("U2")), edit).await.unwrap();
    // Without the limit this never goes idle.
    let idle = tokio::time::timeout(Duration::from_secs(20), world.engine.worker().run_until_idle()).await;
    idle.expect("the chain stops").unwrap();

    let events = world.events(&incident).await;
    assert_eq!(MAX_POLICY_DEPTH, 3);
    assert_eq!(
        severity_edits(&events),
        [(Severity::Sev3, 0), (Severity::Sev2, 1), (Severity::Sev3, 2), (Severity::Sev2, 3)],
        "the person's edit, then three changes made by policies"
    );
    let refused = refusals(&events);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("refused `set severity sev3`"), "{}", refused[0]);
    assert!(refused[0].contains("stop at 3"), "{}", refused[0]);
    let get = world.engine.service().get(IncidentRef::Id(incident.id())).await.unwrap();
    assert_eq!(get.severity(), Severity::Sev2);

    // The room is told which step was refused.
    let told = world.chat.calls().into_iter().filter(
        |c| matches!(c, ChatCall::Post(_, message) if message.text.to_string().contains("refused `set severity sev3`")),
    );
    assert_eq!(told.count(), 1);

    // A person's next change starts a chain of its own, which stops the same way.
    let edit = Command::Edit(FieldEdit::Severity(Severity::Sev3));
    world.engine.service().execute(incident.id(), Actor::User(user("U2")), edit).await.unwrap();
    world.later(Duration::from_secs(1)).await;
    let events = world.events(&incident).await;
    assert_eq!(severity_edits(&events).len(), 8);
    assert_eq!(refusals(&events).len(), 2);
}

/// A fired timer raises the severity; a sev1 pages the secondary: a chain
/// of two changes made by policies, well within the limit.
struct RaiseThenPage;

impl Policy for RaiseThenPage {
    fn steps(&self, _after: &Incident, event: &IncidentEvent) -> Vec<Step> {
        match &event.kind {
            EventKind::Declared { .. } => {
                vec![Step::Timer { name: "raise".into(), after: MINUTE, condition: TimerCondition::StillOpen }]
            }
            EventKind::TimerFired { name } if name == "raise" => vec![Step::SetSeverity { severity: Severity::Sev1 }],
            EventKind::FieldEdited(FieldChange::Severity { new: Severity::Sev1, .. }) => {
                vec![Step::Page { service: Domain::parse("payments-secondary").unwrap() }]
            }
            _ => vec![],
        }
    }
}

#[tokio::test]
async fn a_chain_within_the_limit_runs_to_its_end() {
    let world = world(vec![Arc::new(RaiseThenPage)]);
    let incident = world.declare(Severity::Sev3).await;
    world.later(MINUTE).await;
    let events = world.events(&incident).await;
    assert_eq!(severity_edits(&events), [(Severity::Sev1, 2)], "the timer is 1 deep, its change 2");
    assert_eq!(world.triggers(&format!("{}:payments-secondary", incident.id())), 1);
    assert!(refusals(&events).is_empty());
}
