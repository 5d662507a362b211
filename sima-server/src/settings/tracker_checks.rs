//! Checks of the tracker sections, and which tracker runs: `[tracker]`,
//! `[jira]` and `[linear]` read together before the start.

use super::{is_safe_provider_url, redact_url, Secret, Settings, MIN_SECRET_LEN};
use crate::providers::{self, ProviderSettings, TrackerProvider};

impl Settings {
    /// The tracker: `[tracker] provider`, else Jira when a `SIMA_JIRA_*`
    /// credential is set, else Linear when a `SIMA_LINEAR_*` one is, else none.
    ///
    /// # Errors
    /// An unknown name, or credentials of both trackers without a choice.
    pub fn tracker_provider(&self) -> anyhow::Result<TrackerProvider> {
        let named = self.tracker.provider.as_deref().is_some_and(|p| !p.trim().is_empty());
        if !named && self.jira.any_set() && self.linear.any_set() {
            anyhow::bail!(
                "both SIMA_JIRA_* and SIMA_LINEAR_* settings are set: choose one with SIMA_TRACKER=jira or \
                 SIMA_TRACKER=linear (tracker.provider)"
            );
        }
        let inferred = if self.jira.any_set() {
            TrackerProvider::Jira
        } else if self.linear.any_set() {
            TrackerProvider::Linear
        } else {
            TrackerProvider::None
        };
        providers::choose(&ProviderSettings { provider: self.tracker.provider.clone() }, inferred)
            .map_err(anyhow::Error::msg)
    }

    /// Every problem of the tracker settings: an unknown or ambiguous
    /// provider, missing credentials named by variable, a URL that would
    /// carry them in clear text, a short webhook secret.
    pub(super) fn tracker_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let provider = match self.tracker_provider() {
            Ok(provider) => provider,
            Err(error) => return vec![error.to_string()],
        };
        let missing = match provider {
            TrackerProvider::Jira => self.jira.missing(),
            TrackerProvider::Linear => self.linear.missing(),
            TrackerProvider::None => Vec::new(),
        };
        if !missing.is_empty() {
            problems.push(format!("SIMA_TRACKER={provider} needs {} ({provider}.* in sima.toml)", missing.join(", ")));
        }
        for (name, url) in [
            ("SIMA_JIRA_URL (jira.url)", &self.jira.url),
            ("SIMA_LINEAR_API_URL (linear.api_url)", &self.linear.api_url),
        ] {
            let Some(url) = url else { continue };
            if !is_safe_provider_url(url) {
                problems.push(format!(
                    "{name} must be an https:// URL (plain http:// only to 127.0.0.1, localhost or [::1]), since \
                     credentials are sent to it; got `{}`",
                    redact_url(url)
                ));
            }
        }
        for (name, secret) in [
            ("SIMA_JIRA_WEBHOOK_SECRET (jira.webhook_secret)", &self.jira.webhook_secret),
            ("SIMA_LINEAR_WEBHOOK_SECRET (linear.webhook_secret)", &self.linear.webhook_secret),
        ] {
            let Some(secret) = secret else { continue };
            let len = secret.expose().chars().count();
            if len < MIN_SECRET_LEN || secret.expose().trim() != secret.expose() {
                problems.push(format!(
                    "{name} must be at least {MIN_SECRET_LEN} characters without surrounding spaces (got {len}); \
                     generate one with `openssl rand -hex 32`, or leave it unset"
                ));
            }
        }
        for (key, value) in [("jira.api_token", &self.jira.api_token), ("linear.api_key", &self.linear.api_key)] {
            if value.as_ref().is_some_and(|v| v.expose().trim().is_empty()) {
                problems.push(format!("{key} is set but empty: give the credential, or leave the key unset"));
            }
        }
        if self.jira.issue_type.as_deref().is_some_and(|t| t.trim().is_empty()) {
            problems.push("SIMA_JIRA_ISSUE_TYPE (jira.issue_type) is empty: name an issue type, e.g. `Task`".into());
        }
        problems
    }

    /// The start-up line about the tracker, secrets never shown.
    pub(super) fn describe_tracker(&self) -> String {
        let tracker = &self.tracker;
        let reading = match tracker.reconcile_every.0 {
            Some(_) => format!("read back every {}", tracker.reconcile_every),
            None => "never read back but by webhook (reconcile_every = off)".to_owned(),
        };
        let hook = |secret: &Option<Secret>, route: &str, variable: &str| match secret {
            Some(_) => format!("webhooks at POST {route}"),
            None => format!("POST {route} refused (set {variable})"),
        };
        match self.tracker_provider() {
            Ok(TrackerProvider::Jira) => format!(
                "tracker: Jira (project {}, export {}, {reading}; {})",
                self.jira.project.as_deref().unwrap_or("?"),
                tracker.export.as_str(),
                hook(&self.jira.webhook_secret, "/webhooks/jira", "SIMA_JIRA_WEBHOOK_SECRET")
            ),
            Ok(TrackerProvider::Linear) => format!(
                "tracker: Linear (team {}, export {}, {reading}; {})",
                self.linear.team_id.as_deref().unwrap_or("?"),
                tracker.export.as_str(),
                hook(&self.linear.webhook_secret, "/webhooks/linear", "SIMA_LINEAR_WEBHOOK_SECRET")
            ),
            Ok(TrackerProvider::None) => "tracker: none (set SIMA_TRACKER=jira or linear)".to_owned(),
            Err(error) => format!("tracker: {error}"),
        }
    }
}
