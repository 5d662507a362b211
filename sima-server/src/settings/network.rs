//! Who the server is open to, and how it reaches its database.

use super::{redact_url, Settings};

impl Settings {
    /// Whether the API and the dashboard may serve clients on this machine
    /// without a credential: only while listening on a loopback address with
    /// no proxy declared (a forwarder would make every client look local).
    pub fn open_to_loopback(&self) -> bool {
        crate::guard::is_loopback_host(&self.listen) && !self.limits.declares_proxies()
    }

    /// The warning to log when PostgreSQL is reached over a network without
    /// verifying its certificate (`sslmode=verify-full` or `verify-ca`).
    pub fn database_tls_warning(&self) -> Option<String> {
        if !self.is_postgres() {
            return None;
        }
        let (_, rest) = self.database_url.split_once("://")?;
        let (authority, query) = match rest.split_once('?') {
            Some((before, query)) => (before.split('/').next().unwrap_or_default(), query),
            None => (rest.split('/').next().unwrap_or_default(), ""),
        };
        let hosts = authority.rsplit_once('@').map_or(authority, |(_, hosts)| hosts);
        let remote = hosts.split(',').any(|host| !host.is_empty() && !crate::guard::is_loopback_host(host));
        let verified = query.split('&').any(|pair| matches!(pair, "sslmode=verify-full" | "sslmode=verify-ca"));
        (remote && !verified).then(|| {
            format!(
                "the database at {} is reached without verifying its certificate: add `sslmode=verify-full` \
                 (and `sslrootcert=` if its CA is private) to SIMA_DATABASE_URL",
                redact_url(&self.database_url)
            )
        })
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://") || self.database_url.starts_with("postgresql://")
    }
}
