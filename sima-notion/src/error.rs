//! What can go wrong talking to Notion, and how it maps to [`PortError`].

use std::time::Duration;

use sima_core::ports::PortError;
use thiserror::Error;

/// A failed Notion call.
#[derive(Debug, Error)]
pub enum NotionError {
    /// Notion answered with its error envelope (or a bare error status).
    #[error("Notion answered HTTP {status}{}: {message}", code_suffix(code))]
    Api {
        /// The HTTP status.
        status: u16,
        /// Notion's `code` (`validation_error`, `rate_limited`…), empty if none.
        code: String,
        /// Notion's `message`, or the start of the body.
        message: String,
        /// The `Retry-After` it sent, if any.
        retry_after: Option<Duration>,
    },
    /// The request did not complete (connection, timeout): it may have been applied.
    #[error("Notion unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success whose body could not be read.
    #[error("unexpected Notion response: {0}")]
    Decode(#[source] serde_json::Error),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

fn code_suffix(code: &str) -> String {
    if code.is_empty() {
        String::new()
    } else {
        format!(" {code}")
    }
}

impl NotionError {
    /// Notion asked us to slow down (429 `rate_limited`): it did not apply the request.
    pub(crate) fn is_rate_limited(&self) -> bool {
        matches!(self, Self::Api { status: 429, .. })
    }

    /// A failure after which the request may or may not have been applied.
    pub(crate) fn is_unknown_outcome(&self) -> bool {
        match self {
            Self::Transport(_) | Self::Decode(_) => true,
            Self::Api { status, .. } => *status >= 500,
            Self::Client(_) => false,
        }
    }

    /// The `Retry-After` Notion sent with this error.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Statuses map through [`PortError::from_http`], with one exception that
/// Notion documents: a 409 `conflict_error` is a write that collided with
/// another ("make sure the parameters are up to date and try again"), so it
/// is `Transient`, not `Conflict`. The create-or-resume steps of the adapter
/// read the page again on the retry, which is what Notion asks for.
impl From<NotionError> for PortError {
    fn from(error: NotionError) -> Self {
        let text = error.to_string();
        match error {
            NotionError::Api { status: 409, .. } => PortError::Transient(text),
            NotionError::Api { status, retry_after, .. } => PortError::from_http(status, retry_after, text),
            NotionError::Transport(_) | NotionError::Decode(_) => PortError::Transient(text),
            NotionError::Client(_) => PortError::Invalid(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> PortError {
        NotionError::Api { status, code: code.into(), message: "m".into(), retry_after: None }.into()
    }

    #[test]
    fn the_error_envelope_maps_to_port_errors() {
        assert!(matches!(api(400, "validation_error"), PortError::Invalid(_)));
        assert!(matches!(api(400, "invalid_json"), PortError::Invalid(_)));
        assert!(matches!(api(400, "missing_version"), PortError::Invalid(_)));
        assert!(matches!(api(401, "unauthorized"), PortError::Unauthorized(_)));
        assert!(matches!(api(403, "restricted_resource"), PortError::Unauthorized(_)));
        assert!(matches!(api(404, "object_not_found"), PortError::NotFound(_)));
        assert!(matches!(api(409, "conflict_error"), PortError::Transient(_)));
        assert!(matches!(api(500, "internal_server_error"), PortError::Transient(_)));
        assert!(matches!(api(503, "service_unavailable"), PortError::Transient(_)));
        assert!(matches!(api(504, ""), PortError::Transient(_)));
        assert!(matches!(api(418, ""), PortError::Invalid(_)));
        assert!(matches!(api(410, ""), PortError::NotFound(_)));
        assert!(matches!(api(529, ""), PortError::Transient(_)));
        assert_eq!(api(429, "rate_limited"), PortError::RateLimited { retry_after: None });
    }

    #[test]
    fn rate_limits_keep_retry_after() {
        let wait = Some(Duration::from_secs(30));
        let error =
            NotionError::Api { status: 429, code: "rate_limited".into(), message: String::new(), retry_after: wait };
        assert_eq!(PortError::from(error), PortError::RateLimited { retry_after: wait });
    }

    #[test]
    fn only_server_failures_leave_the_outcome_unknown() {
        let error =
            |status| NotionError::Api { status, code: String::new(), message: String::new(), retry_after: None };
        assert!(error(500).is_unknown_outcome());
        assert!(error(529).is_unknown_outcome());
        assert!(!error(429).is_unknown_outcome());
        assert!(!error(400).is_unknown_outcome());
    }
}
