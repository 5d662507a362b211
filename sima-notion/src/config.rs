//! Typed configuration: the API, the token, the data source and its property names.

use serde::Deserialize;

/// The API base used when none is configured (it includes the version path).
pub const DEFAULT_API_URL: &str = "https://api.notion.com/v1";
/// The `Notion-Version` this crate's wire types follow.
pub const NOTION_VERSION: &str = "2025-09-03";

pub use sima_core::{HttpPolicy, Secret};

/// How `NotionDocs` reaches Notion, and where post-mortems go.
///
/// ```toml
/// api_url = "https://api.notion.com/v1"
/// token = "ntn_..."
/// data_source_id = "d9824bdc-8445-4327-be8b-5b47500af6ce"
/// private_data_source_id = "5c0b4e7a-…"   # optional: private incidents' post-mortems go there
/// [properties]
/// title = "Name"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotionConfig {
    /// API base including the version path (`https://api.notion.com/v1`).
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// The integration token, sent as `Authorization: Bearer`.
    pub token: Secret,
    /// The data source (database) post-mortems are created in.
    pub data_source_id: String,
    /// The data source private incidents' post-mortems are created in (one
    /// shared only with their people). Unset: they go to `data_source_id`,
    /// readable by whoever may read it.
    #[serde(default)]
    pub private_data_source_id: Option<String>,
    /// The names of the data source's properties.
    #[serde(default)]
    pub properties: PropertyNames,
    /// Timeouts and retries.
    #[serde(default)]
    pub http: HttpPolicy,
}

fn default_api_url() -> String {
    DEFAULT_API_URL.to_owned()
}

impl NotionConfig {
    /// A configuration with the default API URL, property names and retries.
    pub fn new(token: impl Into<String>, data_source_id: impl Into<String>) -> Self {
        Self {
            api_url: default_api_url(),
            token: Secret::new(token),
            data_source_id: data_source_id.into(),
            private_data_source_id: None,
            properties: PropertyNames::default(),
            http: HttpPolicy::default(),
        }
    }

    /// The same configuration creating private incidents' post-mortems in `private_data_source_id`.
    pub fn with_private_data_source_id(mut self, private_data_source_id: impl Into<String>) -> Self {
        self.private_data_source_id = Some(private_data_source_id.into());
        self
    }

    /// Sends requests to another API base (a proxy, a test server).
    pub fn with_api_url(mut self, api_url: impl Into<String>) -> Self {
        self.api_url = api_url.into();
        self
    }
}

/// The names of the data source's properties, and so their types:
/// `title` is the title property, `number`, `incident_manager` are text,
/// `severity`, `domain`, `status` are selects, `started_at`, `resolved_at`
/// dates, `mtta_minutes`, `mttr_minutes` numbers, `channel` a URL.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PropertyNames {
    /// Title property (`Name`).
    pub title: String,
    /// Text property holding `INC-42`; post-mortems are looked up by it.
    pub number: String,
    /// Select: `sev1`…`sev4`.
    pub severity: String,
    /// Select: the domain slug.
    pub domain: String,
    /// Select: review status (`Draft`).
    pub status: String,
    /// Date: when impact began.
    pub started_at: String,
    /// Date: when it was resolved.
    pub resolved_at: String,
    /// Number: time to acknowledge, in minutes.
    pub mtta_minutes: String,
    /// Number: time to recover, in minutes.
    pub mttr_minutes: String,
    /// Text: the Incident Manager.
    pub incident_manager: String,
    /// URL: the incident room.
    pub channel: String,
}

impl Default for PropertyNames {
    fn default() -> Self {
        Self {
            title: "Name".into(),
            number: "Incident".into(),
            severity: "Severity".into(),
            domain: "Domain".into(),
            status: "Status".into(),
            started_at: "Started".into(),
            resolved_at: "Resolved".into(),
            mtta_minutes: "MTTA (min)".into(),
            mttr_minutes: "MTTR (min)".into(),
            incident_manager: "Incident manager".into(),
            channel: "Channel".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_fields_are_refused() {
        let config: NotionConfig = toml::from_str(
            r#"
            token = "ntn_secret"
            data_source_id = "ds-1"
            [properties]
            title = "Post-mortem"
            "#,
        )
        .unwrap();
        assert_eq!(config.api_url, DEFAULT_API_URL);
        assert_eq!(config.properties.title, "Post-mortem");
        assert_eq!(config.properties.number, "Incident");
        assert_eq!(config.private_data_source_id, None);
        let private: NotionConfig =
            toml::from_str("token = \"t\"\ndata_source_id = \"d\"\nprivate_data_source_id = \"p\"").unwrap();
        assert_eq!(private.private_data_source_id.as_deref(), Some("p"));
        assert_eq!(config.http, HttpPolicy::default());

        let err =
            toml::from_str::<NotionConfig>("token = \"t\"\ndata_source_id = \"d\"\ndatabase_id = \"x\"").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = toml::from_str::<NotionConfig>("token = \"t\"").unwrap_err();
        assert!(err.to_string().contains("data_source_id"), "{err}");
    }

    #[test]
    fn debug_never_prints_the_token() {
        let shown = format!("{:?}", NotionConfig::new("ntn_supersecret", "ds-1"));
        assert!(!shown.contains("supersecret"), "{shown}");
        assert!(shown.contains("ds-1"), "{shown}");
    }
}
