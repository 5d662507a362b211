//! Acme's rules, as code ([`AcmePolicy`]) and as configuration
//! (`workflows.toml`), checked against mockall mocks of the chat and paging
//! ports with a manual clock: each test fails when its rule is broken.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use policy_tests::{AcmePolicy, SECURITY_ROOM};
use sima_core::domain::{
    Actor, Command, Declaration, Description, Domain, IncidentId, IncidentRef, MessageRef, PageRef, Role, Room, RoomId,
    Severity, Status, Summary, UserRef,
};
use sima_core::ports::{MockChatPort, MockDocsPort, MockPagingPort, Page, Policy, Refusal};
use sima_core::testkit::{ManualClock, TestEngine};
use sima_core::{EffectWorker, IncidentService, ServiceError};
use sima_server::workflows::{GuardPolicy, WorkflowPolicy};
use sima_server::Settings;

const MINUTE: Duration = Duration::from_secs(60);

fn user(id: &str) -> UserRef {
    UserRef::parse(id).unwrap()
}

fn acme() -> Vec<Arc<dyn Policy>> {
    vec![Arc::new(AcmePolicy { checkout_leads: vec![user("U0LEAD1"), user("U0LEAD2")] })]
}

/// Acme's `workflows.toml`, read as the server reads `sima.toml`.
fn configured() -> Vec<Arc<dyn Policy>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows.toml");
    let settings: Settings = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    vec![Arc::new(GuardPolicy::new(settings.guards)), Arc::new(WorkflowPolicy::new(settings.workflows))]
}

/// A chat mock that accepts everything in the incident room and the
/// broadcast, and counts what goes to the security room.
fn chat(security_posts: usize) -> MockChatPort {
    let mut chat = MockChatPort::new();
    chat.expect_create_room().returning(|spec| {
        Ok(Room { id: RoomId::new("C1"), name: spec.name_hint.clone(), url: "https://chat/C1".into() })
    });
    chat.expect_invite().returning(|_, _| Ok(()));
    chat.expect_pin().returning(|_| Ok(()));
    chat.expect_update().returning(|_, _| Ok(()));
    chat.expect_reply().returning(|parent, _| Ok(parent.clone()));
    chat.expect_post()
        .withf(|room, _| room.as_str() == SECURITY_ROOM)
        .times(security_posts)
        .returning(|room, _| Ok(MessageRef { room: room.clone(), ts: "9.0".into() }));
    chat.expect_post().returning(|room, _| Ok(MessageRef { room: room.clone(), ts: "1.0".into() }));
    chat
}

fn page_ref(page: &Page) -> Result<PageRef, sima_core::PortError> {
    Ok(PageRef { dedup_key: page.dedup_key.clone(), service: page.service.clone() })
}

/// A pager mock: the first page of the incident's domain, `secondaries`
/// pages of `checkout-secondary`, and escalations of `checkout`, counted.
fn pager(secondaries: usize) -> (MockPagingPort, Arc<AtomicUsize>) {
    let escalations = Arc::new(AtomicUsize::new(0));
    let counted = escalations.clone();
    let mut pager = MockPagingPort::new();
    pager.expect_trigger().withf(|p| p.service == "checkout-secondary").times(secondaries).returning(page_ref);
    pager.expect_trigger().withf(|p| p.service == "checkout" && p.dedup_key.ends_with(":checkout")).returning(
        move |page| {
            counted.fetch_add(1, Ordering::SeqCst);
            page_ref(page)
        },
    );
    pager.expect_trigger().withf(|p| !p.dedup_key.contains(':')).returning(page_ref);
    pager.expect_resolve().returning(|_| Ok(()));
    (pager, escalations)
}

struct Acme {
    service: IncidentService,
    worker: EffectWorker,
    clock: Arc<ManualClock>,
}

fn acme_with(policies: Vec<Arc<dyn Policy>>, chat: MockChatPort, pager: MockPagingPort) -> Acme {
    let mut docs = MockDocsPort::new();
    docs.expect_create_postmortem().returning(|_| Err(sima_core::PortError::Unsupported("docs".into())));
    let test = TestEngine::with(|builder| {
        let builder =
            builder.runbook(policy_tests::runbook()).chat(Arc::new(chat)).paging(Arc::new(pager)).docs(Arc::new(docs));
        policies.into_iter().fold(builder, |builder, policy| builder.policy(policy))
    });
    Acme { service: test.engine.service().clone(), worker: test.engine.worker().clone(), clock: test.clock }
}

