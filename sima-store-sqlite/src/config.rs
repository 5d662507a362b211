//! Which SQLite file, and how to open it.

use std::time::Duration;

use serde::Deserialize;

/// Settings of a [`SqliteStore`](crate::SqliteStore).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SqliteStoreConfig {
    /// `sqlite://sima.db` (relative to the working directory) or
    /// `sqlite:///var/lib/sima/sima.db`; the file is created if missing.
    pub url: String,
    /// Largest number of pooled connections (readers run in parallel; writes are serialized).
    pub max_connections: u32,
    /// How long a write waits for another process's lock, in milliseconds.
    pub busy_timeout_ms: u64,
    /// SQLite's page cache of each connection, in KiB (default 128, so 1 MiB
    /// for 8 connections). The operating system caches the file as well, so a
    /// page missing here costs a system call, not a disk read, and a write by
    /// another connection empties the cache anyway. SQLite's own default
    /// (2 MiB a connection) made a long-running server's memory grow by
    /// 12 MiB as the caches filled.
    pub cache_kib_per_connection: u32,
    /// Apply the embedded migrations on connect.
    pub migrate: bool,
}

impl SqliteStoreConfig {
    /// Defaults with this URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), ..Self::default() }
    }

    /// Defaults for a file path.
    pub fn file(path: impl AsRef<std::path::Path>) -> Self {
        Self::new(format!("sqlite://{}", path.as_ref().display()))
    }

    /// The busy timeout as a duration.
    pub fn busy_timeout(&self) -> Duration {
        Duration::from_millis(self.busy_timeout_ms)
    }
}

impl Default for SqliteStoreConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://sima.db".into(),
            max_connections: 8,
            busy_timeout_ms: 5_000,
            cache_kib_per_connection: 128,
            migrate: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_paths() {
        assert_eq!(SqliteStoreConfig::default().url, "sqlite://sima.db");
        assert_eq!(SqliteStoreConfig::file("/tmp/x.db").url, "sqlite:///tmp/x.db");
        let config: SqliteStoreConfig = serde_json::from_str(r#"{"url": "sqlite://a.db", "migrate": false}"#).unwrap();
        assert_eq!((config.max_connections, config.cache_kib_per_connection), (8, 128));
        assert!(!config.migrate);
        assert!(serde_json::from_str::<SqliteStoreConfig>(r#"{"path": "a.db"}"#).is_err());
    }
}
