//! [`Engine`]: the use cases, the effect workers, the inbound chat handler
//! and the scheduled upkeep, wired in one call.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use thiserror::Error;

use crate::adapters::{LogChat, LogPager, MarkdownDocs};
use crate::chat::InboundHandler;
use crate::domain::Severity;
use crate::domain::StatusComponent;
use crate::messages::DomainChoice;
use crate::ports::{ChatPort, Clock, DocsPort, IncidentStore, PagingPort, Policy, StatusPagePort, TrackerPort};
use crate::runbook::{EffectWorker, Ports, RunbookConfig, TrackerExport, WakeSender, WorkerConfig, WorkerParts};
use crate::service::{Conversation, IncidentService};

/// How long idempotency keys (chat deliveries, alert resolutions) are kept
/// unless [`EngineBuilder::key_retention`] says otherwise.
const DEFAULT_KEY_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// How often [`Engine::run`] deletes the idempotency keys past retention.
const KEY_SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// What [`EngineBuilder::build`] still needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum EngineError {
    /// No store was given ([`EngineBuilder::store`]).
    #[error("the engine needs a store: call .store(…)")]
    MissingStore,
    /// No clock was given ([`EngineBuilder::clock`]).
    #[error("the engine needs a clock: call .clock(…) (SystemClock with the `tokio` feature)")]
    MissingClock,
}

/// A wired SIMA: the use cases ([`IncidentService`]), the handler chat
/// adapters hand what people do to ([`Engine::inbound`]), and the worker that
/// runs the effects the use cases enqueue, woken whenever they enqueue some.
///
/// ```
/// # use std::sync::Arc;
/// # use sima_core::testkit::{contract::declaration, FakeChat, InMemoryStore, ManualClock, TEST_START};
/// # use sima_core::{Engine, Severity};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let (store, clock) = (Arc::new(InMemoryStore::new()), Arc::new(ManualClock::at_str(TEST_START)));
/// # let (slack, declaration) = (Arc::new(FakeChat::new()), declaration("payments", Severity::Sev2, None));
/// # let shutdown_signal = async {};
/// let engine = Engine::builder().store(store).clock(clock).chat(slack).build()?;
/// let inbound = engine.inbound(); // for the chat adapter: sima_slack::SlackState::new(secret, inbound)
/// let declared = engine.service().declare(declaration).await?;
/// engine.run(shutdown_signal).await; // or engine.worker().run_until_idle() in tests
/// # Ok(())
/// # }
/// ```
pub struct Engine {
    service: IncidentService,
    inbound: Arc<dyn InboundHandler>,
    worker: EffectWorker,
    parts: WorkerParts,
    worker_config: WorkerConfig,
    key_retention: Option<Duration>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("service", &self.service)
            .field("worker", &self.worker)
            .field("key_retention", &self.key_retention)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// A builder; only the store and the clock are required.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The use cases (cheap to clone).
    pub fn service(&self) -> &IncidentService {
        &self.service
    }

    /// The handler chat adapters hand inbound events to; it acts on each
    /// delivery key once (see [`InboundHandler::handle`]).
    pub fn inbound(&self) -> Arc<dyn InboundHandler> {
        self.inbound.clone()
    }

    /// The engine's effect worker: what [`Engine::run`] runs. Clone it for
    /// readiness and failure counts; step it with `run_until_idle` in tests.
    pub fn worker(&self) -> &EffectWorker {
        &self.worker
    }

    /// Another worker over the same store and platforms, with its own leases
    /// and failure counts, as another replica's would be; the use cases wake
    /// it too. [`Engine::run`] does not run it: run it with
    /// [`EffectWorker::run`], or step it with `run_once`.
    pub fn spawn_worker(&self) -> EffectWorker {
        EffectWorker::new(self.parts.clone(), self.worker_config)
    }

    /// Runs the effect worker and the scheduled upkeep (deleting idempotency
    /// keys past retention, hourly) until `shutdown` completes; then the
    /// worker stops claiming, finishes the effects in flight (within
    /// [`WorkerConfig::shutdown_grace`]) and releases the rest (see
    /// [`EffectWorker::run`]).
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let work = std::pin::pin!(self.worker.run(shutdown));
        let upkeep = std::pin::pin!(self.forget_old_keys());
        futures::future::select(work, upkeep).await;
    }

    /// Deletes the idempotency keys past retention, every [`KEY_SWEEP_EVERY`], forever.
    async fn forget_old_keys(&self) {
        let Some(retention) = self.key_retention else {
            return std::future::pending().await;
        };
        let age = TimeDelta::from_std(retention).unwrap_or(TimeDelta::MAX);
        loop {
            self.parts.clock.sleep(KEY_SWEEP_EVERY).await;
            match self.service.forget_keys_older_than(age).await {
                Ok(0) => {}
                Ok(keys) => tracing::info!(keys, "forgot old idempotency keys"),
                Err(error) => tracing::warn!(%error, "could not forget old idempotency keys"),
            }
        }
    }
}

