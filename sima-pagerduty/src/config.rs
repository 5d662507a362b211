//! Typed configuration: where to send events, which routing key pages which domain.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The Events API v2 enqueue URL used when none is configured.
pub const DEFAULT_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

pub use sima_core::{HttpPolicy, Secret};

/// How `PagerDutyPager` reaches PagerDuty.
///
/// Deserializes from a table such as:
/// ```toml
/// events_url = "https://events.pagerduty.com/v2/enqueue"
/// default_routing_key = "R0UT1NGKEY..."
/// [routing_keys]
/// outbound-email = "0THERKEY..."
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PagerDutyConfig {
    /// The full enqueue URL (`https://events.pagerduty.com/v2/enqueue`).
    pub events_url: String,
    /// Routing key for domains that have none of their own.
    pub default_routing_key: Option<Secret>,
    /// Routing key per domain slug.
    pub routing_keys: BTreeMap<String, Secret>,
    /// Timeouts and retries.
    pub http: HttpPolicy,
}

impl Default for PagerDutyConfig {
    fn default() -> Self {
        Self {
            events_url: DEFAULT_EVENTS_URL.to_owned(),
            default_routing_key: None,
            routing_keys: BTreeMap::new(),
            http: HttpPolicy::default(),
        }
    }
}

impl PagerDutyConfig {
    /// A configuration that pages every domain through one routing key.
    pub fn new(default_routing_key: impl Into<String>) -> Self {
        Self { default_routing_key: Some(Secret::new(default_routing_key)), ..Self::default() }
    }

    /// Sends events to another enqueue URL (a proxy, a test server).
    pub fn with_events_url(mut self, events_url: impl Into<String>) -> Self {
        self.events_url = events_url.into();
        self
    }

    /// Pages `domain` through its own routing key.
    pub fn with_routing_key(mut self, domain: impl Into<String>, routing_key: impl Into<String>) -> Self {
        self.routing_keys.insert(domain.into(), Secret::new(routing_key));
        self
    }

    /// The routing key that pages `domain`: its own, else the default.
    pub fn routing_key_for(&self, domain: &str) -> Option<&Secret> {
        self.routing_keys.get(domain).or(self.default_routing_key.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_fields_are_refused() {
        let config: PagerDutyConfig = toml::from_str(
            r#"
            default_routing_key = "defaultkey"
            [routing_keys]
            outbound-email = "emailkey"
            "#,
        )
        .unwrap();
        assert_eq!(config.events_url, DEFAULT_EVENTS_URL);
        assert_eq!(config.http, HttpPolicy::default());
        assert_eq!(config.routing_key_for("outbound-email").unwrap().expose(), "emailkey");
        assert_eq!(config.routing_key_for("billing").unwrap().expose(), "defaultkey");

        let err = toml::from_str::<PagerDutyConfig>("routing_key = \"x\"").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn no_key_when_neither_the_domain_nor_the_default_has_one() {
        let config = PagerDutyConfig::default().with_routing_key("billing", "k");
        assert!(config.routing_key_for("outbound-email").is_none());
    }

    #[test]
    fn debug_never_prints_routing_keys() {
        let config = PagerDutyConfig::new("supersecretdefault").with_routing_key("billing", "supersecretbilling");
        let shown = format!("{config:?}");
        assert!(!shown.contains("supersecret"), "{shown}");
        assert!(shown.contains("billing"), "{shown}");
    }
}
