//! Typed configuration of the Slack adapter.

use std::time::Duration;

use serde::Deserialize;

/// The default Web API base; methods are appended as `/<method>`.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

pub use sima_core::Secret;

/// How SIMA talks to one Slack workspace.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// Web API base URL, without a trailing method (`https://slack.com/api`).
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// Bot user OAuth token (`xoxb-…`).
    pub bot_token: Secret,
    /// Signing secret of the Slack app, for inbound requests.
    pub signing_secret: Secret,
    /// Workspace id (`T0123…`); when set, room links open in that workspace.
    #[serde(default)]
    pub team_id: Option<String>,
    /// Per-request timeout, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Attempts per call when Slack rate-limits (1 means no retry).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Longest `Retry-After` waited in process, in seconds; longer waits are
    /// returned as `RateLimited` for the outbox to schedule.
    #[serde(default = "default_max_retry_wait_secs")]
    pub max_retry_wait_secs: u64,
}

impl SlackConfig {
    /// A configuration with the defaults and these credentials.
    pub fn new(bot_token: Secret, signing_secret: Secret) -> Self {
        Self {
            api_url: default_api_url(),
            bot_token,
            signing_secret,
            team_id: None,
            timeout_ms: default_timeout_ms(),
            max_attempts: default_max_attempts(),
            max_retry_wait_secs: default_max_retry_wait_secs(),
        }
    }

    /// The same configuration against another API base (a test server).
    pub fn with_api_url(mut self, api_url: impl Into<String>) -> Self {
        self.api_url = api_url.into();
        self
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The longest in-process wait on a rate limit.
    pub fn max_retry_wait(&self) -> Duration {
        Duration::from_secs(self.max_retry_wait_secs)
    }
}

fn default_api_url() -> String {
    DEFAULT_API_URL.to_owned()
}

fn default_timeout_ms() -> u64 {
    10_000
}

fn default_max_attempts() -> u32 {
    3
}

fn default_max_retry_wait_secs() -> u64 {
    10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let config = SlackConfig::new(Secret::new("xoxb-very-secret"), Secret::new("shh-signing"));
        let shown = format!("{config:?} {}", config.bot_token);
        assert!(!shown.contains("xoxb-very-secret"), "{shown}");
        assert!(!shown.contains("shh-signing"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn defaults_fill_in_and_unknown_fields_are_refused() {
        let config: SlackConfig = serde_json::from_str(r#"{"bot_token":"xoxb-1","signing_secret":"s"}"#).unwrap();
        assert_eq!(config.api_url, DEFAULT_API_URL);
        assert_eq!(config.max_attempts, 3);
        assert_eq!(config.timeout(), Duration::from_secs(10));
        let err = serde_json::from_str::<SlackConfig>(r#"{"bot_token":"x","signing_secret":"s","tokn":1}"#);
        assert!(err.is_err());
    }
}
