//! The one error shape every outbound port returns.

use std::time::Duration;

use thiserror::Error;

/// Why a port call failed. Retry `RateLimited` and `Transient` with backoff;
/// never retry the rest.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PortError {
    /// The platform asked us to slow down.
    #[error("rate limited{}", retry_after.map(|d| format!(", retry after {}s", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        /// How long the platform asked us to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// A failure that may pass: network, timeout, 5xx, database restart.
    #[error("transient failure: {0}")]
    Transient(String),
    /// The platform refused the request as malformed.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// Credentials are missing, wrong or revoked.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The target does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Someone else changed it first (optimistic concurrency, duplicates).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The platform cannot do this at all.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl PortError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rate_limits_and_transients_are_retried() {
        assert!(PortError::RateLimited { retry_after: None }.is_retryable());
        assert!(PortError::Transient("503".into()).is_retryable());
        for e in [
            PortError::Invalid("x".into()),
            PortError::Unauthorized("x".into()),
            PortError::NotFound("x".into()),
            PortError::Conflict("x".into()),
            PortError::Unsupported("x".into()),
        ] {
            assert!(!e.is_retryable());
        }
        let shown = PortError::RateLimited { retry_after: Some(Duration::from_secs(3)) }.to_string();
        assert_eq!(shown, "rate limited, retry after 3s");
    }
}
