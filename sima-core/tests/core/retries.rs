//! Retries, give-ups and crashes between running and recording.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::domain::*;
use sima_core::ports::*;
use sima_core::testkit::{InMemoryStore, TestEngine};
use sima_core::WorkerConfig;

use crate::helpers::{config, declaration, World};

#[tokio::test]
async fn rate_limited_effects_wait_for_retry_after() {
    let (world, clock) = World::manual();
    world.chat.fail_next("create_room", PortError::RateLimited { retry_after: Some(Duration::from_secs(30)) });
    let incident = world.declare(Severity::Sev2).await;
    assert_eq!(world.worker.run_until_idle().await.unwrap(), 1);
    assert!(world.reload(&incident).await.room().is_none());

    clock.advance(Duration::from_secs(29));
    assert_eq!(world.worker.run_until_idle().await.unwrap(), 0, "not before retry_after");
    clock.advance(Duration::from_secs(1));
    assert_eq!(world.worker.run_until_idle().await.unwrap(), 6);
    assert!(world.reload(&incident).await.room().is_some());
    assert_eq!(world.chat.rooms().len(), 1);
}

#[tokio::test]
async fn transient_failures_back_off_exponentially() {
    let (world, clock) = World::manual();
    for _ in 0..2 {
        world.pager.fail_next("trigger", PortError::Transient("503".into()));
    }
    let incident = world.declare(Severity::Sev1).await;
    world.worker.run_until_idle().await.unwrap();
    clock.advance(Duration::from_secs(1));
    world.worker.run_until_idle().await.unwrap();
    assert!(world.reload(&incident).await.open_pages().is_empty(), "second attempt failed too");
    clock.advance(Duration::from_millis(999));
    assert_eq!(world.worker.run_until_idle().await.unwrap(), 0, "the second retry waits 1 to 2 s (jitter)");
    clock.advance(Duration::from_millis(1001));
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(world.reload(&incident).await.open_pages().len(), 1);
}

#[tokio::test]
async fn refused_effects_are_given_up_and_recorded() {
    let (world, _clock) = World::manual();
    world.pager.fail_next("trigger", PortError::Invalid("routing key unknown".into()));
    let incident = world.declare(Severity::Sev1).await;
    world.worker.run_until_idle().await.unwrap();
    let events = world.store.events(incident.id()).await.unwrap();
    let failed = events.iter().find_map(|e| match &e.kind {
        EventKind::EffectFailed { effect, error } => Some((*effect, error.clone())),
        _ => None,
    });
    assert_eq!(failed, Some((EffectKind::Page, "invalid request: routing key unknown".into())));
    let stats = world.service.outbox_stats().await.unwrap();
    assert_eq!((stats.failed, stats.pending), (1, 0));
}

/// A store that loses the next N appends, as if the process died after the
/// platform call and before the outcome was written.
struct Crashing {
    inner: InMemoryStore,
    lose: AtomicUsize,
}

#[async_trait]
impl Incidents for Crashing {
    async fn create(&self, new: NewIncident) -> Result<Created, PortError> {
        self.inner.create(new).await
    }
    async fn append(&self, batch: AppendBatch) -> Result<Incident, PortError> {
        if self.lose.load(Ordering::SeqCst) > 0 {
            self.lose.fetch_sub(1, Ordering::SeqCst);
            return Err(PortError::Transient("process died".into()));
        }
        self.inner.append(batch).await
    }
    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, PortError> {
        self.inner.get(id).await
    }
    async fn get_by_number(&self, n: IncidentNumber) -> Result<Option<Incident>, PortError> {
        self.inner.get_by_number(n).await
    }
    async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, PortError> {
        self.inner.find_by_room(room).await
    }
    async fn find_open_by_dedup_key(&self, key: &DedupKey) -> Result<Option<Incident>, PortError> {
        self.inner.find_open_by_dedup_key(key).await
    }
    async fn list(&self, f: &IncidentFilter) -> Result<Vec<Incident>, PortError> {
        self.inner.list(f).await
    }
    async fn events(&self, id: IncidentId) -> Result<Vec<IncidentEvent>, PortError> {
        self.inner.events(id).await
    }
    async fn milestones(&self, f: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
        self.inner.milestones(f).await
    }
    async fn ping(&self) -> Result<(), PortError> {
        self.inner.ping().await
    }
}

