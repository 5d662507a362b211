//! What the runbooks need to know about the company's set-up.

use std::time::Duration;

use crate::domain::RoomId;

use super::PagingPolicy;

/// Runbook settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunbookConfig {
    /// The company-wide channel where incidents are announced.
    pub broadcast_room: RoomId,
    /// Base URL of the server, for links (`http://127.0.0.1:3000`).
    pub public_url: String,
    /// First word of room names (`incident` → `incident_11_25_emails-are-late`).
    pub room_prefix: String,
    /// Who gets paged.
    pub paging: PagingPolicy,
}

impl Default for RunbookConfig {
    fn default() -> Self {
        Self {
            broadcast_room: RoomId::new("production-issues-bot"),
            public_url: "http://127.0.0.1:3000".into(),
            room_prefix: "incident".into(),
            paging: PagingPolicy::default(),
        }
    }
}

/// How the effect worker paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Effects run at once, at most.
    pub concurrency: usize,
    /// How long a claimed effect stays leased to this worker.
    pub lease: Duration,
    /// Attempts before an effect is given up.
    pub max_attempts: u32,
    /// First retry delay; doubles each attempt.
    pub backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
    /// How long to wait for work when idle (a wake-up signal cuts it short).
    pub idle_poll: Duration,
    /// Delay before retrying an effect whose prerequisite (the room) is not ready.
    pub not_ready_delay: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 32,
            lease: Duration::from_secs(60),
            max_attempts: 8,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            idle_poll: Duration::from_millis(500),
            not_ready_delay: Duration::from_millis(250),
        }
    }
}

impl WorkerConfig {
    /// The delay before attempt `attempts + 1`, honouring a platform's `retry_after`.
    pub fn retry_delay(&self, attempts: u32, retry_after: Option<Duration>) -> Duration {
        retry_after.unwrap_or_else(|| {
            let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(16));
            self.backoff.saturating_mul(factor).min(self.max_backoff)
        })
    }
}
