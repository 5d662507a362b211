//! What the runbooks need to know about the company's set-up.

use std::time::Duration;

use crate::domain::{FieldSchema, Incident, RoomId, Severity, StatusComponent};
use crate::messages::{self, SeverityDescriptions};
use crate::model::Message;

use super::{Schedule, ServiceCatalog};

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
    /// When reminders and the room archive fall due.
    pub schedule: Schedule,
    /// Whom each service invites when an incident is declared for it or escalated to it.
    pub services: ServiceCatalog,
    /// How the company names its severity levels, on cards and forms.
    pub severities: SeverityDescriptions,
    /// The company's incident types and custom fields.
    pub schema: FieldSchema,
    /// The status page's components and the domains each covers.
    pub status_components: Vec<StatusComponent>,
    /// Whether published updates are pushed to a hosted status page (set
    /// by [`EngineBuilder::status_page`](crate::EngineBuilder::status_page)).
    pub hosted_status_page: bool,
    /// The update reminder tells the Communication Lead when the status page
    /// has gone this long without a public update (default 30 min; `None`: never).
    pub public_update_reminder_after: Option<Duration>,
}

impl Default for RunbookConfig {
    fn default() -> Self {
        Self {
            broadcast_room: RoomId::new("production-issues-bot"),
            public_url: "http://127.0.0.1:3000".into(),
            room_prefix: "incident".into(),
            paging: PagingPolicy::default(),
            schedule: Schedule::default(),
            services: ServiceCatalog::default(),
            severities: SeverityDescriptions::default(),
            schema: FieldSchema::default(),
            status_components: Vec::new(),
            hosted_status_page: false,
            public_update_reminder_after: Some(Duration::from_secs(30 * 60)),
        }
    }
}

impl RunbookConfig {
    /// The incident's card as the company names things: its severity
    /// labels, its custom fields' labels, and the team that owns the
    /// incident's service.
    pub fn card(&self, incident: &Incident) -> Message {
        messages::owned_card(incident, &self.severities, &self.schema, self.services.team(incident.domain()))
    }
}

/// Who gets paged, and from which severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagingPolicy {
    /// Incidents at least this severe page the domain's on-call
    /// (`Sev4`, the default, pages every incident).
    pub min_severity: Severity,
}

impl Default for PagingPolicy {
    fn default() -> Self {
        Self { min_severity: Severity::Sev4 }
    }
}

impl PagingPolicy {
    /// Whether an incident of this severity pages.
    pub fn pages(&self, severity: Severity) -> bool {
        severity >= self.min_severity
    }
}

/// How the effect worker paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Effects run at once: the worker starts there and never goes below;
    /// it rises up to 8 times this while effects do not queue (slow
    /// providers, an idle store), and falls back when they do.
    pub concurrency: usize,
    /// How long a claim holds an effect without renewal; a crashed worker's
    /// effects are taken over within about this long.
    pub lease: Duration,
    /// How often the leases of running effects are renewed.
    pub heartbeat: Duration,
    /// How long transient failures are retried, from the first attempt,
    /// before the effect is given up (visibly).
    pub retry_for: Duration,
    /// First retry delay; doubles each attempt, with jitter.
    pub backoff: Duration,
    /// Longest retry delay; a longer `Retry-After` is clamped to it.
    pub max_backoff: Duration,
    /// How long to wait for work when idle (a wake-up signal cuts it short).
    pub idle_poll: Duration,
    /// First delay before retrying an effect whose prerequisite (the room, the
    /// card) is not recorded yet; grows with each attempt up to `max_backoff`.
    pub not_ready_delay: Duration,
    /// How long a graceful shutdown waits for effects in flight before it
    /// releases them to other workers.
    pub shutdown_grace: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 32,
            lease: Duration::from_secs(10),
            heartbeat: Duration::from_secs(3),
            retry_for: Duration::from_secs(24 * 3600),
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            idle_poll: Duration::from_millis(500),
            not_ready_delay: Duration::from_millis(250),
            shutdown_grace: Duration::from_secs(20),
        }
    }
}

impl WorkerConfig {
    /// The delay before attempt `attempts + 1`: the platform's `retry_after`
    /// when it named one, else exponential backoff with jitter (`jitter` in
    /// `[0, 1)` takes up to half the delay off); never above `max_backoff`.
    pub fn retry_delay(&self, attempts: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let delay = match retry_after {
            Some(wait) => wait,
            None => {
                let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(30));
                let full = self.backoff.saturating_mul(factor).min(self.max_backoff);
                full.saturating_sub(full.mul_f64(jitter.clamp(0.0, 1.0) / 2.0))
            }
        };
        delay.min(self.max_backoff)
    }

    /// The delay before looking again for a prerequisite that is not there yet.
    pub fn not_ready_delay(&self, attempts: u32) -> Duration {
        self.not_ready_delay.saturating_mul(attempts.clamp(1, 64)).min(self.max_backoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let config = WorkerConfig::default();
        assert_eq!(config.retry_delay(1, None, 0.0), Duration::from_secs(1));
        assert_eq!(config.retry_delay(3, None, 0.0), Duration::from_secs(4));
        assert_eq!(config.retry_delay(3, None, 0.5), Duration::from_secs(3));
        assert_eq!(config.retry_delay(40, None, 0.0), config.max_backoff);
        assert_eq!(config.retry_delay(u32::MAX, None, 0.999), config.max_backoff.mul_f64(1.0 - 0.999 / 2.0));
    }

    #[test]
    fn retry_after_is_honoured_and_clamped() {
        let config = WorkerConfig::default();
        assert_eq!(config.retry_delay(1, Some(Duration::from_secs(7)), 0.9), Duration::from_secs(7));
        assert_eq!(config.retry_delay(1, Some(Duration::MAX), 0.0), config.max_backoff);
    }

    #[test]
    fn the_card_names_the_team_owning_the_incidents_service() {
        use crate::domain::tests::{declared, t};
        use crate::domain::Domain;
        use crate::model::Block;

        let incident = declared(t(0));
        let owners = |config: &RunbookConfig| -> Vec<String> {
            let card = config.card(&incident);
            let lines = card.blocks.iter().filter_map(|b| match b {
                Block::Context { text } => Some(text.to_string()),
                _ => None,
            });
            lines.filter(|line| line.contains("Owned by")).collect()
        };
        let mut config = RunbookConfig::default();
        assert!(owners(&config).is_empty(), "no catalog, no owner");
        config.services = ServiceCatalog::new().with_team(Domain::parse("payments").unwrap(), "Payments core");
        assert!(owners(&config).is_empty(), "another service's team");
        config.services = config.services.with_team(incident.domain().clone(), "Messaging");
        let said = owners(&config);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].ends_with("Owned by Messaging"), "{said:?}");
    }

    #[test]
    fn prerequisites_are_polled_ever_more_patiently() {
        let config = WorkerConfig::default();
        assert_eq!(config.not_ready_delay(0), Duration::from_millis(250));
        assert_eq!(config.not_ready_delay(4), Duration::from_secs(1));
        assert_eq!(config.not_ready_delay(u32::MAX), Duration::from_secs(16));
    }
}
