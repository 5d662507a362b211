//! What can go wrong talking to Jira, and how it maps to [`PortError`].

use std::time::Duration;

use sima_core::ports::PortError;
use thiserror::Error;

/// A failed Jira call.
#[derive(Debug, Error)]
pub enum JiraError {
    /// Jira answered with an error status.
    #[error("Jira answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// Jira's `errorMessages` and `errors`, or the start of the body.
        message: String,
        /// The `Retry-After` it sent, if any.
        retry_after: Option<Duration>,
    },
    /// The request did not complete (connection, timeout): a create may have happened.
    #[error("Jira unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success whose body could not be read.
    #[error("unexpected Jira response: {0}")]
    Decode(String),
    /// The workflow offers no transition to the state asked for.
    #[error("Jira workflow: {0}")]
    Workflow(String),
    /// The adapter could not be built (an unusable base URL, TLS setup).
    #[error("jira adapter misconfigured: {0}")]
    Config(String),
}

/// Jira documents no status with a meaning of its own here, so statuses map
/// through [`PortError::from_http`] as they are (a 400 carries Jira's
/// `errorMessages`/`errors` text). A body that cannot be read is garbage:
/// `Invalid`, as the port asks.
impl From<JiraError> for PortError {
    fn from(error: JiraError) -> Self {
        let text = error.to_string();
        match error {
            JiraError::Status { status, retry_after, .. } => PortError::from_http(status, retry_after, text),
            JiraError::Transport(_) => PortError::Transient(text),
            JiraError::Decode(_) | JiraError::Workflow(_) | JiraError::Config(_) => PortError::Invalid(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, retry_after: Option<Duration>) -> PortError {
        JiraError::Status { status, message: "m".into(), retry_after }.into()
    }

    #[test]
    fn statuses_map_through_the_shared_table() {
        assert_eq!(status(400, None), PortError::Invalid("Jira answered HTTP 400: m".into()));
        assert!(matches!(status(401, None), PortError::Unauthorized(_)));
        assert!(matches!(status(403, None), PortError::Unauthorized(_)));
        assert!(matches!(status(404, None), PortError::NotFound(_)));
        assert!(matches!(status(500, None), PortError::Transient(_)));
        assert!(matches!(status(503, Some(Duration::from_secs(5))), PortError::Transient(_)));
        let wait = Some(Duration::from_secs(30));
        assert_eq!(status(429, wait), PortError::RateLimited { retry_after: wait });
        assert!(matches!(PortError::from(JiraError::Decode("x".into())), PortError::Invalid(_)));
        assert!(matches!(PortError::from(JiraError::Workflow("x".into())), PortError::Invalid(_)));
    }
}
