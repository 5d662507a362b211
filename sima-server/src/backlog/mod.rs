//! Admission control for declarations from machines: accepted work waits a
//! bounded time.
//!
//! A flood of alerts, each opening a new incident, can be accepted far
//! faster than their runbooks complete; then the time to a room grows for
//! as long as the flood lasts. `[intake] max_backlog` bounds that wait:
//! while the oldest due, unfinished effect has waited longer, a monitor or
//! API client asking for a **new** incident is answered `503` with a
//! `Retry-After` (monitors resend; Alertmanager does on its own), and
//! nothing is recorded. Never refused: sev1 declarations, a repeat of an
//! alert whose incident is open (it adds no work), resolved alerts, people
//! declaring from Slack or Teams.
//!
//! The age of the backlog is read from the store in the background at most
//! about once a second ([`watch`]), never per request; a reading that is
//! missing or old (the store does not answer) sheds nothing.
//!
//! # Layout
//! - here: the `[intake]` settings, the gate and its refusal.
//! - [`watch`]: the last reading of the backlog, refreshed in the background.

pub mod watch;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use serde::Deserialize;
use sima_core::domain::{Declaration, Severity};
use sima_core::ports::IncidentStore;
use sima_core::IncidentService;

use crate::delays::Delay;
use crate::error::ApiError;
use crate::metrics::intake::IntakeMetrics;

pub use watch::BacklogWatch;

/// The default bound of the backlog's age.
pub const DEFAULT_MAX_BACKLOG: Duration = Duration::from_secs(60);
/// The largest bound accepted: beyond it the bound no longer protects anyone.
pub const LONGEST_MAX_BACKLOG: Duration = Duration::from_secs(86_400);
/// The shortest `Retry-After` of a refusal, in seconds.
pub const MIN_RETRY_AFTER_SECS: u64 = 5;
/// The longest `Retry-After` of a refusal, in seconds.
pub const MAX_RETRY_AFTER_SECS: u64 = 60;
/// The error code of a refusal.
pub const CODE: &str = "overloaded";

/// `[intake]`: how much accepted work may wait.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntakeSettings {
    /// Refuse new incidents from monitors and the API while the oldest due
    /// effect has waited longer than this (`SIMA_INTAKE__MAX_BACKLOG`; `off`
    /// accepts everything).
    pub max_backlog: Delay,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self { max_backlog: Delay(Some(DEFAULT_MAX_BACKLOG)) }
    }
}

impl IntakeSettings {
    /// What is wrong with these settings, naming the key and its variable.
    pub fn problems(&self) -> Vec<String> {
        match self.max_backlog.0 {
            Some(bound) if bound > LONGEST_MAX_BACKLOG => vec![format!(
                "intake.max_backlog (SIMA_INTAKE__MAX_BACKLOG) is {}: write at most {}, or `off` to accept every \
                 declaration",
                self.max_backlog,
                Delay(Some(LONGEST_MAX_BACKLOG))
            )],
            _ => Vec::new(),
        }
    }

    /// The start-up line.
    pub fn describe(&self) -> String {
        match self.max_backlog.0 {
            Some(_) => format!(
                "intake: new incidents from monitors and the API refused (503) while effects have waited over {} \
                 (SIMA_INTAKE__MAX_BACKLOG; sev1, repeats and chat are always accepted)",
                self.max_backlog
            ),
            None => {
                "intake: every declaration accepted, however long the backlog (SIMA_INTAKE__MAX_BACKLOG=off)".to_owned()
            }
        }
    }
}

/// Where a declaration came from, as `sima_intake_shed_total` labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntakeSource {
    /// `POST /webhooks/alerts`.
    Webhook,
    /// `POST /webhooks/alertmanager`.
    Alertmanager,
    /// `POST /api/v1/incidents`.
    Api,
}

impl IntakeSource {
    /// Every source.
    pub const ALL: [Self; 3] = [Self::Webhook, Self::Alertmanager, Self::Api];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Alertmanager => "alertmanager",
            Self::Api => "api",
        }
    }

    /// The source of an alert brought by the webhook named `webhook`
    /// (`alertmanager`, else the generic one).
    pub fn of_webhook(webhook: &str) -> Self {
        if webhook == Self::Alertmanager.as_str() {
            Self::Alertmanager
        } else {
            Self::Webhook
        }
    }
}

/// Decides whether a declaration from a machine is accepted now.
pub struct IntakeGate {
    bound: Option<Duration>,
    watch: Arc<BacklogWatch>,
    store: Arc<dyn IncidentStore>,
    metrics: IntakeMetrics,
}

impl std::fmt::Debug for IntakeGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeGate").field("bound", &self.bound).field("watch", &self.watch).finish_non_exhaustive()
    }
}