impl Acme {
    async fn declare(&self, domain: &str, severity: Severity) -> IncidentId {
        let declaration = Declaration {
            domain: Domain::parse(domain).unwrap(),
            summary: Summary::parse("Payments fail").unwrap(),
            description: Description::empty(),
            severity,
            impact: None,
            started_at: None,
            dedup_key: None,
            reporter: Actor::User(user("U1")),
            private: false,
            incident_type: None,
            fields: Default::default(),
        };
        let id = self.service.declare(declaration).await.unwrap().incident.id();
        self.worker.run_until_idle().await.unwrap();
        id
    }

    async fn later(&self, by: Duration) {
        self.clock.advance(by);
        self.worker.run_until_idle().await.unwrap();
    }

    async fn acknowledge(&self, id: IncidentId) {
        let ack = Command::ChangeStatus { to: Status::Investigating, message: None };
        self.service.execute(id, Actor::User(user("U2")), ack).await.unwrap();
        self.worker.run_until_idle().await.unwrap();
    }
}

#[tokio::test]
async fn an_unacknowledged_sev1_escalates_at_15_minutes_once() {
    escalates_at_15_minutes_once(acme()).await;
}

async fn escalates_at_15_minutes_once(policies: Vec<Arc<dyn Policy>>) {
    let (pager, escalations) = pager(1);
    let acme = acme_with(policies, chat(0), pager);
    acme.declare("checkout", Severity::Sev1).await;
    acme.later(14 * MINUTE).await;
    assert_eq!(escalations.load(Ordering::SeqCst), 0, "not before 15 minutes");
    acme.later(MINUTE).await;
    assert_eq!(escalations.load(Ordering::SeqCst), 1, "at 15 minutes");
    acme.later(60 * MINUTE).await;
    assert_eq!(escalations.load(Ordering::SeqCst), 1, "once");
}

#[tokio::test]
async fn a_sev1_acknowledged_at_14_minutes_does_not_escalate() {
    acknowledged_at_14_minutes_does_not_escalate(acme()).await;
}

async fn acknowledged_at_14_minutes_does_not_escalate(policies: Vec<Arc<dyn Policy>>) {
    let (pager, escalations) = pager(1);
    let acme = acme_with(policies, chat(0), pager);
    let id = acme.declare("checkout", Severity::Sev1).await;
    acme.later(14 * MINUTE).await;
    acme.acknowledge(id).await;
    acme.later(MINUTE).await;
    acme.later(60 * MINUTE).await;
    assert_eq!(escalations.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_security_incident_is_announced_in_the_security_room() {
    let acme = acme_with(acme(), chat(1), pager(0).0);
    acme.declare("security", Severity::Sev3).await;
    acme.later(MINUTE).await;
}

#[tokio::test]
async fn only_the_incident_manager_may_resolve() {
    let acme = acme_with(acme(), chat(0), pager(0).0);
    let id = acme.declare("checkout", Severity::Sev2).await;
    let resolve = Command::ChangeStatus { to: Status::Resolved, message: None };
    let refused = acme.service.execute(id, Actor::User(user("U2")), resolve.clone()).await.unwrap_err();
    let reason = "only the Incident Manager may resolve or mark a false positive";
    assert_eq!(refused, ServiceError::Forbidden(Refusal::new(reason)));
    assert_eq!(
        acme.service.timeline(IncidentRef::Id(id)).await.unwrap().1.len(),
        acme.service.get(IncidentRef::Id(id)).await.unwrap().version() as usize
    );
    let manager = Command::AssignRole { role: Role::IncidentManager, user: user("U2") };
    acme.service.execute(id, Actor::User(user("U1")), manager).await.unwrap();
    let resolved = acme.service.execute(id, Actor::User(user("U2")), resolve).await.unwrap();
    assert_eq!(resolved.status(), Status::Resolved);
}

#[tokio::test]
async fn the_configured_workflows_page_the_secondary_and_escalate_at_15_minutes() {
    escalates_at_15_minutes_once(configured()).await;
}

#[tokio::test]
async fn the_configured_escalation_spares_an_incident_acknowledged_at_14_minutes() {
    acknowledged_at_14_minutes_does_not_escalate(configured()).await;
}

#[tokio::test]
async fn the_configured_guard_keeps_resolution_to_the_incident_manager() {
    let acme = acme_with(configured(), chat(0), pager(0).0);
    let id = acme.declare("checkout", Severity::Sev2).await;
    let resolve = Command::ChangeStatus { to: Status::Resolved, message: None };
    let refused = acme.service.execute(id, Actor::User(user("U2")), resolve).await.unwrap_err();
    assert!(
        matches!(refused, ServiceError::Forbidden(r) if r.reason.contains("only the Incident Manager may resolve"))
    );
}
