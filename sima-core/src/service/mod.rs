//! Use cases: `IncidentService` loads, decides, and appends events with the
//! effects they imply in one store transaction.

mod commit;
mod conversation;
mod error;
mod fields;
mod inbound;
mod locks;
mod publish;
mod queries;
mod read_back;
mod retry;
mod tickets;
mod upkeep;

use std::sync::Arc;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use tracing::instrument;

pub(crate) use conversation::Conversation;
pub use error::ServiceError;
pub use publish::PublishRequest;
pub use tickets::ReconcileReport;
pub use upkeep::AlertCleared;

use crate::domain::{Declaration, Incident, IncidentEvent, IncidentId};
use crate::ports::Policy;
use crate::ports::TrackerPort;
use crate::ports::{Clock, Created, IncidentStore, NewEffect, NewIncident};
use crate::runbook::{later, plan, plan_status_push, plan_tickets, Policies, RunbookConfig, TrackerExport, WakeSender};

/// The result of a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The incident.
    pub incident: Incident,
    /// `false` when an open incident with the same dedup key was returned instead.
    pub created: bool,
}

/// The incident use cases, over a store and a clock; cheap to clone. Get
/// it from [`Engine::service`](crate::Engine::service).
#[derive(Clone)]
pub struct IncidentService {
    store: Arc<dyn IncidentStore>,
    clock: Arc<dyn Clock>,
    config: Arc<RunbookConfig>,
    policies: Arc<Policies>,
    wake: Option<WakeSender>,
    locks: Arc<locks::IncidentLocks>,
    tracker: Option<(Arc<dyn TrackerPort>, TrackerExport)>,
    reconciled_up_to: Arc<read_back::ReadBackCursor>,
}

impl std::fmt::Debug for IncidentService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncidentService")
            .field("config", &self.config)
            .field("policies", &self.policies)
            .finish_non_exhaustive()
    }
}

impl IncidentService {
    /// A service over `store`, with time from `clock`.
    pub(crate) fn new(store: Arc<dyn IncidentStore>, clock: Arc<dyn Clock>, config: RunbookConfig) -> Self {
        Self {
            store,
            clock,
            config: Arc::new(config),
            policies: Default::default(),
            wake: None,
            locks: Default::default(),
            tracker: None,
            reconciled_up_to: Default::default(),
        }
    }

    /// Adds a company policy after those already registered: its guards run
    /// after theirs (the first refusal wins) and its steps follow theirs.
    pub(crate) fn with_policy(mut self, policy: Arc<dyn Policy>) -> Self {
        Arc::make_mut(&mut self.policies).push(policy);
        self
    }

    /// Wakes the engine's workers whenever effects are enqueued.
    pub(crate) fn with_wake(mut self, wake: WakeSender) -> Self {
        self.wake = Some(wake);
        self
    }

    /// Exports action items to `tracker` as `export` says, and takes its changes.
    pub(crate) fn with_tracker(mut self, tracker: Arc<dyn TrackerPort>, export: TrackerExport) -> Self {
        self.tracker = Some((tracker, export));
        self
    }

    /// The store, for the conversation.
    pub(crate) fn store(&self) -> &Arc<dyn IncidentStore> {
        &self.store
    }

    /// The runbook settings.
    pub fn config(&self) -> &RunbookConfig {
        &self.config
    }

    /// Now, at the millisecond precision events are stored with.
    pub fn now(&self) -> DateTime<Utc> {
        let now = self.clock.now();
        now.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(now)
    }

    fn effects(&self, incident: &Incident, events: &[IncidentEvent], now: DateTime<Utc>) -> Vec<NewEffect> {
        let mut planned = plan(&self.config, incident, events);
        planned.extend(self.policies.plan(&self.config.services, incident, events));
        let pushes = plan_status_push(&self.config, incident, events);
        let tickets = plan_tickets(self.tracker.as_ref().map(|(_, export)| *export), incident, events);
        planned
            .into_iter()
            .map(|planned| NewEffect::due(incident.id(), planned.effect, later(now, planned.delay)))
            .chain(tickets.into_iter().map(|effect| NewEffect::due(incident.id(), effect, now)))
            .chain(pushes.into_iter().map(|effect| NewEffect::due(incident.id(), effect, now)))
            .collect()
    }

    fn wake(&self) {
        if let Some(wake) = &self.wake {
            wake.wake();
        }
    }

    /// Declares an incident, or returns the open one with the same dedup key.
    ///
    /// # Errors
    /// `Refused` if impact started in the future; `Store` if the store fails.
    #[instrument(skip_all, fields(domain = %declaration.domain, dedup_key = ?declaration.dedup_key), err)]
    pub async fn declare(&self, declaration: Declaration) -> Result<Declared, ServiceError> {
        if let Some(key) = &declaration.dedup_key {
            if let Some(incident) = self.store.find_open_by_dedup_key(key).await? {
                return Ok(Declared { incident, created: false });
            }
        }
        let now = self.now();
        let event =
            IncidentEvent { seq: 1, at: now, actor: declaration.reporter.clone(), kind: declaration.decide(now)? };
        let id = IncidentId::new();
        let incident = Incident::from_declared(id, crate::domain::IncidentNumber::UNALLOCATED, &event)
            .ok_or_else(|| ServiceError::NotFound("declared event".into()))?;
        let events = vec![event];
        let effects = self.effects(&incident, &events, now);
        let created = self.store.create(NewIncident { incident, events, effects }).await?;
        Ok(match created {
            Created::New(incident) => {
                self.wake();
                tracing::info!(incident = %incident.number(), "incident declared");
                Declared { incident, created: true }
            }
            Created::Existing(incident) => Declared { incident, created: false },
        })
    }
}
