//! [`Engine`]: the use cases and the effect worker, wired in one call.

use std::future::Future;
use std::sync::Arc;

use thiserror::Error;

use crate::adapters::{LogChat, LogPager, MarkdownDocs};
use crate::ports::{ChatPort, Clock, DocsPort, IncidentStore, PagingPort, Policy};
use crate::runbook::{wake_channel, EffectWorker, Ports, RunbookConfig, WakeReceiver, WorkerConfig};
use crate::service::IncidentService;

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

/// A wired SIMA: the use cases ([`IncidentService`]) and the worker that runs
/// the effects they enqueue, woken whenever the service enqueues some.
///
/// ```ignore
/// let engine = Engine::builder().store(store).clock(clock).chat(slack).build()?;
/// let declared = engine.service().declare(declaration).await?;
/// engine.run(shutdown_signal).await; // or engine.worker().run_until_idle() in tests
/// ```
#[derive(Debug)]
pub struct Engine {
    service: IncidentService,
    worker: EffectWorker,
    wake: WakeReceiver,
}

impl Engine {
    /// A builder; only the store and the clock are required.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The use cases.
    pub fn service(&self) -> &IncidentService {
        &self.service
    }

    /// The effect worker (for `run_until_idle` in tests, readiness and failure counts).
    pub fn worker(&self) -> &EffectWorker {
        &self.worker
    }

    /// Runs the effect worker until `shutdown` completes (see [`EffectWorker::run`]).
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        self.worker.run(self.wake, shutdown).await;
    }

    /// The parts, for a caller that runs the worker on a task of its own.
    pub fn into_parts(self) -> (IncidentService, EffectWorker, WakeReceiver) {
        (self.service, self.worker, self.wake)
    }
}

/// Builds an [`Engine`]. Chat and paging default to log-only adapters and
/// post-mortems to Markdown files under `postmortems/`.
#[derive(Default)]
pub struct EngineBuilder {
    store: Option<Arc<dyn IncidentStore>>,
    clock: Option<Arc<dyn Clock>>,
    chat: Option<Arc<dyn ChatPort>>,
    paging: Option<Arc<dyn PagingPort>>,
    docs: Option<Arc<dyn DocsPort>>,
    runbook: RunbookConfig,
    worker: WorkerConfig,
    policies: Vec<Arc<dyn Policy>>,
}

impl std::fmt::Debug for EngineBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("runbook", &self.runbook)
            .field("worker", &self.worker)
            .field("policies", &self.policies.len())
            .finish()
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

    /// How the effect worker paces itself.
    pub fn worker(mut self, worker: WorkerConfig) -> Self {
        self.worker = worker;
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
        let (wake_tx, wake) = wake_channel();
        let service = self
            .policies
            .into_iter()
            .fold(IncidentService::new(store, clock, self.runbook), IncidentService::with_policy)
            .with_wake(wake_tx);
        let ports = Ports {
            chat: self.chat.unwrap_or_else(|| Arc::new(LogChat::new())),
            pager: self.paging.unwrap_or_else(|| Arc::new(LogPager)),
            docs: self.docs.unwrap_or_else(|| Arc::new(MarkdownDocs::new("postmortems"))),
        };
        let worker = EffectWorker::new(service.clone(), ports, self.worker);
        Ok(Engine { service, worker, wake })
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
    use crate::domain::{Actor, Declaration, Description, Domain, Severity, Summary};
    use crate::testkit::{FakeChat, InMemoryStore, ManualClock};

    #[tokio::test]
    async fn a_built_engine_declares_and_its_worker_opens_the_room() {
        let chat = Arc::new(FakeChat::new());
        let engine = Engine::builder()
            .store(Arc::new(InMemoryStore::new()))
            .clock(Arc::new(ManualClock::at_str("2026-11-25T10:00:00Z")))
            .chat(chat.clone())
            .build()
            .unwrap();
        let declaration = Declaration {
            domain: Domain::parse("payments").unwrap(),
            summary: Summary::parse("Checkout fails").unwrap(),
            description: Description::parse("").unwrap(),
            severity: Severity::Sev2,
            impact: None,
            started_at: None,
            dedup_key: None,
            reporter: Actor::Api,
        };
        let declared = engine.service().declare(declaration).await.unwrap();
        assert!(engine.worker().run_until_idle().await.unwrap() > 0);
        let incident = engine.service().get(crate::domain::IncidentRef::Id(declared.incident.id())).await.unwrap();
        assert_eq!(incident.room().map(|r| r.name.as_str()), Some("incident_11_25_checkout-fails"));
        assert_eq!(chat.rooms().len(), 1);
    }

    #[test]
    fn a_missing_store_is_named() {
        let error = Engine::builder().build().unwrap_err();
        assert_eq!(error, EngineError::MissingStore);
        assert!(error.to_string().contains(".store("));
    }
}
