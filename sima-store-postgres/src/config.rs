//! How to connect to PostgreSQL.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// Connection settings of a [`PgStore`](crate::PgStore).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PgStoreConfig {
    /// `postgres://user:password@host:port/database`.
    pub url: String,
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// How long to wait for a pooled connection before failing with `Transient`, in seconds.
    pub acquire_timeout_secs: u64,
    /// The same wait in milliseconds, for sub-second deadlines; overrides
    /// `acquire_timeout_secs` when set. While the server is down, sqlx keeps
    /// trying to connect until this deadline, so it is how long a caller
    /// takes to learn of an outage.
    pub acquire_timeout_ms: Option<u64>,
    /// Apply the embedded migrations on connect.
    pub migrate: bool,
}

impl PgStoreConfig {
    /// Defaults with this URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), ..Self::default() }
    }

    /// The acquire timeout as a duration.
    pub fn acquire_timeout(&self) -> Duration {
        self.acquire_timeout_ms.map_or(Duration::from_secs(self.acquire_timeout_secs), Duration::from_millis)
    }
}

impl Default for PgStoreConfig {
    fn default() -> Self {
        Self {
            url: "postgres://localhost/sima".into(),
            max_connections: 10,
            acquire_timeout_secs: 5,
            acquire_timeout_ms: None,
            migrate: true,
        }
    }
}

/// The URL with its password replaced by `***`.
pub(crate) fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

impl fmt::Debug for PgStoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStoreConfig")
            .field("url", &redacted(&self.url))
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout_secs", &self.acquire_timeout_secs)
            .field("acquire_timeout_ms", &self.acquire_timeout_ms)
            .field("migrate", &self.migrate)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        let config = PgStoreConfig::new("postgres://sima:s3cret@db:5432/sima");
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://sima:***@db:5432/sima"), "{shown}");
        assert_eq!(redacted("postgres://db/sima"), "postgres://db/sima");
    }

    #[test]
    fn deserializes_with_defaults_and_rejects_unknown_fields() {
        let config: PgStoreConfig = serde_json::from_str(r#"{"url": "postgres://db/x", "migrate": false}"#).unwrap();
        assert_eq!(config.max_connections, 10);
        assert!(!config.migrate);
        assert_eq!(config.acquire_timeout(), Duration::from_secs(5));
        let quick: PgStoreConfig = serde_json::from_str(r#"{"acquire_timeout_ms": 250}"#).unwrap();
        assert_eq!(quick.acquire_timeout(), Duration::from_millis(250));
        assert!(serde_json::from_str::<PgStoreConfig>(r#"{"uri": "x"}"#).is_err());
    }
}
