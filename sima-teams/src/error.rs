//! What can go wrong talking to Teams, and how it maps into the core's `PortError`.

use std::time::Duration;

use sima_core::ports::PortError;
use thiserror::Error;

/// A failed call to Microsoft Graph, the Bot Framework Connector or the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TeamsError {
    /// HTTP 429.
    #[error("{what} rate limited")]
    RateLimited {
        /// The call made (`graph: create channel`).
        what: &'static str,
        /// The service's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },
    /// An HTTP status other than 2xx or 429.
    #[error("{what} answered HTTP {status}{}", code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Status {
        /// The call made.
        what: &'static str,
        /// The status code.
        status: u16,
        /// The service's error code (`NameAlreadyExists`), when it sent one.
        code: Option<String>,
    },
    /// The token endpoint refused the app's credentials.
    #[error("the token endpoint refused the app credentials: HTTP {status}")]
    Credentials {
        /// The status code.
        status: u16,
    },
    /// The request did not complete: timeout, connection refused, reset.
    #[error("{what} unreachable: {detail}")]
    Transport {
        /// The call made.
        what: &'static str,
        /// What happened.
        detail: String,
    },
    /// The answer was not the JSON expected.
    #[error("{what} answered something unreadable: {detail}")]
    Decode {
        /// The call made.
        what: &'static str,
        /// What did not parse.
        detail: String,
    },
    /// A reference that this adapter did not make (a Slack `ts`, a foreign trigger).
    #[error("not a Teams reference: {0}")]
    Reference(String),
    /// The adapter could not be built (bad URL, TLS setup).
    #[error("teams adapter misconfigured: {0}")]
    Config(String),
}

impl TeamsError {
    /// The service's error code, for error answers that carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Status { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, for error answers.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } | Self::Credentials { status } => Some(*status),
            _ => None,
        }
    }
}

/// Statuses of Graph and the Connector map through [`PortError::from_http`]
/// as they are. The token endpoint is the exception: OAuth 2.0 (RFC 6749
/// §5.2) answers refused client credentials with 400 or 401, so its 400, 401
/// and 403 arrive here as `Credentials`, which is `Unauthorized`.
impl From<TeamsError> for PortError {
    fn from(error: TeamsError) -> Self {
        let detail = error.to_string();
        match error {
            TeamsError::RateLimited { retry_after, .. } => PortError::from_http(429, retry_after, detail),
            TeamsError::Status { status, .. } => PortError::from_http(status, None, detail),
            TeamsError::Credentials { .. } => PortError::Unauthorized(detail),
            TeamsError::Transport { .. } => PortError::Transient(detail),
            TeamsError::Decode { .. } | TeamsError::Reference(_) | TeamsError::Config(_) => PortError::Invalid(detail),
        }
    }
}

/// A short description of a reqwest failure.
pub(crate) fn transport_detail(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else {
        error.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> PortError {
        TeamsError::Status { what: "graph: create channel", status, code: None }.into()
    }

    #[test]
    fn statuses_map_to_port_errors() {
        assert!(matches!(status(500), PortError::Transient(_)));
        assert!(matches!(status(503), PortError::Transient(_)));
        assert!(matches!(status(401), PortError::Unauthorized(_)));
        assert!(matches!(status(403), PortError::Unauthorized(_)));
        assert!(matches!(status(404), PortError::NotFound(_)));
        assert!(matches!(status(400), PortError::Invalid(_)));
        assert!(matches!(status(409), PortError::Conflict(_)));
        assert!(matches!(status(410), PortError::NotFound(_)));
        assert!(matches!(status(408), PortError::Transient(_)));
        assert!(matches!(PortError::from(TeamsError::Credentials { status: 400 }), PortError::Unauthorized(_)));
        let timeout = TeamsError::Transport { what: "connector: post", detail: "timed out".into() };
        assert!(PortError::from(timeout).is_retryable());
        let limited = TeamsError::RateLimited { what: "connector: post", retry_after: Some(Duration::from_secs(7)) };
        assert_eq!(PortError::from(limited), PortError::RateLimited { retry_after: Some(Duration::from_secs(7)) });
    }
}
