//! The effect worker: claims due effects from the outbox, runs independent
//! ones concurrently, renews the leases of what it runs, retries what may
//! pass, and records every outcome. No provider answer and no panic inside
//! an effect stops it.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;
use tracing::field::{display, Empty};
use tracing::{debug, error, info, info_span, warn, Instrument, Span};

use super::limit::AdaptiveLimit;
use super::ports::Ports;
use super::recorder::{Recorded, Recorder};
use super::schedule::later;
use super::wake::{WakeReceiver, WakeSender};
use super::{execute::perform, failure::Failure};
use super::{RunbookConfig, WorkerConfig};
use crate::domain::{EffectKind, Incident};
use crate::ports::{Claim, ClaimedEffect, Clock, IncidentStore, PortError};

/// A claimed effect to run. A follow-up carries the incident as the outcome
/// that planned it left it, so it runs without reloading it.
struct Job {
    claimed: ClaimedEffect,
    incident: Option<Incident>,
}

impl Job {
    fn claimed(claimed: ClaimedEffect) -> Self {
        Self { claimed, incident: None }
    }
}

/// How far above `WorkerConfig::concurrency` the adaptive limit may rise.
const CEILING_FACTOR: usize = 8;

/// What the clones of one worker share.
#[derive(Debug)]
struct Shared {
    running: AtomicBool,
    held: Mutex<HashSet<Claim>>,
    failures: Mutex<BTreeMap<EffectKind, u64>>,
    /// How many effects run at once: from `concurrency` up to
    /// [`CEILING_FACTOR`] times it while effects do not queue.
    limit: AdaptiveLimit,
}

