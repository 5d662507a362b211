//! The last reading of the outbox's backlog: when its oldest due,
//! unfinished effect was due. Written by every `/metrics` scrape and by a
//! background refresh (at most about once a second, only while a bound is
//! on); read by the intake gate without touching the store.
//!
//! A failed read forgets the reading (logged once until the store answers
//! again), and a reading older than [`STALE_AFTER`] is not acted on: the
//! gate then accepts everything rather than shed on an old number.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sima_core::IncidentService;

/// How often the background refresh reads the backlog.
pub const REFRESH_EVERY: Duration = Duration::from_secs(1);
/// How long the background refresh waits for the store.
pub const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// A reading older than this is ignored.
pub const STALE_AFTER: Duration = Duration::from_secs(5);

/// One successful read.
#[derive(Debug, Clone, Copy)]
struct Reading {
    /// When the oldest due, unfinished effect was due; `None`: nothing waits.
    oldest_due: Option<DateTime<Utc>>,
    /// When it was read.
    read_at: Instant,
}

/// The last reading; cheap to share behind an `Arc`.
#[derive(Debug, Default)]
pub struct BacklogWatch {
    latest: Mutex<Option<Reading>>,
    unreadable: AtomicBool,
}

impl BacklogWatch {
    fn latest(&self) -> MutexGuard<'_, Option<Reading>> {
        // Every update replaces the whole value: a panic elsewhere leaves it consistent.
        self.latest.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a read: the oldest due, unfinished effect was due at `oldest_due`.
    pub fn record(&self, oldest_due: Option<DateTime<Utc>>) {
        *self.latest() = Some(Reading { oldest_due, read_at: Instant::now() });
        if self.unreadable.swap(false, Ordering::AcqRel) {
            tracing::info!("intake: the backlog can be read again; its bound applies");
        }
    }

    /// Records a failed read: the last reading is forgotten, so nothing is
    /// refused until the store answers again.
    pub fn unreadable(&self, error: &str) {
        *self.latest() = None;
        if !self.unreadable.swap(true, Ordering::AcqRel) {
            tracing::warn!(%error, "intake: the backlog cannot be read; accepting every declaration until it can");
        }
    }

    /// How long the oldest due, unfinished effect has waited at `now`;
    /// `None` when no fresh reading is held (fail open).
    pub fn waited(&self, now: DateTime<Utc>) -> Option<Duration> {
        let reading = (*self.latest())?;
        if reading.read_at.elapsed() > STALE_AFTER {
            return None;
        }
        let due = reading.oldest_due?;
        Some((now - due).to_std().unwrap_or_default())
    }

    /// Whether the last reading is younger than `age`.
    fn read_within(&self, age: Duration) -> bool {
        self.latest().is_some_and(|reading| reading.read_at.elapsed() < age)
    }

    /// Reads the backlog through `service` now, waiting at most [`READ_TIMEOUT`].
    pub async fn refresh(&self, service: &IncidentService) {
        match tokio::time::timeout(READ_TIMEOUT, service.outbox_backlog()).await {
            Ok(Ok(backlog)) => self.record(backlog.oldest_pending_due),
            Ok(Err(error)) => self.unreadable(&error.to_string()),
            Err(_) => self.unreadable(&format!("no answer within {READ_TIMEOUT:?}")),
        }
    }

    /// Refreshes about every [`REFRESH_EVERY`] (skipping a turn a scrape
    /// just read for) until `stopped` completes.
    pub async fn run(&self, service: IncidentService, stopped: impl Future<Output = ()>) {
        let mut every = tokio::time::interval(REFRESH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(stopped);
        loop {
            tokio::select! {
                () = &mut stopped => return,
                _ = every.tick() => {}
            }
            if !self.read_within(REFRESH_EVERY / 2) {
                self.refresh(&service).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_measured_from_the_oldest_due_effect() {
        let watch = BacklogWatch::default();
        let now = Utc::now();
        assert_eq!(watch.waited(now), None, "nothing read yet");
        watch.record(None);
        assert_eq!(watch.waited(now), None, "nothing waits");
        watch.record(Some(now - chrono::Duration::seconds(90)));
        assert_eq!(watch.waited(now), Some(Duration::from_secs(90)));
        watch.record(Some(now + chrono::Duration::seconds(5)));
        assert_eq!(watch.waited(now), Some(Duration::ZERO), "due later: no wait");
    }

    #[test]
    fn a_failed_read_forgets_the_old_reading() {
        let watch = BacklogWatch::default();
        let now = Utc::now();
        watch.record(Some(now - chrono::Duration::seconds(90)));
        watch.unreadable("the store is down");
        assert_eq!(watch.waited(now), None);
        watch.record(Some(now - chrono::Duration::seconds(3)));
        assert_eq!(watch.waited(now), Some(Duration::from_secs(3)));
    }
}
