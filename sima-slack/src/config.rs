//! Typed configuration of the Slack adapter.

use std::time::Duration;

use serde::Deserialize;

/// The default Web API base; methods are appended as `/<method>`.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

pub use sima_core::{HttpPolicy, Secret};

/// How SIMA talks to one Slack workspace.
///
/// ```toml
/// api_url = "https://slack.com/api"   # optional, this is the default
/// bot_token = "xoxb-…"
/// signing_secret = "…"
/// team_id = "T0123ABCD"               # optional
/// [http]                              # optional: timeouts and retries on rate limits
/// timeout_secs = 20
/// ```
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
    /// Timeouts and in-process retries on rate limits.
    #[serde(default)]
    pub http: HttpPolicy,
}

impl SlackConfig {
    /// A configuration with the defaults and these credentials.
    pub fn new(bot_token: Secret, signing_secret: Secret) -> Self {
        Self { api_url: default_api_url(), bot_token, signing_secret, team_id: None, http: HttpPolicy::default() }
    }

    /// The same configuration against another API base (a test server).
    pub fn with_api_url(mut self, api_url: impl Into<String>) -> Self {
        self.api_url = api_url.into();
        self
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.http.timeout()
    }

    /// The longest in-process wait on a rate limit.
    pub fn max_retry_wait(&self) -> Duration {
        self.http.max_retry_wait()
    }
}

fn default_api_url() -> String {
    DEFAULT_API_URL.to_owned()
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
        assert_eq!(config.http, HttpPolicy::default());
        assert_eq!(config.timeout(), Duration::from_secs(20));
        let tuned: SlackConfig =
            serde_json::from_str(r#"{"bot_token":"x","signing_secret":"s","http":{"max_attempts":1}}"#).unwrap();
        assert_eq!(tuned.http, HttpPolicy { max_attempts: 1, ..HttpPolicy::default() });
        let err = serde_json::from_str::<SlackConfig>(r#"{"bot_token":"x","signing_secret":"s","tokn":1}"#);
        assert!(err.is_err());
    }
}
