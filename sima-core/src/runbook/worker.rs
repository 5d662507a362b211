//! The effect worker: claims due effects from the outbox, runs independent
//! ones concurrently, retries what may pass, and records every outcome.

use std::future::Future;
use std::sync::Arc;

use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;
use tracing::{debug, warn};

use super::execute::{perform, Failure};
use super::{WakeReceiver, WorkerConfig};
use crate::domain::{Actor, Command, Outcome};
use crate::ports::{ChatPort, ClaimedEffect, DocsPort, PagingPort, PortError};
use crate::service::IncidentService;

/// The outbound platforms effects act on.
#[derive(Clone)]
pub struct Ports {
    /// Chat.
    pub chat: Arc<dyn ChatPort>,
    /// Paging.
    pub pager: Arc<dyn PagingPort>,
    /// Documents.
    pub docs: Arc<dyn DocsPort>,
}

/// Runs the outbox. Several workers (on several replicas) may share one
/// store: claims are leased, so no effect runs twice at once.
#[derive(Clone)]
pub struct EffectWorker {
    service: IncidentService,
    ports: Ports,
    config: WorkerConfig,
}

impl std::fmt::Debug for EffectWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EffectWorker").field("config", &self.config).finish_non_exhaustive()
    }
}

impl EffectWorker {
    /// A worker recording outcomes through `service`.
    pub fn new(service: IncidentService, ports: Ports, config: WorkerConfig) -> Self {
        Self { service, ports, config }
    }

    async fn claim(&self, limit: usize) -> Result<Vec<ClaimedEffect>, PortError> {
        let now = self.service.clock().now();
        self.service.store().claim_due(limit, now, self.config.lease).await
    }

    /// Claims the effects due now and runs them all concurrently; returns how
    /// many it ran.
    ///
    /// # Errors
    /// `Transient` if the store cannot be reached for claiming.
    pub async fn run_once(&self) -> Result<usize, PortError> {
        let claimed = self.claim(self.config.concurrency).await?;
        let count = claimed.len();
        futures::future::join_all(claimed.into_iter().map(|c| self.handle(c))).await;
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

    /// Runs until `shutdown` completes: claims as slots free up, wakes on
    /// `wake` or every `idle_poll`. On shutdown it stops claiming and lets the
    /// effects in flight finish.
    pub async fn run(&self, mut wake: WakeReceiver, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown.fuse());
        let mut in_flight = FuturesUnordered::new();
        loop {
            let free = self.config.concurrency.saturating_sub(in_flight.len());
            if free > 0 {
                // Keep driving the effects in flight while claiming: one of them may
                // hold what the claim waits for (a store's write lock, a pooled
                // connection), and it only makes progress when polled.
                let claim = self.claim(free).fuse();
                let mut claim = std::pin::pin!(claim);
                let claimed = loop {
                    futures::select! {
                        claimed = claim => break claimed,
                        _ = in_flight.select_next_some() => {}
                    }
                };
                match claimed {
                    Ok(claimed) => in_flight.extend(claimed.into_iter().map(|c| self.handle(c))),
                    Err(error) => warn!(%error, "could not claim effects"),
                }
            }
            let idle = self.service.clock().sleep(self.config.idle_poll).fuse();
            let woken = wake.notified().fuse();
            let mut idle = std::pin::pin!(idle);
            let mut woken = std::pin::pin!(woken);
            if in_flight.is_empty() {
                futures::select! {
                    () = woken => {}
                    () = idle => {}
                    () = shutdown => break,
                }
            } else {
                futures::select! {
                    _ = in_flight.next() => {}
                    () = woken => {}
                    () = shutdown => break,
                }
            }
        }
        while in_flight.next().await.is_some() {}
    }

    async fn handle(&self, claimed: ClaimedEffect) {
        let store = self.service.store();
        let name = claimed.effect.name();
        let incident = match store.get(claimed.incident_id).await {
            Ok(Some(incident)) => incident,
            Ok(None) => return self.give_up(&claimed, "the incident does not exist").await,
            Err(error) => return self.retry(&claimed, &Failure::Port(error)).await,
        };
        let config = self.service.config();
        match perform(&self.ports, config, &incident, &claimed.effect, store.as_ref()).await {
            Ok(outcomes) => {
                debug!(effect = name, incident = %incident.number, "effect done");
                if let Err(error) = self.service.record(incident.id, outcomes, claimed.id).await {
                    warn!(%error, effect = name, "effect ran but its outcome was not recorded; it will run again");
                }
            }
            Err(failure) => self.retry(&claimed, &failure).await,
        }
    }

    async fn retry(&self, claimed: &ClaimedEffect, failure: &Failure) {
        let attempts = claimed.attempts;
        let (retryable, delay, error) = match failure {
            Failure::Port(e) => {
                let retryable = e.is_retryable() && attempts < self.config.max_attempts;
                (retryable, self.config.retry_delay(attempts, retry_after(e)), e.to_string())
            }
            // Waiting for another effect's outcome: patient, but not forever.
            Failure::NotReady(why) => {
                let retryable = attempts < self.config.max_attempts.saturating_mul(8);
                (retryable, self.config.not_ready_delay.saturating_mul(attempts.min(40)), (*why).to_owned())
            }
        };
        if !retryable {
            return self.give_up(claimed, &error).await;
        }
        warn!(%error, effect = claimed.effect.name(), attempt = attempts, ?delay, "effect not done; will retry");
        let at = self.service.clock().now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        if let Err(e) = self.service.store().retry_at(claimed.id, at, &error).await {
            warn!(error = %e, "could not reschedule effect; its lease will expire");
        }
    }

    async fn give_up(&self, claimed: &ClaimedEffect, error: &str) {
        let effect = claimed.effect.name();
        warn!(%error, effect, attempts = claimed.attempts, "effect failed for good");
        let store = self.service.store();
        if let Err(e) = store.give_up(claimed.id, self.service.clock().now(), error).await {
            warn!(error = %e, "could not mark effect failed");
            return;
        }
        let failed = Command::Record(Outcome::EffectFailed { effect: effect.to_owned(), error: error.to_owned() });
        if let Err(e) = self.service.execute(claimed.incident_id, Actor::Sima, failed).await {
            debug!(error = %e, "could not record the failure on the incident");
        }
    }
}

fn retry_after(error: &PortError) -> Option<std::time::Duration> {
    match error {
        PortError::RateLimited { retry_after } => *retry_after,
        _ => None,
    }
}
