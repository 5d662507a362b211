//! What can go wrong talking to Confluence, and how it maps to [`PortError`].

use std::time::Duration;

use sima_core::ports::PortError;
use thiserror::Error;

/// A failed Confluence call.
#[derive(Debug, Error)]
pub enum ConfluenceError {
    /// Confluence answered with an error status.
    #[error("Confluence answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// Confluence's error title or message, or the start of the body.
        message: String,
        /// The `Retry-After` it sent, if any.
        retry_after: Option<Duration>,
    },
    /// The request did not complete (connection, timeout): the page may have been created.
    #[error("Confluence unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success whose body could not be read.
    #[error("unexpected Confluence response: {0}")]
    Decode(String),
    /// The adapter could not be built (an unusable base URL, TLS setup).
    #[error("confluence adapter misconfigured: {0}")]
    Config(String),
}

impl ConfluenceError {
    /// Whether this is Confluence's refusal of a second page with the same
    /// title in a space (HTTP 400, "A page with this title already exists").
    pub fn is_duplicate_title(&self) -> bool {
        match self {
            ConfluenceError::Status { status: 400, message, .. } => {
                let message = message.to_ascii_lowercase();
                message.contains("title") && message.contains("already exists")
            }
            _ => false,
        }
    }
}

impl ConfluenceError {
    /// Whether Confluence refused an update because the page has another
    /// version by now (HTTP 409): someone saved it meanwhile.
    pub fn is_version_conflict(&self) -> bool {
        matches!(self, ConfluenceError::Status { status: 409, .. })
    }
}

/// Confluence documents no status with a meaning of its own, so statuses map
/// through [`PortError::from_http`] as they are.
impl From<ConfluenceError> for PortError {
    fn from(error: ConfluenceError) -> Self {
        let text = error.to_string();
        match error {
            ConfluenceError::Status { status, retry_after, .. } => PortError::from_http(status, retry_after, text),
            // Either may hide a created page; the retry looks it up by title first.
            ConfluenceError::Transport(_) | ConfluenceError::Decode(_) => PortError::Transient(text),
            ConfluenceError::Config(_) => PortError::Invalid(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, retry_after: Option<Duration>) -> PortError {
        ConfluenceError::Status { status, message: "m".into(), retry_after }.into()
    }

    #[test]
    fn statuses_map_through_the_shared_table() {
        assert!(matches!(status(400, None), PortError::Invalid(_)));
        assert!(matches!(status(401, None), PortError::Unauthorized(_)));
        assert!(matches!(status(403, None), PortError::Unauthorized(_)));
        assert!(matches!(status(404, None), PortError::NotFound(_)));
        assert!(matches!(status(409, None), PortError::Conflict(_)));
        assert!(matches!(status(500, None), PortError::Transient(_)));
        assert!(matches!(status(503, Some(Duration::from_secs(5))), PortError::Transient(_)));
        let wait = Some(Duration::from_secs(30));
        assert_eq!(status(429, wait), PortError::RateLimited { retry_after: wait });
        assert_eq!(status(400, None), PortError::Invalid("Confluence answered HTTP 400: m".into()));
    }

    #[test]
    fn only_a_400_about_the_title_is_a_duplicate() {
        let said =
            |status: u16, message: &str| ConfluenceError::Status { status, message: message.into(), retry_after: None };
        let duplicate =
            "A page with this title already exists: A page already exists with the same TITLE in this space";
        assert!(said(400, duplicate).is_duplicate_title());
        assert!(!said(400, "Body is not valid storage format").is_duplicate_title());
        assert!(!said(409, duplicate).is_duplicate_title());
        assert!(!ConfluenceError::Decode(duplicate.into()).is_duplicate_title());
    }
}
