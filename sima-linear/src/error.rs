//! What can go wrong talking to Linear, and how it maps to [`PortError`].

use std::time::Duration;

use sima_core::ports::PortError;
use thiserror::Error;

/// What a GraphQL error in Linear's `errors` array means, read from its
/// `extensions.code` / `extensions.type` and, for a missing issue, its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphQlErrorKind {
    /// `RATELIMITED`: the request or complexity budget is spent.
    RateLimited,
    /// `AUTHENTICATION_ERROR` or `FORBIDDEN`: the key is wrong, revoked or lacks access.
    Unauthorized,
    /// `Entity not found: Issue`: the issue asked for does not exist (or is not visible).
    IssueNotFound,
    /// `internal error` or `lock timeout`: Linear's own failure, which may pass.
    Internal,
    /// Anything else (invalid input, a missing team, a refused value).
    Refused,
}

/// A failed Linear call.
#[derive(Debug, Error)]
pub enum LinearError {
    /// Linear answered an HTTP error status without a GraphQL error in the body.
    #[error("Linear answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        message: String,
        /// The `Retry-After` it sent, if any.
        retry_after: Option<Duration>,
    },
    /// Linear answered with a GraphQL error (whatever the HTTP status).
    #[error("Linear refused the request: {message}")]
    GraphQl {
        /// What the first error means.
        kind: GraphQlErrorKind,
        /// Its `userPresentableMessage`, else its `message`.
        message: String,
        /// For a rate limit: the wait Linear named (`Retry-After`, else its reset headers).
        retry_after: Option<Duration>,
    },
    /// The request did not complete (connection, timeout): a create may have happened.
    #[error("Linear unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success whose body could not be read.
    #[error("unexpected Linear response: {0}")]
    Decode(String),
    /// The adapter could not be built (an unusable endpoint URL, TLS setup).
    #[error("linear adapter misconfigured: {0}")]
    Config(String),
}

impl LinearError {
    /// Whether Linear said the issue asked for does not exist.
    pub fn is_issue_not_found(&self) -> bool {
        matches!(self, LinearError::GraphQl { kind: GraphQlErrorKind::IssueNotFound, .. })
    }

    /// Whether Linear refused the request itself (bad input, a duplicate
    /// id): sending it again gets the same answer.
    pub fn is_refusal(&self) -> bool {
        matches!(self, LinearError::GraphQl { kind: GraphQlErrorKind::Refused, .. })
    }
}

/// HTTP statuses map through [`PortError::from_http`]; GraphQL errors, which
/// Linear sends with HTTP 200 or 400, by what their extensions say.
impl From<LinearError> for PortError {
    fn from(error: LinearError) -> Self {
        let text = error.to_string();
        match error {
            LinearError::Status { status, retry_after, .. } => PortError::from_http(status, retry_after, text),
            LinearError::GraphQl { kind, retry_after, .. } => match kind {
                // The shared table caps the wait as for any 429.
                GraphQlErrorKind::RateLimited => PortError::from_http(429, retry_after, text),
                GraphQlErrorKind::Unauthorized => PortError::Unauthorized(text),
                GraphQlErrorKind::IssueNotFound => PortError::NotFound(text),
                GraphQlErrorKind::Internal => PortError::Transient(text),
                GraphQlErrorKind::Refused => PortError::Invalid(text),
            },
            // It may hide a created issue; the retry finds it by its id.
            LinearError::Transport(_) => PortError::Transient(text),
            // The port's contract: garbage from the tracker is `Invalid`.
            LinearError::Decode(_) | LinearError::Config(_) => PortError::Invalid(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graphql(kind: GraphQlErrorKind, retry_after: Option<Duration>) -> PortError {
        LinearError::GraphQl { kind, message: "m".into(), retry_after }.into()
    }

    #[test]
    fn graphql_errors_map_by_kind() {
        let wait = Some(Duration::from_secs(30));
        assert_eq!(graphql(GraphQlErrorKind::RateLimited, wait), PortError::RateLimited { retry_after: wait });
        let long = Some(Duration::from_secs(86_400));
        assert_eq!(
            graphql(GraphQlErrorKind::RateLimited, long),
            PortError::RateLimited { retry_after: Some(PortError::MAX_RETRY_AFTER) }
        );
        assert!(matches!(graphql(GraphQlErrorKind::Unauthorized, None), PortError::Unauthorized(_)));
        assert!(matches!(graphql(GraphQlErrorKind::IssueNotFound, None), PortError::NotFound(_)));
        assert!(matches!(graphql(GraphQlErrorKind::Internal, None), PortError::Transient(_)));
        assert_eq!(
            graphql(GraphQlErrorKind::Refused, None),
            PortError::Invalid("Linear refused the request: m".into())
        );
    }

    #[test]
    fn statuses_map_through_the_shared_table() {
        let status = |status: u16| -> PortError {
            LinearError::Status { status, message: "m".into(), retry_after: Some(Duration::from_secs(5)) }.into()
        };
        assert_eq!(status(429), PortError::RateLimited { retry_after: Some(Duration::from_secs(5)) });
        assert!(matches!(status(401), PortError::Unauthorized(_)));
        assert!(matches!(status(502), PortError::Transient(_)));
        assert!(matches!(status(400), PortError::Invalid(_)));
        assert!(matches!(PortError::from(LinearError::Decode("x".into())), PortError::Invalid(_)));
    }
}
