//! Typed configuration: the site, the space, the credentials.

use serde::Deserialize;

pub use sima_core::{HttpPolicy, Secret};

/// How `ConfluenceDocs` reaches Confluence, and which space post-mortems go to.
///
/// Confluence Cloud has no single API host (every site is its own), so
/// `url` has no default.
///
/// ```toml
/// url = "https://acme.atlassian.net/wiki"
/// space_id = "98306"
/// parent_id = "557057"          # optional: post-mortems become its children
/// private_parent_id = "557099"  # optional: private incidents' post-mortems go under it instead
/// email = "sima@acme.example"   # set: `token` is an API token, sent with Basic auth
/// token = "ATATT3x..."
/// [http]                        # optional: timeouts and retries on rate limits
/// timeout_secs = 20
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfluenceConfig {
    /// The site's wiki base (`https://acme.atlassian.net/wiki`), or for an
    /// OAuth 2.0 app `https://api.atlassian.com/ex/confluence/{cloud_id}/wiki`;
    /// the REST API v2 is under `{url}/api/v2`.
    pub url: String,
    /// The numeric id of the space post-mortems are created in (API v2 takes ids, not keys).
    pub space_id: String,
    /// The page post-mortems are created under; unset: at the space's top level.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// The page private incidents' post-mortems are created under (restrict
    /// who may view it: its children inherit that). Unset: they go where the
    /// others go, readable by whoever may read that space.
    #[serde(default)]
    pub private_parent_id: Option<String>,
    /// The Atlassian account's e-mail. Set, `token` is that account's API
    /// token, sent with Basic auth; unset, `token` is an OAuth 2.0 access
    /// token, sent as `Bearer`.
    #[serde(default)]
    pub email: Option<String>,
    /// The API token or access token.
    pub token: Secret,
    /// Timeouts and in-process retries on rate limits.
    #[serde(default)]
    pub http: HttpPolicy,
}

impl ConfluenceConfig {
    /// A configuration sending `token` as a Bearer token, with the default timeouts and retries.
    pub fn new(url: impl Into<String>, space_id: impl Into<String>, token: Secret) -> Self {
        Self {
            url: url.into(),
            space_id: space_id.into(),
            parent_id: None,
            private_parent_id: None,
            email: None,
            token,
            http: HttpPolicy::default(),
        }
    }

    /// The same configuration creating pages under the page `parent_id`.
    pub fn with_parent_id(mut self, parent_id: impl Into<String>) -> Self {
        self.parent_id = Some(parent_id.into());
        self
    }

    /// The same configuration creating private incidents' pages under the page `private_parent_id`.
    pub fn with_private_parent_id(mut self, private_parent_id: impl Into<String>) -> Self {
        self.private_parent_id = Some(private_parent_id.into());
        self
    }

    /// The same configuration with `token` as the API token of the account `email` (Basic auth).
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// The same configuration against another site (a proxy, a test server).
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_in_and_unknown_fields_are_refused() {
        let config: ConfluenceConfig =
            serde_json::from_str(r#"{"url":"https://acme.atlassian.net/wiki","space_id":"42","token":"t"}"#).unwrap();
        assert_eq!(config, ConfluenceConfig::new("https://acme.atlassian.net/wiki", "42", Secret::new("t")));
        assert_eq!(config.parent_id, None);
        assert_eq!(config.private_parent_id, None);
        assert_eq!(config.http, HttpPolicy::default());
        let basic: ConfluenceConfig = serde_json::from_str(
            r#"{"url":"https://a","space_id":"42","parent_id":"7","private_parent_id":"8","email":"e@x","token":"t"}"#,
        )
        .unwrap();
        assert_eq!(basic.email.as_deref(), Some("e@x"));
        assert_eq!(basic.parent_id.as_deref(), Some("7"));
        assert_eq!(basic.private_parent_id.as_deref(), Some("8"));

        let unknown = r#"{"url":"https://a","space_id":"42","token":"t","space_key":"OPS"}"#;
        let err = serde_json::from_str::<ConfluenceConfig>(unknown).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = serde_json::from_str::<ConfluenceConfig>(r#"{"space_id":"42","token":"t"}"#).unwrap_err();
        assert!(err.to_string().contains("url"), "{err}");
    }

    #[test]
    fn debug_never_prints_the_token() {
        let config = ConfluenceConfig::new("https://a", "42", Secret::new("ATATT-supersecret")).with_email("e@x");
        let shown = format!("{config:?}");
        assert!(!shown.contains("supersecret"), "{shown}");
        assert!(shown.contains("[redacted]") && shown.contains("e@x"), "{shown}");
    }
}
