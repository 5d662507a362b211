//! A world of fakes around one engine.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::chat::InboundHandler;
use sima_core::domain::{Actor, Declaration, Description, Domain, Incident, Severity, Summary, UserRef};
use sima_core::ports::{Clock, Incidents};
use sima_core::testkit::{FakeChat, FakeDocs, FakePager, InMemoryStore, ManualClock, TestEngine};
use sima_core::{
    DomainChoice, EffectWorker, Engine, EngineBuilder, IncidentService, RunbookConfig, Schedule, WorkerConfig,
};

/// A clock on tokio's (pausable) timer, so latencies add up in virtual time.
pub(crate) struct TokioClock {
    start: DateTime<Utc>,
    origin: tokio::time::Instant,
}

impl TokioClock {
    pub(crate) fn new() -> Self {
        Self { start: "2026-11-25T10:00:00Z".parse().unwrap(), origin: tokio::time::Instant::now() }
    }
}

#[async_trait]
impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        self.start + chrono::Duration::from_std(self.origin.elapsed()).unwrap()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// One engine on fakes, with handles to its parts.
pub(crate) struct World {
    pub engine: Engine,
    pub store: Arc<InMemoryStore>,
    pub chat: Arc<FakeChat>,
    pub pager: Arc<FakePager>,
    pub docs: Arc<FakeDocs>,
    /// The engine's use cases.
    pub service: IncidentService,
    /// The engine's worker.
    pub worker: EffectWorker,
    /// The engine's handler of inbound chat events.
    pub inbound: Arc<dyn InboundHandler>,
    pub clock: Arc<dyn Clock>,
}

pub(crate) fn config() -> RunbookConfig {
    RunbookConfig {
        broadcast_room: sima_core::domain::RoomId::new("CBROADCAST"),
        public_url: "https://sima.example".into(),
        schedule: Schedule::off(),
        ..RunbookConfig::default()
    }
}

/// The domains the forms offer.
pub(crate) fn domains() -> Vec<DomainChoice> {
    vec![DomainChoice { domain: Domain::parse("outbound-email").unwrap(), description: "Emails".into() }]
}

impl World {
    /// Platforms answer at once; time is a manual clock.
    pub(crate) fn manual() -> (Self, Arc<ManualClock>) {
        Self::manual_with(|builder| builder)
    }

    /// As [`World::manual`], with reminders and archiving on this schedule.
    pub(crate) fn scheduled(schedule: Schedule) -> (Self, Arc<ManualClock>) {
        Self::manual_with(|builder| builder.runbook(RunbookConfig { schedule, ..config() }))
    }

    /// As [`World::manual`], with the engine's builder adjusted by `configure`.
    pub(crate) fn manual_with(configure: impl FnOnce(EngineBuilder) -> EngineBuilder) -> (Self, Arc<ManualClock>) {
        let test = TestEngine::with(|builder| configure(builder.runbook(config()).domains(domains())));
        let clock = test.clock.clone();
        let world = Self::of(test.engine, test.store, test.chat, test.pager, test.docs, clock.clone());
        (world, clock)
    }

    /// Every platform call takes `latency` of tokio (virtual) time; the
    /// workers pace themselves by `worker`.
    pub(crate) fn with_latency(latency: Duration, worker: WorkerConfig) -> Self {
        let clock: Arc<dyn Clock> = Arc::new(TokioClock::new());
        let chat = Arc::new(FakeChat::with_latency(clock.clone(), latency));
        let pager = Arc::new(FakePager::with_latency(clock.clone(), latency));
        let test = TestEngine::with(|builder| {
            builder.runbook(config()).clock(clock.clone()).chat(chat.clone()).paging(pager.clone()).worker(worker)
        });
        Self::of(test.engine, test.store, chat, pager, test.docs, clock)
    }

    fn of(
        engine: Engine,
        store: Arc<InMemoryStore>,
        chat: Arc<FakeChat>,
        pager: Arc<FakePager>,
        docs: Arc<FakeDocs>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let (service, worker, inbound) = (engine.service().clone(), engine.worker().clone(), engine.inbound());
        Self { engine, store, chat, pager, docs, service, worker, inbound, clock }
    }

    /// A second replica's worker over the same store and platforms.
    pub(crate) fn replica(&self) -> EffectWorker {
        self.engine.spawn_worker()
    }

    /// What a restarted process looks like: a fresh engine over the same
    /// store, platforms and clock, with these runbook settings.
    pub(crate) fn restarted(&self, runbook: RunbookConfig) -> Engine {
        Engine::builder()
            .store(self.store.clone())
            .clock(self.clock.clone())
            .chat(self.chat.clone())
            .paging(self.pager.clone())
            .docs(self.docs.clone())
            .runbook(runbook)
            .build()
            .unwrap()
    }

    pub(crate) async fn declare(&self, severity: Severity) -> Incident {
        self.service.declare(declaration(severity)).await.unwrap().incident
    }

    /// Effects not done yet, due now or later.
    pub(crate) async fn unfinished_effects(&self) -> u64 {
        let stats = self.service.outbox_stats().await.unwrap();
        stats.pending + stats.scheduled
    }

    pub(crate) async fn reload(&self, incident: &Incident) -> Incident {
        self.store.get(incident.id()).await.unwrap().unwrap()
    }
}

pub(crate) fn alice() -> UserRef {
    UserRef::parse("UALICE").unwrap()
}

pub(crate) fn declaration(severity: Severity) -> Declaration {
    Declaration {
        domain: Domain::parse("outbound-email").unwrap(),
        summary: Summary::parse("Emails are late!").unwrap(),
        description: Description::parse("The send queue is stuck.").unwrap(),
        severity,
        impact: None,
        started_at: None,
        dedup_key: None,
        reporter: Actor::User(alice()),
        private: false,
        incident_type: None,
        fields: Default::default(),
    }
}

/// The ids of the buttons in `message`, in order.
pub(crate) fn buttons(message: &sima_core::model::Message) -> Vec<sima_core::model::ActionId> {
    message
        .blocks
        .iter()
        .flat_map(|b| match b {
            sima_core::model::Block::Actions { actions } => actions.iter().map(|a| a.id).collect(),
            _ => vec![],
        })
        .collect()
}
