//! The server's own sections: declarable domains, monitoring alerts, limits.

use serde::Deserialize;
use sima_core::domain::{Domain, Severity};

use super::Secret;

/// A domain people can declare incidents for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainSettings {
    /// The slug (`outbound-email`).
    pub name: Domain,
    /// What it covers, shown in the declare form.
    #[serde(default)]
    pub description: String,
    /// PagerDuty routing key of its on-call (else the default key).
    #[serde(default)]
    pub routing_key: Option<Secret>,
}

/// How monitoring webhooks are handled.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    /// Severity of alerts that carry none.
    pub default_severity: Severity,
    /// Domain of alerts that name none.
    pub default_domain: Domain,
    /// Resolve the incident when its alert resolves (else only post an update).
    pub resolve_on_alert_resolved: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            default_severity: Severity::Sev3,
            default_domain: Domain::parse("unassigned").unwrap_or_else(|_| unreachable!("a valid slug")),
            resolve_on_alert_resolved: false,
        }
    }
}

/// Abuse and overload protection.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Requests per second one client may make to `/api` and `/webhooks`, sustained.
    pub requests_per_second: u32,
    /// Requests one client may make at once above the sustained rate.
    pub burst: u32,
    /// Requests served at the same time; more are answered 503 at once.
    pub max_in_flight: usize,
    /// Seconds a request may take before it is answered 503.
    pub request_timeout_secs: u64,
    /// Identify clients by the last `X-Forwarded-For` address, whoever the
    /// peer is (one proxy hop; prefer `trusted_proxies`).
    pub trust_forwarded_for: bool,
    /// The reverse proxies in front of this server, as addresses or CIDRs
    /// (`SIMA_TRUSTED_PROXIES`, comma-separated): `X-Forwarded-For` entries
    /// they appended are followed back to the first address that is not one
    /// of them, the client. Declaring any turns the loopback default off.
    pub trusted_proxies: Vec<String>,
}

impl LimitSettings {
    /// Whether any proxy is declared (read on every request: no parsing).
    pub fn declares_proxies(&self) -> bool {
        self.trust_forwarded_for || !self.trusted_proxies.is_empty()
    }

    /// The declared proxies (validated by [`Settings::validate`](super::Settings::validate)).
    pub fn proxies(&self) -> crate::clients::TrustedProxies {
        crate::clients::TrustedProxies::parse(&self.trusted_proxies, self.trust_forwarded_for).unwrap_or_default()
    }
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            requests_per_second: 50,
            burst: 200,
            max_in_flight: 512,
            request_timeout_secs: 10,
            trust_forwarded_for: false,
            trusted_proxies: Vec::new(),
        }
    }
}
