//! What the store says: `sima_store_up`, the time of its last answer, and,
//! while it answers, the incidents by status and severity and the outbox.
//!
//! A scrape reads only the outbox's backlog (the unfinished effects, which
//! tests and operators wait on, so never cached). The totals, which grow
//! with history (incidents by status and severity, finished and failed
//! effects), are counted by the database at most once per
//! [`INCIDENT_COUNTS_TTL`] and off the scrape: a scrape that finds them
//! older starts a count in the background and shows the last one; only the
//! first scrape waits for it. So a scrape costs the same at 100 or 100,000
//! incidents.
//!
//! A store that fails, or takes longer than [`STORE_TIMEOUT`], is reported
//! down and its gauges are left out of the scrape: Prometheus then marks
//! those series stale instead of recording old numbers as current.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use sima_core::domain::{Severity, Status};
use sima_core::ports::{IncidentCounts, OutboxStats};
use sima_core::{IncidentService, ServiceError};

use super::encode::{gauge, gauges, Number};

/// How long the totals (incident counts, finished effects) are shown before
/// the store counts them again.
pub const INCIDENT_COUNTS_TTL: Duration = Duration::from_secs(5);

/// How long a scrape waits for the store before reporting it down; well
/// inside Prometheus's default 10 s scrape timeout.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(2);

/// What grows with history, counted together.
#[derive(Debug, Clone)]
struct Totals {
    incidents: IncidentCounts,
    completed: u64,
    failed: u64,
    counted_at: Instant,
}

/// The last successful read of the backlog.
#[derive(Debug, Clone)]
struct Backlog {
    outbox: OutboxStats,
    /// How long the oldest due effect had waited, in seconds.
    oldest_pending: f64,
    at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Latest {
    /// Whether the store answered the last scrape.
    up: bool,
    backlog: Option<Backlog>,
    totals: Option<Totals>,
}

/// The store's gauges, as the last scrape read them.
#[derive(Debug, Default)]
pub(crate) struct StoreGauges {
    latest: Mutex<Latest>,
    counting: AtomicBool,
    /// Where each read of the backlog is also recorded, for the intake gate.
    watch: Arc<crate::backlog::BacklogWatch>,
}

impl StoreGauges {
    fn latest(&self) -> MutexGuard<'_, Latest> {
        // Every update replaces whole values, so a panic elsewhere leaves them consistent.
        self.latest.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The backlog readings of the scrapes.
    pub(crate) fn backlog_watch(&self) -> Arc<crate::backlog::BacklogWatch> {
        self.watch.clone()
    }

    /// A failed read: the gauges say the store is down, and the intake gate
    /// forgets its reading.
    fn unreadable(&self, why: &str) {
        self.watch.unreadable(why);
        self.latest().up = false;
        tracing::warn!(error = %why, "/metrics: the store did not answer; its gauges are left out");
    }

    /// Reads the backlog, and has the totals counted again when they are
    /// older than [`INCIDENT_COUNTS_TTL`] (waiting only when there are none
    /// yet); gives up after [`STORE_TIMEOUT`].
    pub(crate) async fn refresh(self: &Arc<Self>, service: &IncidentService) {
        let backlog = tokio::time::timeout(STORE_TIMEOUT, service.outbox_backlog()).await;
        let backlog = match backlog {
            Ok(Ok(outbox)) => outbox,
            Ok(Err(error)) => return self.unreadable(&error.to_string()),
            Err(_) => return self.unreadable(&format!("no answer within {STORE_TIMEOUT:?}")),
        };
        self.watch.record(backlog.oldest_pending_due);
        let at = service.now();
        let oldest_pending =
            backlog.oldest_pending_due.map_or(0.0, |due| (at - due).num_milliseconds().max(0) as f64 / 1000.0);
        let stale = {
            let mut latest = self.latest();
            latest.up = true;
            latest.backlog = Some(Backlog { outbox: backlog, oldest_pending, at });
            latest.totals.as_ref().map(|t| t.counted_at.elapsed() >= INCIDENT_COUNTS_TTL)
        };
        match stale {
            None => {
                if tokio::time::timeout(STORE_TIMEOUT, self.count_once(service)).await.is_err() {
                    tracing::warn!("/metrics: the store did not count incidents within {STORE_TIMEOUT:?}");
                }
            }
            Some(true) if !self.counting.swap(true, Ordering::AcqRel) => {
                let (gauges, service) = (self.clone(), service.clone());
                tokio::spawn(async move {
                    gauges.count_once(&service).await;
                    gauges.counting.store(false, Ordering::Release);
                });
            }
            Some(_) => {}
        }
    }

    async fn count_once(&self, service: &IncidentService) {
        if let Err(error) = self.count(service).await {
            tracing::warn!(%error, "/metrics: the store could not count incidents and effects");
        }
    }

    async fn count(&self, service: &IncidentService) -> Result<(), ServiceError> {
        let incidents = service.incident_counts().await?;
        let outbox = service.outbox_stats().await?;
        let totals =
            Totals { incidents, completed: outbox.completed, failed: outbox.failed, counted_at: Instant::now() };
        self.latest().totals = Some(totals);
        Ok(())
    }
}

/// Writes the store's gauges at each scrape.
#[derive(Debug)]
pub(crate) struct StoreCollector(pub(crate) Arc<StoreGauges>);

impl Collector for StoreCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let (up, backlog, totals) = {
            let latest = self.0.latest();
            (latest.up, latest.backlog.clone(), latest.totals.clone())
        };
        let e = &mut encoder;
        gauge(e, "sima_store_up", "Whether the store answered this scrape (1) or not (0).", u64::from(up))?;
        let Some(backlog) = backlog else { return Ok(()) };
        let at = Number(backlog.at.timestamp_millis() as f64 / 1000.0);
        gauge(e, "sima_store_last_success_timestamp_seconds", "When the store last answered a scrape.", at)?;
        if up {
            write_gauges(e, &backlog, totals.as_ref())?;
        }
        Ok(())
    }
}

fn write_gauges(e: &mut DescriptorEncoder, backlog: &Backlog, totals: Option<&Totals>) -> fmt::Result {
    if let Some(totals) = totals {
        let counts = Status::ALL.iter().flat_map(|status| {
            Severity::ALL.iter().map(move |severity| {
                let labels = [("status", status.as_str()), ("severity", severity.as_str())];
                (labels, totals.incidents.get(*status, *severity))
            })
        });
        gauges(e, "sima_incidents", "Incidents by status and severity.", counts)?;
    }
    let outbox = &backlog.outbox;
    let mut states = vec![("pending", outbox.pending), ("scheduled", outbox.scheduled)];
    if let Some(totals) = totals {
        states.extend([("completed", totals.completed), ("failed", totals.failed)]);
    }
    gauges(
        e,
        "sima_effects",
        "Outbox effects by state.",
        states.into_iter().map(|(state, n)| ([("state", state)], n)),
    )?;
    gauge(e, "sima_effects_pending", "Effects due and not done yet.", outbox.pending)?;
    gauge(e, "sima_effects_scheduled", "Effects due later (reminders, archives).", outbox.scheduled)?;
    let waited = Number(backlog.oldest_pending);
    gauge(e, "sima_effects_oldest_pending_seconds", "How long the oldest due effect has waited.", waited)
}