/// Builds an [`Engine`]. Chat and paging default to log-only adapters and
/// post-mortems to Markdown files under `postmortems/`.
pub struct EngineBuilder {
    store: Option<Arc<dyn IncidentStore>>,
    clock: Option<Arc<dyn Clock>>,
    chat: Option<Arc<dyn ChatPort>>,
    paging: Option<Arc<dyn PagingPort>>,
    docs: Option<Arc<dyn DocsPort>>,
    tracker: Option<Arc<dyn TrackerPort>>,
    tracker_export: TrackerExport,
    status_page: Option<Arc<dyn StatusPagePort>>,
    status_components: Option<Vec<StatusComponent>>,
    runbook: RunbookConfig,
    worker: WorkerConfig,
    policies: Vec<Arc<dyn Policy>>,
    domains: Vec<DomainChoice>,
    severities: BTreeMap<Severity, String>,
    key_retention: Option<Duration>,
    schema: Option<crate::domain::FieldSchema>,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        Self {
            store: None,
            clock: None,
            chat: None,
            paging: None,
            docs: None,
            tracker: None,
            tracker_export: TrackerExport::default(),
            status_page: None,
            status_components: None,
            runbook: RunbookConfig::default(),
            worker: WorkerConfig::default(),
            policies: Vec::new(),
            domains: Vec::new(),
            severities: BTreeMap::new(),
            key_retention: Some(DEFAULT_KEY_RETENTION),
            schema: None,
        }
    }
}

impl std::fmt::Debug for EngineBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("runbook", &self.runbook)
            .field("worker", &self.worker)
            .field("policies", &self.policies.len())
            .field("tracker", &self.tracker.as_ref().map(|t| t.name().to_owned()))
            .field("tracker_export", &self.tracker_export)
            .field("domains", &self.domains)
            .field("key_retention", &self.key_retention)
            .finish_non_exhaustive()
    }
}