impl Shared {
    fn new(config: &WorkerConfig) -> Self {
        let floor = config.concurrency.max(1);
        Self {
            running: AtomicBool::new(false),
            held: Mutex::default(),
            failures: Mutex::default(),
            limit: AdaptiveLimit::new(floor, floor, floor.saturating_mul(CEILING_FACTOR)),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data stays consistent even if a holder panicked: every update is one insert or remove.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Marks the worker running while alive, even if the task unwinds.
struct Running<'a>(&'a AtomicBool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// What the workers of one engine share: the store they claim from, the
/// time, the runbook settings and platforms effects need, where outcomes
/// are recorded, and the signal that new effects are due.
#[derive(Clone)]
pub(crate) struct WorkerParts {
    /// Where effects are claimed and incidents loaded.
    pub(crate) store: Arc<dyn IncidentStore>,
    /// Where time comes from.
    pub(crate) clock: Arc<dyn Clock>,
    /// The company's runbook settings.
    pub(crate) runbook: Arc<RunbookConfig>,
    /// The platforms effects act on.
    pub(crate) ports: Ports,
    /// Where outcomes are written.
    pub(crate) recorder: Arc<dyn Recorder>,
    /// Raised whenever effects are enqueued.
    pub(crate) wake: WakeSender,
}

/// Runs the outbox. Several workers (on several replicas) may share one
/// store: claims are leased and owned, so no effect runs twice at once.
/// Get one from [`Engine::worker`](crate::Engine::worker) or
/// [`Engine::spawn_worker`](crate::Engine::spawn_worker).
#[derive(Clone)]
pub struct EffectWorker {
    parts: WorkerParts,
    config: WorkerConfig,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EffectWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EffectWorker").field("config", &self.config).finish_non_exhaustive()
    }
}

impl EffectWorker {
    /// A worker over `parts`, pacing itself by `config`.
    pub(crate) fn new(parts: WorkerParts, config: WorkerConfig) -> Self {
        let shared = Arc::new(Shared::new(&config));
        Self { parts, config, shared }
    }

    /// Whether [`EffectWorker::run`] is running (for readiness checks).
    pub fn is_running(&self) -> bool {
        self.shared.running.load(Ordering::Acquire)
    }

    /// How many effects this worker gave up, by kind, since it was built.
    pub fn failures(&self) -> BTreeMap<EffectKind, u64> {
        lock(&self.shared.failures).clone()
    }

    /// How many effects this worker is running now.
    pub fn in_flight(&self) -> usize {
        lock(&self.shared.held).len()
    }

    /// How many effects this worker may run at once now: at least
    /// `WorkerConfig::concurrency`, more while slow providers leave the
    /// store idle (see the `limit` module).
    pub fn concurrency_limit(&self) -> usize {
        self.shared.limit.current()
    }

    async fn claim(&self, limit: usize) -> Result<Vec<ClaimedEffect>, PortError> {
        let now = self.parts.clock.now();
        self.parts.store.claim_due(limit, now, self.config.lease).await
    }

    /// Claims the effects due now and runs them all concurrently, with the
    /// follow-ups their outcomes hand back; returns how many it ran. Leases
    /// are not renewed: use it where effects are quick.
    ///
    /// # Errors
    /// `Transient` if the store cannot be reached for claiming.
    pub async fn run_once(&self) -> Result<usize, PortError> {
        let claimed = self.claim(self.config.concurrency).await?;
        let mut count = claimed.len();
        let mut in_flight: FuturesUnordered<_> = claimed.into_iter().map(|c| self.handle(Job::claimed(c))).collect();
        while let Some(follow_ups) = in_flight.next().await {
            count += follow_ups.len();
            in_flight.extend(follow_ups.into_iter().map(|job| self.handle(job)));
        }
        Ok(count)
    }

    /// Runs effects until none is due (follow-up effects included); returns
    /// how many ran.
    ///
    /// # Errors
    /// `Transient` if the store cannot be reached for claiming.
    pub async fn run_until_idle(&self) -> Result<usize, PortError> {
        let mut total = 0;
        loop {
            match self.run_once().await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    /// Runs until `shutdown` completes: claims when the engine's use cases
    /// enqueue effects, every `idle_poll`, and as slots free up while claims
    /// come back full; runs at once the follow-ups an outcome hands back
    /// (already leased to it, so they may briefly exceed the limit), and
    /// renews the leases of the effects it runs every `heartbeat`. On
    /// shutdown it stops claiming, waits up to `shutdown_grace` for the
    /// effects in flight, then releases the rest so another worker takes
    /// them at once.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        self.shared.running.store(true, Ordering::Release);
        let _running = Running(&self.shared.running);
        let work = std::pin::pin!(self.serve(self.parts.wake.subscribe(), shutdown));
        let heartbeat = std::pin::pin!(self.heartbeat());
        futures::future::select(work, heartbeat).await;
        let unfinished: Vec<Claim> = lock(&self.shared.held).drain().collect();
        for claim in unfinished {
            match self.parts.store.release(claim).await {
                Ok(()) => debug!(effect = %claim.effect, "released an unfinished effect"),
                Err(error) => {
                    warn!(%error, effect = %claim.effect, "could not release an effect; its lease will expire")
                }
            }
        }
    }

    async fn serve(&self, mut wake: WakeReceiver, shutdown: impl Future<Output = ()>) {
        let clock = &self.parts.clock;
        let mut shutdown = std::pin::pin!(shutdown.fuse());
        let mut in_flight = FuturesUnordered::new();
        let mut handed: Vec<Job> = Vec::new();
        // Whether effects may be due that no claim has seen: after a wake-up,
        // once per `idle_poll`, or while claims fill every free slot. A
        // finished effect alone does not make anything due, so it costs no claim.
        let mut maybe_due = true;
        let mut claimed_at = clock.now();
        loop {
            in_flight.extend(handed.drain(..).map(|job| self.handle(job)));
            let free = self.shared.limit.current().saturating_sub(in_flight.len());
            if free > 0 && maybe_due {
                claimed_at = clock.now();
                // Keep driving the effects in flight while claiming: one of them may
                // hold what the claim waits for (a store's write lock, a pooled
                // connection), and it only makes progress when polled.
                let claim = self.claim(free).fuse();
                let mut claim = std::pin::pin!(claim);
                let claimed = loop {
                    futures::select! {
                        claimed = claim => break claimed,
                        follow_ups = in_flight.select_next_some() => handed.extend(follow_ups),
                    }
                };
                match claimed {
                    Ok(claimed) => {
                        maybe_due = claimed.len() == free;
                        in_flight.extend(claimed.into_iter().map(|c| self.handle(Job::claimed(c))));
                    }
                    Err(error) => {
                        maybe_due = false;
                        warn!(%error, "could not claim effects");
                    }
                }
            }
            if !handed.is_empty() {
                continue;
            }
            let since = clock.now().signed_duration_since(claimed_at).to_std().unwrap_or_default();
            let idle = clock.sleep(self.config.idle_poll.saturating_sub(since)).fuse();
            let woken = wake.notified().fuse();
            let mut idle = std::pin::pin!(idle);
            let mut woken = std::pin::pin!(woken);
            if in_flight.is_empty() {
                futures::select! {
                    () = woken => maybe_due = true,
                    () = idle => maybe_due = true,
                    () = shutdown => break,
                }
            } else {
                futures::select! {
                    follow_ups = in_flight.next() => handed.extend(follow_ups.into_iter().flatten()),
                    () = woken => maybe_due = true,
                    () = idle => maybe_due = true,
                    () = shutdown => break,
                }
            }
        }
        // Follow-ups handed back now stay leased to this worker; the release below frees them.
        let drain = async {
            while let Some(follow_ups) = in_flight.next().await {
                lock(&self.shared.held).extend(follow_ups.iter().map(|job| job.claimed.claim()));
            }
        };
        lock(&self.shared.held).extend(handed.iter().map(|job| job.claimed.claim()));
        let grace = clock.sleep(self.config.shutdown_grace);
        futures::future::select(std::pin::pin!(drain), std::pin::pin!(grace)).await;
    }

    /// Renews the leases of the effects in flight, forever.
    async fn heartbeat(&self) {
        loop {
            self.parts.clock.sleep(self.config.heartbeat).await;
            let held: Vec<Claim> = lock(&self.shared.held).iter().copied().collect();
            if held.is_empty() {
                continue;
            }
            let until = later(self.parts.clock.now(), self.config.lease);
            match self.parts.store.renew(&held, until).await {
                Ok(renewed) => {
                    // An effect that finished while the renewal ran is not lost.
                    let still_held = lock(&self.shared.held);
                    let lost = held.iter().filter(|c| still_held.contains(c) && !renewed.contains(&c.effect)).count();
                    if lost > 0 {
                        warn!(lost, "leases lost; another worker may run those effects");
                    }
                }
                Err(error) => warn!(%error, "could not renew leases"),
            }
        }
    }

    /// Runs one claimed effect and returns the follow-ups its outcome hands
    /// back; a panic inside it fails that effect only. Everything logged
    /// meanwhile carries the incident's number and the effect's kind.
    async fn handle(&self, job: Job) -> Vec<Job> {
        let Job { claimed, incident } = job;
        let span = info_span!(
            "effect",
            incident = Empty,
            incident_id = %claimed.incident_id,
            effect = %claimed.effect.kind(),
            attempt = claimed.attempts,
        );
        if let Some(incident) = &incident {
            span.record("incident", display(incident.number()));
        }
        async move {
            let claim = claimed.claim();
            let started = Instant::now();
            let in_flight = {
                let mut held = lock(&self.shared.held);
                held.insert(claim);
                held.len()
            };
            let attempted = AssertUnwindSafe(self.attempt(&claimed, incident)).catch_unwind().await;
            let pushed_back = matches!(attempted, Ok((_, true)));
            self.shared.limit.finished(started.elapsed(), in_flight, pushed_back);
            let follow_ups = match attempted {
                Ok((follow_ups, _)) => follow_ups,
                Err(panic) => {
                    let what = panic_message(panic.as_ref());
                    error!(effect = claimed.effect.name(), panic = %what, "an effect panicked");
                    self.give_up(&claimed, &format!("internal error: {what}")).await;
                    Vec::new()
                }
            };
            lock(&self.shared.held).remove(&claim);
            follow_ups
        }
        .instrument(span)
        .await
    }

    /// Runs one effect; returns its follow-ups, and whether a provider or
    /// the store pushed back (rate limited, unreachable), for the limit.
    async fn attempt(&self, claimed: &ClaimedEffect, known: Option<Incident>) -> (Vec<Job>, bool) {
        let store = &self.parts.store;
        let name = claimed.effect.name();
        let loaded = match known {
            Some(incident) => Ok(Some(incident)),
            None => store.get(claimed.incident_id).await,
        };
        let incident = match loaded {
            Ok(Some(incident)) => {
                Span::current().record("incident", display(incident.number()));
                incident
            }
            Ok(None) => {
                self.give_up(claimed, "the incident does not exist").await;
                return (Vec::new(), false);
            }
            Err(error) => {
                let pushed_back = error.is_retryable();
                self.retry(claimed, Failure::Port(error)).await;
                return (Vec::new(), pushed_back);
            }
        };
        match perform(&self.parts.ports, &self.parts.runbook, &incident, &claimed.effect, store.as_ref()).await {
            Ok(outcomes) => {
                info!(effect = name, incident = %incident.number(), "effect done");
                let recorded =
                    self.parts.recorder.record(incident.id(), outcomes, claimed.claim(), self.config.lease).await;
                match recorded {
                    Ok(Recorded { incident, follow_ups }) => {
                        let jobs = follow_ups
                            .into_iter()
                            .map(|c| Job { claimed: c, incident: Some(incident.clone()) })
                            .collect();
                        (jobs, false)
                    }
                    Err(error) => {
                        warn!(%error, effect = name, "effect ran but its outcome was not recorded; it will run again");
                        (Vec::new(), true)
                    }
                }
            }
            Err(failure) => {
                let pushed_back = matches!(&failure, Failure::Port(e) if e.is_retryable());
                self.retry(claimed, failure).await;
                (Vec::new(), pushed_back)
            }
        }
    }

    async fn retry(&self, claimed: &ClaimedEffect, failure: Failure) {
        let attempts = claimed.attempts;
        let (delay, error) = match failure {
            Failure::Port(e) if e.is_retryable() => {
                (self.config.retry_delay(attempts, retry_after(&e), jitter(claimed)), e.to_string())
            }
            Failure::Port(e) => return self.give_up(claimed, &e.to_string()).await,
            Failure::NotReady(why) => (self.config.not_ready_delay(attempts), why.to_owned()),
            Failure::Blocked(kind) => {
                return self.give_up(claimed, &format!("it needs what failed before: {}", kind.describe())).await
            }
            Failure::Refused(why) => return self.give_up(claimed, &why).await,
        };
        let now = self.parts.clock.now();
        if now.signed_duration_since(claimed.first_claimed_at) >= to_delta(self.config.retry_for) {
            let given = format!("still failing after {} attempts: {error}", attempts);
            return self.give_up(claimed, &given).await;
        }
        warn!(%error, effect = claimed.effect.name(), attempt = attempts, ?delay, "effect not done; will retry");
        if let Err(e) = self.parts.store.retry_at(claimed.claim(), later(now, delay), &error).await {
            warn!(error = %e, "could not reschedule effect; its lease will expire");
        }
    }

    async fn give_up(&self, claimed: &ClaimedEffect, error: &str) {
        let effect = claimed.effect.kind();
        warn!(%error, %effect, attempts = claimed.attempts, "effect failed for good");
        if let Err(e) = self.parts.store.give_up(claimed.claim(), self.parts.clock.now(), error).await {
            warn!(error = %e, "could not mark effect failed");
            return;
        }
        *lock(&self.shared.failures).entry(effect).or_default() += 1;
        if let Err(e) = self.parts.recorder.record_failure(claimed.incident_id, effect, error).await {
            warn!(error = %e, "could not record the failure on the incident");
        }
    }
}

fn retry_after(error: &PortError) -> Option<Duration> {
    match error {
        PortError::RateLimited { retry_after } => *retry_after,
        _ => None,
    }
}

/// A number in `[0, 1)` that spreads the retries of different effects and
/// attempts apart, and is the same for the same effect and attempt.
fn jitter(claimed: &ClaimedEffect) -> f64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (claimed.id, claimed.attempts).hash(&mut hasher);
    (hasher.finish() % 10_000) as f64 / 10_000.0
}

fn to_delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
