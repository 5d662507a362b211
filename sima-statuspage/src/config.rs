//! Typed configuration: the API, the key, the page.

use serde::Deserialize;

pub use sima_core::{HttpPolicy, Secret};

/// The manage API's address, unless a proxy or a test server stands in.
pub const DEFAULT_API_URL: &str = "https://api.statuspage.io/v1";

/// How `StatuspagePage` reaches Atlassian Statuspage, and which page it updates.
///
/// ```toml
/// api_key = "89a229ce…"            # manage.statuspage.io → your avatar → API info
/// page_id = "gytm4qzbx9t6"         # the same screen lists each page's id
/// api_url = "https://api.statuspage.io/v1"   # optional
/// [http]                           # optional: timeouts and retries on rate limits
/// timeout_secs = 20
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatuspageConfig {
    /// The manage API's base (`https://api.statuspage.io/v1`).
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// The organization's API key, sent as `Authorization: OAuth <key>`.
    pub api_key: Secret,
    /// The id of the page incidents are published on.
    pub page_id: String,
    /// Timeouts and in-process retries on rate limits.
    #[serde(default)]
    pub http: HttpPolicy,
}

fn default_api_url() -> String {
    DEFAULT_API_URL.to_owned()
}

impl StatuspageConfig {
    /// A configuration for `page_id` on the public API, with the default timeouts and retries.
    pub fn new(api_key: Secret, page_id: impl Into<String>) -> Self {
        Self { api_url: default_api_url(), api_key, page_id: page_id.into(), http: HttpPolicy::default() }
    }

    /// The same configuration against another API base (a proxy, a test server).
    pub fn with_api_url(mut self, api_url: impl Into<String>) -> Self {
        self.api_url = api_url.into();
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
        let config: StatuspageConfig = serde_json::from_str(r#"{"api_key":"k","page_id":"p1"}"#).unwrap();
        assert_eq!(config, StatuspageConfig::new(Secret::new("k"), "p1"));
        assert_eq!(config.api_url, "https://api.statuspage.io/v1");
        assert_eq!(config.http, HttpPolicy::default());

        let proxied: StatuspageConfig =
            serde_json::from_str(r#"{"api_url":"https://proxy.example/v1","api_key":"k","page_id":"p1"}"#).unwrap();
        assert_eq!(proxied.api_url, "https://proxy.example/v1");

        let err =
            serde_json::from_str::<StatuspageConfig>(r#"{"api_key":"k","page_id":"p","org_id":"o"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = serde_json::from_str::<StatuspageConfig>(r#"{"api_key":"k"}"#).unwrap_err();
        assert!(err.to_string().contains("page_id"), "{err}");
        let err = serde_json::from_str::<StatuspageConfig>(r#"{"page_id":"p"}"#).unwrap_err();
        assert!(err.to_string().contains("api_key"), "{err}");
    }

    #[test]
    fn debug_never_prints_the_key() {
        let config = StatuspageConfig::new(Secret::new("89a229ce-supersecret"), "gytm4qzbx9t6");
        let shown = format!("{config:?}");
        assert!(!shown.contains("supersecret"), "{shown}");
        assert!(shown.contains("[redacted]") && shown.contains("gytm4qzbx9t6"), "{shown}");
    }
}
