//! What can go wrong talking to PagerDuty, and how it maps to [`PortError`].

use std::time::Duration;

use sima_core::ports::PortError;
use thiserror::Error;

/// A failed Events API call.
#[derive(Debug, Error)]
pub enum PagerDutyError {
    /// No routing key for the domain, and no default one.
    #[error("no routing key for domain `{domain}` and no default routing key")]
    NoRoutingKey {
        /// The domain slug that was to be paged.
        domain: String,
    },
    /// The dedup key is empty or longer than PagerDuty's 255 characters.
    #[error("dedup key must be 1 to 255 characters, was {length}")]
    DedupKey {
        /// Its length in characters.
        length: usize,
    },
    /// PagerDuty refused the event (400): it will refuse it again.
    #[error("PagerDuty refused the event: {message}{}", errors_suffix(errors))]
    Rejected {
        /// PagerDuty's `message`.
        message: String,
        /// PagerDuty's `errors`.
        errors: Vec<String>,
    },
    /// PagerDuty asked us to slow down (429).
    #[error("PagerDuty rate limit")]
    RateLimited {
        /// The `Retry-After` it sent, if any.
        retry_after: Option<Duration>,
    },
    /// Any other HTTP status.
    #[error("PagerDuty answered HTTP {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The request did not complete (connection, timeout).
    #[error("PagerDuty unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

fn errors_suffix(errors: &[String]) -> String {
    if errors.is_empty() {
        String::new()
    } else {
        format!(" ({})", errors.join("; "))
    }
}

impl PagerDutyError {
    /// Whether trying again in process may succeed: whatever the core calls
    /// retryable, since every event is idempotent by its dedup key.
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Transport(_) => true,
            Self::Status { status, .. } => PortError::from_http(*status, None, String::new()).is_retryable(),
            _ => false,
        }
    }
}

/// PagerDuty documents no status with a meaning of its own, so statuses map
/// through [`PortError::from_http`] as they are; its 400 (`Rejected`) keeps
/// PagerDuty's `message` and `errors` in the text.
impl From<PagerDutyError> for PortError {
    fn from(error: PagerDutyError) -> Self {
        let text = error.to_string();
        match error {
            PagerDutyError::RateLimited { retry_after } => PortError::from_http(429, retry_after, text),
            PagerDutyError::Rejected { .. } => PortError::from_http(400, None, text),
            PagerDutyError::Status { status, .. } => PortError::from_http(status, None, text),
            PagerDutyError::Transport(_) => PortError::Transient(text),
            PagerDutyError::NoRoutingKey { .. } | PagerDutyError::DedupKey { .. } | PagerDutyError::Client(_) => {
                PortError::Invalid(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> PortError {
        PagerDutyError::Status { status, body: String::new() }.into()
    }

    #[test]
    fn statuses_map_to_port_errors() {
        assert!(matches!(status(500), PortError::Transient(_)));
        assert!(matches!(status(503), PortError::Transient(_)));
        assert!(matches!(status(401), PortError::Unauthorized(_)));
        assert!(matches!(status(403), PortError::Unauthorized(_)));
        assert!(matches!(status(404), PortError::NotFound(_)));
        assert!(matches!(status(409), PortError::Conflict(_)));
        assert!(matches!(status(413), PortError::Invalid(_)));
    }

    #[test]
    fn what_may_pass_is_retried_in_process() {
        let status = |status| PagerDutyError::Status { status, body: String::new() }.is_retryable();
        assert!(status(500) && status(503) && status(408));
        assert!(!status(400) && !status(404) && !status(409) && !status(301));
        assert!(PagerDutyError::RateLimited { retry_after: None }.is_retryable());
        assert!(!PagerDutyError::NoRoutingKey { domain: "billing".into() }.is_retryable());
    }

    #[test]
    fn a_rejection_carries_pagerduty_errors() {
        let error = PagerDutyError::Rejected {
            message: "Event object is invalid".into(),
            errors: vec!["'payload.summary' is missing".into(), "bad severity".into()],
        };
        assert!(!error.is_retryable());
        assert_eq!(
            PortError::from(error),
            PortError::Invalid(
                "PagerDuty refused the event: Event object is invalid ('payload.summary' is missing; bad severity)"
                    .into()
            )
        );
    }

    #[test]
    fn rate_limits_keep_their_wait() {
        let wait = Some(Duration::from_secs(7));
        assert_eq!(
            PortError::from(PagerDutyError::RateLimited { retry_after: wait }),
            PortError::RateLimited { retry_after: wait }
        );
    }
}