impl EngineBuilder {
    /// Where incidents, events, effects and keys are stored.
    pub fn store(mut self, store: Arc<dyn IncidentStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Where time comes from.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The chat platform (default: log-only).
    pub fn chat(mut self, chat: Arc<dyn ChatPort>) -> Self {
        self.chat = Some(chat);
        self
    }

    /// The paging platform (default: log-only).
    pub fn paging(mut self, paging: Arc<dyn PagingPort>) -> Self {
        self.paging = Some(paging);
        self
    }

    /// Where post-mortems are written (default: Markdown files under `postmortems/`).
    pub fn docs(mut self, docs: Arc<dyn DocsPort>) -> Self {
        self.docs = Some(docs);
        self
    }

    /// The issue tracker action items are exported to (default: none, and
    /// no action item is exported).
    pub fn tracker(mut self, tracker: Arc<dyn TrackerPort>) -> Self {
        self.tracker = Some(tracker);
        self
    }

    /// Which action items go to the tracker (default: every one, as soon as
    /// it is added); without a [`tracker`](Self::tracker) nothing is exported.
    pub fn tracker_export(mut self, export: TrackerExport) -> Self {
        self.tracker_export = export;
        self
    }

    /// The hosted status page (Atlassian Statuspage…) public updates are
    /// pushed to as they are published (default: none; SIMA's own status
    /// page, served by the embedder, reads them from the incidents).
    pub fn status_page(mut self, status_page: Arc<dyn StatusPagePort>) -> Self {
        self.status_page = Some(status_page);
        self
    }

    /// The status page's components and the domains each covers (default:
    /// none; those in [`RunbookConfig::status_components`] unless given here).
    pub fn status_components(mut self, components: Vec<StatusComponent>) -> Self {
        self.status_components = Some(components);
        self
    }

    /// The company's runbook settings (broadcast room, room prefix, paging).
    pub fn runbook(mut self, runbook: RunbookConfig) -> Self {
        self.runbook = runbook;
        self
    }

    /// Adds a company policy. Several compose in the order given: guards run
    /// in that order (the first refusal wins) and their steps are concatenated.
    pub fn policy(mut self, policy: Arc<dyn Policy>) -> Self {
        self.policies.push(policy);
        self
    }

    /// How the effect workers pace themselves.
    pub fn worker(mut self, worker: WorkerConfig) -> Self {
        self.worker = worker;
        self
    }

    /// The domains the declare and edit forms offer (default: none, a free text input).
    pub fn domains(mut self, domains: Vec<DomainChoice>) -> Self {
        self.domains = domains;
        self
    }

    /// What the forms say each severity means, instead of the defaults
    /// (labels, and descriptions too, can be given in
    /// [`RunbookConfig::severities`]; these descriptions win).
    pub fn severity_descriptions(mut self, severities: BTreeMap<Severity, String>) -> Self {
        self.severities = severities;
        self
    }

    /// The company's incident types and custom fields (default: none). The
    /// schema is checked when it is made ([`crate::domain::FieldSchema::new`]);
    /// every door checks declarations and field changes against it.
    pub fn field_schema(mut self, schema: crate::domain::FieldSchema) -> Self {
        self.schema = Some(schema);
        self
    }

    /// How long idempotency keys (chat deliveries, alert resolutions) are
    /// kept before [`Engine::run`] deletes them (default 7 days); `None`
    /// keeps them.
    pub fn key_retention(mut self, retention: Option<Duration>) -> Self {
        self.key_retention = retention;
        self
    }

    /// The wired engine.
    ///
    /// # Errors
    /// [`EngineError`] names the missing store or clock.
    pub fn build(self) -> Result<Engine, EngineError> {
        let store = self.store.ok_or(EngineError::MissingStore)?;
        let clock = match self.clock {
            Some(clock) => clock,
            None => default_clock()?,
        };
        let wake = WakeSender::new();
        let mut runbook = self.runbook;
        if let Some(schema) = self.schema {
            runbook.schema = schema;
        }
        for (severity, description) in self.severities {
            runbook.severities = runbook.severities.with_description(severity, description);
        }
        if let Some(components) = self.status_components {
            runbook.status_components = components;
        }
        runbook.hosted_status_page = self.status_page.is_some();
        let severities = runbook.severities.clone();
        let mut service = self
            .policies
            .into_iter()
            .fold(IncidentService::new(store.clone(), clock.clone(), runbook), IncidentService::with_policy)
            .with_wake(wake.clone());
        if let Some(tracker) = &self.tracker {
            service = service.with_tracker(tracker.clone(), self.tracker_export);
        }
        let chat = self.chat.unwrap_or_else(|| Arc::new(LogChat::new()));
        let ports = Ports {
            chat: chat.clone(),
            pager: self.paging.unwrap_or_else(|| Arc::new(LogPager)),
            docs: self.docs.unwrap_or_else(|| Arc::new(MarkdownDocs::new("postmortems"))),
            tracker: self.tracker,
            status_page: self.status_page,
            clock: clock.clone(),
        };
        let parts = WorkerParts {
            store,
            clock,
            runbook: Arc::new(service.config().clone()),
            ports,
            recorder: Arc::new(service.clone()),
            wake,
        };
        let worker = EffectWorker::new(parts.clone(), self.worker);
        let conversation =
            Conversation::new(service.clone(), chat, self.domains).with_severity_descriptions(severities);
        Ok(Engine {
            service,
            inbound: Arc::new(conversation),
            worker,
            parts,
            worker_config: self.worker,
            key_retention: self.key_retention,
        })
    }
}

#[cfg(feature = "tokio")]
fn default_clock() -> Result<Arc<dyn Clock>, EngineError> {
    Ok(Arc::new(crate::ports::SystemClock))
}

#[cfg(not(feature = "tokio"))]
fn default_clock() -> Result<Arc<dyn Clock>, EngineError> {
    Err(EngineError::MissingClock)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{DeliveryKey, Inbound, Reply};
    use crate::domain::{Actor, Declaration, Description, Domain, IncidentRef, Outcome, Room, RoomId, Summary};
    use crate::ports::{IdempotencyKeys, Outbox};
    use crate::runbook::Recorder;
    use crate::testkit::{ChatCall, TestEngine};

    fn declaration() -> Declaration {
        Declaration {
            domain: Domain::parse("payments").unwrap(),
            summary: Summary::parse("Checkout fails").unwrap(),
            description: Description::parse("").unwrap(),
            severity: Severity::Sev2,
            impact: None,
            started_at: None,
            dedup_key: None,
            reporter: Actor::User(crate::UserRef::parse("UALICE").unwrap()),
            private: false,
            incident_type: None,
            fields: Default::default(),
        }
    }

    #[tokio::test]
    async fn a_built_engine_declares_and_its_worker_opens_the_room() {
        let test = TestEngine::new();
        let engine = &test.engine;
        let declared = engine.service().declare(declaration()).await.unwrap();
        assert!(engine.worker().run_until_idle().await.unwrap() > 0);
        let incident = engine.service().get(IncidentRef::Id(declared.incident.id())).await.unwrap();
        assert_eq!(incident.room().map(|r| r.name.as_str()), Some("incident_11_25_checkout-fails"));
        assert_eq!(test.chat.rooms().len(), 1);
    }

    #[test]
    fn a_missing_store_is_named() {
        let error = Engine::builder().build().unwrap_err();
        assert_eq!(error, EngineError::MissingStore);
        assert!(error.to_string().contains(".store("));
    }

    #[tokio::test]
    async fn follow_ups_handed_to_a_worker_that_died_are_taken_over_after_one_lease() {
        let test = TestEngine::new();
        let (engine, clock) = (&test.engine, &test.clock);
        let incident = engine.service().declare(declaration()).await.unwrap().incident;
        let lease = WorkerConfig::default().lease;
        let claimed = test.store.claim_due(10, clock.now(), lease).await.unwrap();
        let room = Room { id: RoomId::new("CWAR"), name: "incident_11_25_war".into(), url: "https://chat/CWAR".into() };
        // The process records the room, is handed the follow-ups, and dies before running them.
        let outcomes = vec![Outcome::RoomCreated(room)];
        let recorded = engine.service().record(incident.id(), outcomes, claimed[0].claim(), lease).await.unwrap();
        assert_eq!(recorded.follow_ups.len(), 4, "invite, card, broadcast, page");

        assert_eq!(engine.worker().run_once().await.unwrap(), 0, "still leased to the dead worker");
        clock.advance(lease);
        engine.worker().run_until_idle().await.unwrap();
        let calls = test.chat.calls();
        let count = |f: fn(&ChatCall) -> bool| calls.iter().filter(|c| f(c)).count();
        assert_eq!(count(|c| matches!(c, ChatCall::CreateRoom(_))), 0);
        assert_eq!(count(|c| matches!(c, ChatCall::Post(..))), 2, "card and broadcast, once each");
        assert_eq!(count(|c| matches!(c, ChatCall::Pin(_))), 1, "the pin after the card");
        assert_eq!(test.pager.alerts().len(), 1);
    }

    #[tokio::test]
    async fn a_spawned_worker_shares_the_store_but_not_the_counts() {
        let test = TestEngine::new();
        test.pager.fail_next("trigger", crate::PortError::Invalid("no such service".into()));
        test.engine.service().declare(declaration()).await.unwrap();
        let other = test.engine.spawn_worker();
        assert!(other.run_until_idle().await.unwrap() > 0, "the replica runs what the engine enqueued");
        assert_eq!(test.engine.worker().run_until_idle().await.unwrap(), 0, "nothing is left to run twice");
        assert_eq!(other.failures().get(&crate::domain::EffectKind::Page), Some(&1));
        assert!(test.engine.worker().failures().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn run_is_woken_by_the_use_cases_and_stops_on_shutdown() {
        let test = TestEngine::with(|builder| builder.clock(Arc::new(crate::ports::SystemClock)));
        let (service, worker) = (test.engine.service().clone(), test.engine.worker().clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(test.engine.run(async move { drop(stopped.await) }));
        tokio::task::yield_now().await;
        assert!(worker.is_running());
        let declared = service.declare(declaration()).await.unwrap();
        for _ in 0..100 {
            if service.get(IncidentRef::Id(declared.incident.id())).await.unwrap().room().is_some() {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(service.get(IncidentRef::Id(declared.incident.id())).await.unwrap().room().is_some());
        drop(stop);
        running.await.unwrap();
        assert!(!worker.is_running());
    }

    #[tokio::test]
    async fn the_inbound_handler_acts_on_a_delivery_once() {
        let test = TestEngine::new();
        let inbound = test.engine.inbound();
        let mention = || Inbound::Mention {
            room: RoomId::new("C1"),
            user: crate::UserRef::parse("U1").unwrap(),
            text: "help".into(),
        };
        let key = DeliveryKey::new("test:event:1");
        assert_eq!(inbound.handle(mention(), Some(key.clone())).await, Reply::Ack);
        assert_eq!(inbound.handle(mention(), Some(key)).await, Reply::Ack);
        inbound.handle(mention(), None).await;
        let answered = test.chat.calls().iter().filter(|c| matches!(c, ChatCall::Ephemeral(..))).count();
        assert_eq!(answered, 2, "the repeated delivery was not answered again");
        assert!(!test.store.remember("test:event:1", test.clock.now()).await.unwrap(), "the key is kept");
    }
}
