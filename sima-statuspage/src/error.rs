//! What can go wrong talking to Statuspage, and how it maps to [`PortError`].

use std::time::Duration;

use sima_core::ports::PortError;
use thiserror::Error;

/// The status Statuspage answered rate limits with until 2021, and still
/// does for integrations built around it; it carries `Retry-After` like a 429.
pub const ENHANCE_YOUR_CALM: u16 = 420;

/// A failed Statuspage call.
#[derive(Debug, Error)]
pub enum StatuspageError {
    /// Statuspage answered with an error status.
    #[error("Statuspage answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// Statuspage's `error`/`message`, or the start of the body.
        message: String,
        /// The `Retry-After` it sent, if any.
        retry_after: Option<Duration>,
    },
    /// The request did not complete (connection, timeout): an incident may have been created.
    #[error("Statuspage unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success whose body is not what the API documents.
    #[error("unexpected Statuspage response: {0}")]
    Decode(String),
    /// A notice names a component the page does not have.
    #[error("the status page has no component {name:?}; its components are: {}", known.join(", "))]
    UnknownComponent {
        /// The name SIMA used.
        name: String,
        /// The page's component names.
        known: Vec<String>,
    },
    /// The adapter could not be built (an unusable API URL, TLS setup).
    #[error("statuspage adapter misconfigured: {0}")]
    Config(String),
}

impl StatuspageError {
    /// Whether Statuspage asked us to slow down (429, or its older 420).
    pub fn is_rate_limit(&self) -> bool {
        matches!(self, Self::Status { status: 429 | ENHANCE_YOUR_CALM, .. })
    }
}

/// Statuses map through [`PortError::from_http`], but for 420: Statuspage
/// documents it as its rate-limit answer (with `Retry-After`), so it reads as
/// a 429. A success that cannot be read is `Invalid`: sending the same request
/// again gets the same answer.
impl From<StatuspageError> for PortError {
    fn from(error: StatuspageError) -> Self {
        let text = error.to_string();
        match error {
            StatuspageError::Status { status: ENHANCE_YOUR_CALM, retry_after, .. } => {
                PortError::from_http(429, retry_after, text)
            }
            StatuspageError::Status { status, retry_after, .. } => PortError::from_http(status, retry_after, text),
            StatuspageError::Transport(_) => PortError::Transient(text),
            StatuspageError::Decode(_) | StatuspageError::UnknownComponent { .. } | StatuspageError::Config(_) => {
                PortError::Invalid(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, retry_after: Option<Duration>) -> PortError {
        StatuspageError::Status { status, message: "m".into(), retry_after }.into()
    }

    #[test]
    fn statuses_map_through_the_shared_table_and_420_is_a_rate_limit() {
        let wait = Some(Duration::from_secs(60));
        assert_eq!(status(420, wait), PortError::RateLimited { retry_after: wait });
        assert_eq!(status(429, wait), PortError::RateLimited { retry_after: wait });
        assert!(matches!(status(401, None), PortError::Unauthorized(_)));
        assert!(matches!(status(404, None), PortError::NotFound(_)));
        assert!(matches!(status(500, None), PortError::Transient(_)));
        assert_eq!(status(422, None), PortError::Invalid("Statuspage answered HTTP 422: m".into()));
        assert!(matches!(PortError::from(StatuspageError::Decode("x".into())), PortError::Invalid(_)));
    }

    #[test]
    fn an_unknown_component_names_itself_and_the_known_ones() {
        let error =
            StatuspageError::UnknownComponent { name: "Bilng".into(), known: vec!["API".into(), "Billing".into()] };
        let PortError::Invalid(text) = PortError::from(error) else { panic!("not Invalid") };
        assert!(text.contains("\"Bilng\"") && text.contains("API, Billing"), "{text}");
    }
}
