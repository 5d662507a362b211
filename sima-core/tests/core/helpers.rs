//! A world of fakes around one service and one worker.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::domain::{Actor, Declaration, Description, Domain, Incident, Severity, Summary, UserRef};
use sima_core::ports::{Clock, IncidentStore, Incidents};
use sima_core::testkit::{FakeChat, FakeDocs, FakePager, InMemoryStore, ManualClock};
use sima_core::IncidentService;
use sima_core::{EffectWorker, Ports, RunbookConfig, Schedule, WorkerConfig};

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

pub(crate) struct World {
    pub store: Arc<InMemoryStore>,
    pub chat: Arc<FakeChat>,
    pub pager: Arc<FakePager>,
    pub docs: Arc<FakeDocs>,
    pub service: IncidentService,
    pub worker: EffectWorker,
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

impl World {
    /// Platforms answer at once; time is a manual clock.
    pub(crate) fn manual() -> (Self, Arc<ManualClock>) {
        Self::scheduled(Schedule::off())
    }

    /// As [`World::manual`], with reminders and archiving on this schedule.
    pub(crate) fn scheduled(schedule: Schedule) -> (Self, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::at_str("2026-11-25T10:00:00Z"));
        let config = RunbookConfig { schedule, ..config() };
        let world = Self::build(clock.clone(), FakeChat::new(), FakePager::new(), config);
        (world, clock)
    }

    /// Every platform call takes `latency` of tokio (virtual) time.
    pub(crate) fn with_latency(latency: Duration) -> Self {
        let clock: Arc<dyn Clock> = Arc::new(TokioClock::new());
        Self::build(
            clock.clone(),
            FakeChat::with_latency(clock.clone(), latency),
            FakePager::with_latency(clock, latency),
            config(),
        )
    }

    fn build(clock: Arc<dyn Clock>, chat: FakeChat, pager: FakePager, config: RunbookConfig) -> Self {
        let store = Arc::new(InMemoryStore::new());
        let (chat, pager, docs) = (Arc::new(chat), Arc::new(pager), Arc::new(FakeDocs::new()));
        let service = IncidentService::new(store.clone() as Arc<dyn IncidentStore>, clock.clone(), config);
        let ports = Ports { chat: chat.clone(), pager: pager.clone(), docs: docs.clone() };
        let worker = EffectWorker::new(service.clone(), ports, WorkerConfig::default());
        Self { store, chat, pager, docs, service, worker, clock }
    }

    /// A second replica: its own service and worker over the same store,
    /// platforms and clock (also what a restarted process looks like).
    pub(crate) fn replica(&self) -> EffectWorker {
        let service = IncidentService::new(self.store.clone(), self.clock.clone(), self.service.config().clone());
        let ports = Ports { chat: self.chat.clone(), pager: self.pager.clone(), docs: self.docs.clone() };
        EffectWorker::new(service, ports, WorkerConfig::default())
    }

    /// Another worker on the same store and platforms, with its own settings.
    pub(crate) fn worker_with(&self, config: WorkerConfig) -> EffectWorker {
        let ports = Ports { chat: self.chat.clone(), pager: self.pager.clone(), docs: self.docs.clone() };
        EffectWorker::new(self.service.clone(), ports, config)
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