impl IntakeGate {
    /// A gate refusing past `settings`' bound, reading the backlog from
    /// `watch`, asking `store` whether a refused alert's incident is open,
    /// and counting refusals in `metrics`.
    pub fn new(
        settings: &IntakeSettings,
        watch: Arc<BacklogWatch>,
        store: Arc<dyn IncidentStore>,
        metrics: IntakeMetrics,
    ) -> Self {
        Self { bound: settings.max_backlog.0, watch, store, metrics }
    }

    /// The bound, when on.
    pub fn bound(&self) -> Option<Duration> {
        self.bound
    }

    /// The readings the gate acts on.
    pub fn watch(&self) -> &Arc<BacklogWatch> {
        &self.watch
    }

    /// Accepts `declaration` from `source`, or refuses it with a 503 when
    /// it would open a new incident while the backlog is over its bound.
    ///
    /// # Errors
    /// 503 `overloaded` with `Retry-After`; nothing was recorded.
    pub async fn admit(
        &self,
        service: &IncidentService,
        declaration: &Declaration,
        source: IntakeSource,
    ) -> Result<(), ApiError> {
        let Some(bound) = self.bound else { return Ok(()) };
        if declaration.severity == Severity::Sev1 {
            return Ok(());
        }
        let Some(waited) = self.watch.waited(service.now()) else { return Ok(()) };
        if waited <= bound {
            return Ok(());
        }
        if let Some(key) = &declaration.dedup_key {
            match self.store.find_open_by_dedup_key(key).await {
                // A repeat: declaring answers the open incident and adds no work.
                Ok(Some(_)) => return Ok(()),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, "intake: cannot tell whether the alert's incident is open; accepting it");
                    return Ok(());
                }
            }
        }
        self.metrics.shed(source.as_str());
        tracing::warn!(
            source = source.as_str(),
            waited_secs = waited.as_secs(),
            "intake: new incident refused, the backlog is over its bound"
        );
        Err(refusal(waited, bound))
    }
}

/// How long a refused caller is told to wait: a quarter of the bound,
/// within [`MIN_RETRY_AFTER_SECS`]..=[`MAX_RETRY_AFTER_SECS`].
pub fn retry_after(bound: Duration) -> u64 {
    (bound.as_secs() / 4).clamp(MIN_RETRY_AFTER_SECS, MAX_RETRY_AFTER_SECS)
}

/// The 503 answered while the oldest effect has `waited` over `bound`.
pub fn refusal(waited: Duration, bound: Duration) -> ApiError {
    let seconds = retry_after(bound);
    let message = format!(
        "the backlog of accepted work is over its bound: the oldest runbook step has waited {}s, more than \
         intake.max_backlog ({}); new incidents are refused for now and nothing was recorded. Retry in {seconds}s \
         (Alertmanager retries on its own). Sev1 declarations, repeats of open alerts and resolutions are still \
         accepted.",
        waited.as_secs(),
        Delay(Some(bound))
    );
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, CODE, message)
        .with_retry_after(u32::try_from(seconds).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_a_quarter_of_the_bound_within_limits() {
        assert_eq!(retry_after(Duration::from_secs(1)), MIN_RETRY_AFTER_SECS);
        assert_eq!(retry_after(Duration::from_secs(60)), 15);
        assert_eq!(retry_after(Duration::from_secs(3600)), MAX_RETRY_AFTER_SECS);
    }

    #[test]
    fn the_refusal_says_why_and_when_to_retry() {
        let error = refusal(Duration::from_secs(75), Duration::from_secs(60));
        assert_eq!((error.status(), error.code()), (StatusCode::SERVICE_UNAVAILABLE, CODE));
        assert!(error.message().contains("intake.max_backlog (1m)") && error.message().contains("Retry in 15s"));
    }

    #[test]
    fn the_bound_is_checked_naming_the_key() {
        assert!(IntakeSettings::default().problems().is_empty());
        assert!(IntakeSettings { max_backlog: Delay::OFF }.problems().is_empty());
        let problems = IntakeSettings { max_backlog: Delay::secs(2 * 86_400) }.problems();
        assert!(problems[0].contains("intake.max_backlog (SIMA_INTAKE__MAX_BACKLOG)"), "{problems:?}");
    }

    #[test]
    fn sources_are_labelled_by_their_route() {
        assert_eq!(IntakeSource::of_webhook("alertmanager"), IntakeSource::Alertmanager);
        assert_eq!(IntakeSource::of_webhook("webhook"), IntakeSource::Webhook);
        let labels: Vec<&str> = IntakeSource::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(labels, crate::metrics::intake::SOURCES, "every source is shown from the start");
    }
}
