//! Typed configuration: the site, the credentials, the project and issue type.

use serde::Deserialize;

pub use sima_core::{HttpPolicy, Secret};

/// How `JiraTracker` reaches Jira Cloud, and where action items become issues.
///
/// ```toml
/// url = "https://acme.atlassian.net"   # the site; REST v3 is under {url}/rest/api/3
/// email = "sima@acme.example"          # the account the API token belongs to
/// api_token = "ATATT3x..."             # sent with Basic auth; never printed
/// project = "OPS"                      # the project key issues are created in
/// issue_type = "Task"                  # optional, default "Task"
/// webhook_secret = "..."               # optional: checks X-Hub-Signature on POST /webhooks/jira
/// [http]                               # optional: timeouts and retries on rate limits
/// timeout_secs = 20
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JiraConfig {
    /// The site (`https://acme.atlassian.net`); the REST API v3 is under `{url}/rest/api/3`.
    pub url: String,
    /// The e-mail of the Atlassian account `api_token` belongs to.
    pub email: String,
    /// That account's API token, sent with Basic auth.
    pub api_token: Secret,
    /// The key of the project issues are created in (`OPS`).
    pub project: String,
    /// The issue type's name (`Task`, `Bug`…); it must exist in the project.
    #[serde(default = "default_issue_type")]
    pub issue_type: String,
    /// The secret set on Jira's admin webhook; unset, webhooks are refused.
    #[serde(default)]
    pub webhook_secret: Option<Secret>,
    /// Timeouts and in-process retries on rate limits.
    #[serde(default)]
    pub http: HttpPolicy,
}

/// The issue type used when none is configured.
pub const DEFAULT_ISSUE_TYPE: &str = "Task";

fn default_issue_type() -> String {
    DEFAULT_ISSUE_TYPE.to_owned()
}

impl JiraConfig {
    /// A configuration creating `Task` issues in `project`, with the default timeouts and retries.
    pub fn new(
        url: impl Into<String>,
        email: impl Into<String>,
        api_token: Secret,
        project: impl Into<String>,
    ) -> Self {
        Self {
            url: url.into(),
            email: email.into(),
            api_token,
            project: project.into(),
            issue_type: default_issue_type(),
            webhook_secret: None,
            http: HttpPolicy::default(),
        }
    }

    /// The same configuration creating issues of type `issue_type`.
    pub fn with_issue_type(mut self, issue_type: impl Into<String>) -> Self {
        self.issue_type = issue_type.into();
        self
    }

    /// The same configuration accepting webhooks signed with `secret`.
    pub fn with_webhook_secret(mut self, secret: Secret) -> Self {
        self.webhook_secret = Some(secret);
        self
    }

    /// The same configuration with other timeouts and retries.
    pub fn with_http(mut self, http: HttpPolicy) -> Self {
        self.http = http;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_in_and_unknown_fields_are_refused() {
        let config: JiraConfig = serde_json::from_str(
            r#"{"url":"https://acme.atlassian.net","email":"e@x","api_token":"t","project":"OPS"}"#,
        )
        .unwrap();
        assert_eq!(config, JiraConfig::new("https://acme.atlassian.net", "e@x", Secret::new("t"), "OPS"));
        assert_eq!(config.issue_type, "Task");
        assert_eq!(config.webhook_secret, None);
        assert_eq!(config.http, HttpPolicy::default());

        let full: JiraConfig = serde_json::from_str(
            r#"{"url":"https://a","email":"e@x","api_token":"t","project":"OPS","issue_type":"Bug","webhook_secret":"w"}"#,
        )
        .unwrap();
        assert_eq!(full.issue_type, "Bug");
        assert_eq!(full.webhook_secret, Some(Secret::new("w")));

        let unknown = r#"{"url":"https://a","email":"e@x","api_token":"t","project":"OPS","token":"t"}"#;
        let err = serde_json::from_str::<JiraConfig>(unknown).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err =
            serde_json::from_str::<JiraConfig>(r#"{"url":"https://a","email":"e@x","api_token":"t"}"#).unwrap_err();
        assert!(err.to_string().contains("project"), "{err}");
    }

    #[test]
    fn debug_never_prints_the_secrets() {
        let config = JiraConfig::new("https://a", "e@x", Secret::new("ATATT-supersecret"), "OPS")
            .with_webhook_secret(Secret::new("hook-secret"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("supersecret") && !shown.contains("hook-secret"), "{shown}");
        assert!(shown.contains("[redacted]") && shown.contains("e@x"), "{shown}");
    }
}