#[async_trait]
impl IdempotencyKeys for Crashing {
    async fn remember(&self, key: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
        self.inner.remember(key, now).await
    }
    async fn forget_keys_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
        self.inner.forget_keys_before(cutoff).await
    }
}

#[async_trait]
impl Outbox for Crashing {
    async fn claim_due(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<ClaimedEffect>, PortError> {
        self.inner.claim_due(limit, now, lease).await
    }
    async fn renew(&self, claims: &[Claim], until: DateTime<Utc>) -> Result<Vec<EffectId>, PortError> {
        self.inner.renew(claims, until).await
    }
    async fn complete(&self, claim: Claim, now: DateTime<Utc>) -> Result<(), PortError> {
        self.inner.complete(claim, now).await
    }
    async fn retry_at(&self, claim: Claim, at: DateTime<Utc>, e: &str) -> Result<(), PortError> {
        self.inner.retry_at(claim, at, e).await
    }
    async fn give_up(&self, claim: Claim, now: DateTime<Utc>, e: &str) -> Result<(), PortError> {
        self.inner.give_up(claim, now, e).await
    }
    async fn release(&self, claim: Claim) -> Result<(), PortError> {
        self.inner.release(claim).await
    }
    async fn retry_failed(&self, incident: IncidentId, now: DateTime<Utc>) -> Result<u64, PortError> {
        self.inner.retry_failed(incident, now).await
    }
    async fn outbox_stats(&self, now: DateTime<Utc>) -> Result<OutboxStats, PortError> {
        self.inner.outbox_stats(now).await
    }
}

#[tokio::test]
async fn an_unrecorded_outcome_is_not_duplicated_on_the_platforms() {
    let store = Arc::new(Crashing { inner: InMemoryStore::new(), lose: AtomicUsize::new(0) });
    let test = TestEngine::with(|builder| builder.store(store.clone()).runbook(config()));
    let (clock, chat, pager) = (&test.clock, &test.chat, &test.pager);
    let (service, worker) = (test.engine.service(), test.engine.worker());
    let incident = service.declare(declaration(Severity::Sev1)).await.unwrap().incident;

    // The room is created but its outcome is lost.
    store.lose.store(1, Ordering::SeqCst);
    assert_eq!(worker.run_until_idle().await.unwrap(), 1);
    assert!(store.get(incident.id()).await.unwrap().unwrap().room().is_none());
    // The lease expires; the effect runs again and finds the same room.
    clock.advance(WorkerConfig::default().lease);
    worker.run_until_idle().await.unwrap();
    assert_eq!(chat.rooms().len(), 1, "one room on the platform");
    // The page outcome is lost too: same story.
    let incident = store.get(incident.id()).await.unwrap().unwrap();
    assert_eq!(incident.open_pages().len(), 1);
    let alerts = pager.alerts();
    assert_eq!(alerts.len(), 1, "one alert on the platform");

    let reopened = service
        .execute(incident.id(), Actor::Api, Command::Escalate { domain: Some(Domain::parse("api").unwrap()) })
        .await
        .unwrap();
    store.lose.store(1, Ordering::SeqCst);
    worker.run_until_idle().await.unwrap();
    clock.advance(WorkerConfig::default().lease);
    worker.run_until_idle().await.unwrap();
    let alerts = pager.alerts();
    let escalation = &alerts[&format!("{}:api", reopened.id())];
    assert_eq!(escalation.triggers, 2, "the page was sent again…");
    assert_eq!(alerts.len(), 2, "…under the same dedup key, so one alert");
}
