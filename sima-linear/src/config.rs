//! Typed configuration: the API key, the team, the endpoint, the webhook secret.

use serde::Deserialize;

pub use sima_core::{HttpPolicy, Secret};

/// Linear's GraphQL endpoint.
pub const DEFAULT_API_URL: &str = "https://api.linear.app/graphql";

/// How `LinearTracker` reaches Linear, and which team its issues go to.
///
/// ```toml
/// api_key = "lin_api_..."              # a personal API key, sent as `Authorization: <key>`
/// team_id = "9cfb482a-81e3-4154-b5b9-2c805e70a02d"
/// api_url = "https://api.linear.app/graphql"  # optional
/// webhook_secret = "lin_wh_..."        # optional: verifies `POST /webhooks/linear`
/// [http]                               # optional: timeouts and retries on rate limits
/// timeout_secs = 20
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearConfig {
    /// A personal API key (`lin_api_…`), sent as the whole `Authorization`
    /// header, without `Bearer`, as Linear documents for personal keys.
    pub api_key: Secret,
    /// The id (UUID) of the team issues are created in.
    pub team_id: String,
    /// The GraphQL endpoint; a proxy or a test server in place of Linear.
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// The signing secret of the Linear webhook that reports issue changes;
    /// unset, the server refuses Linear's webhooks.
    #[serde(default)]
    pub webhook_secret: Option<Secret>,
    /// Timeouts and in-process retries on rate limits.
    #[serde(default)]
    pub http: HttpPolicy,
}

fn default_api_url() -> String {
    DEFAULT_API_URL.to_owned()
}

impl LinearConfig {
    /// A configuration for `team_id` with `api_key`, Linear's endpoint and the default timeouts.
    pub fn new(api_key: Secret, team_id: impl Into<String>) -> Self {
        Self {
            api_key,
            team_id: team_id.into(),
            api_url: default_api_url(),
            webhook_secret: None,
            http: HttpPolicy::default(),
        }
    }

    /// The same configuration against another endpoint (a proxy, a test server).
    pub fn with_api_url(mut self, api_url: impl Into<String>) -> Self {
        self.api_url = api_url.into();
        self
    }

    /// The same configuration verifying webhooks with `secret`.
    pub fn with_webhook_secret(mut self, secret: Secret) -> Self {
        self.webhook_secret = Some(secret);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_in_and_unknown_fields_are_refused() {
        let config: LinearConfig = serde_json::from_str(r#"{"api_key":"lin_api_k","team_id":"t1"}"#).unwrap();
        assert_eq!(config, LinearConfig::new(Secret::new("lin_api_k"), "t1"));
        assert_eq!(config.api_url, "https://api.linear.app/graphql");
        assert_eq!(config.webhook_secret, None);
        assert_eq!(config.http, HttpPolicy::default());

        let full: LinearConfig = serde_json::from_str(
            r#"{"api_key":"k","team_id":"t1","api_url":"http://127.0.0.1:9/graphql","webhook_secret":"s"}"#,
        )
        .unwrap();
        assert_eq!(full.api_url, "http://127.0.0.1:9/graphql");
        assert_eq!(full.webhook_secret, Some(Secret::new("s")));

        let err =
            serde_json::from_str::<LinearConfig>(r#"{"api_key":"k","team_id":"t","team_key":"ENG"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = serde_json::from_str::<LinearConfig>(r#"{"api_key":"k"}"#).unwrap_err();
        assert!(err.to_string().contains("team_id"), "{err}");
    }

    #[test]
    fn debug_never_prints_the_secrets() {
        let config = LinearConfig::new(Secret::new("lin_api_supersecret"), "t1")
            .with_webhook_secret(Secret::new("lin_wh_hushhush"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("supersecret") && !shown.contains("hushhush"), "{shown}");
        assert!(shown.contains("[redacted]") && shown.contains("t1"), "{shown}");
    }
}
