//! Input that does not make a valid value; each message says what to fix.

use thiserror::Error;

/// Input that does not make a valid value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    /// Not a domain slug.
    #[error("domain `{0}` is invalid: use lowercase letters, digits and dashes, starting with a letter (at most 40), e.g. `outbound-email`")]
    Domain(String),
    /// Empty or too long summary.
    #[error("summary must be one line of 1 to 150 characters (got {length})")]
    Summary {
        /// Characters received.
        length: usize,
    },
    /// Text over its limit.
    #[error("{what} is too long: {length} characters, at most {max}")]
    TooLong {
        /// The field.
        what: &'static str,
        /// Its limit.
        max: usize,
        /// Characters received.
        length: usize,
    },
    /// Text that must not be empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Unknown severity.
    #[error("severity `{0}` is unknown: use sev1, sev2, sev3 or sev4")]
    Severity(String),
    /// Unknown status.
    #[error(
        "status `{0}` is unknown: use open, investigating, identified, monitoring, resolved, false_positive or closed"
    )]
    Status(String),
    /// Impact that is not a count.
    #[error("impact `{0}` must be a number of affected customers, e.g. `120`")]
    Impact(String),
    /// Control characters or bidirectional overrides in text.
    #[error("{0} contains control characters or bidirectional overrides; remove them")]
    HiddenCharacters(&'static str),
    /// Bad dedup key.
    #[error("dedup_key must be 1 to 255 printable characters")]
    DedupKey,
    /// Bad user id.
    #[error("user `{0}` is invalid: mention someone or give a chat user id, or use `me`")]
    User(String),
    /// Bad actor string.
    #[error("actor `{0}` is invalid: use `user:<id>`, `monitor:<name>`, `api` or `sima`")]
    Actor(String),
    /// Neither a UUID nor `INC-n`.
    #[error("`{0}` names no incident: use its id (a UUID) or its number, e.g. `INC-42`")]
    IncidentRef(String),
    /// A date that is not `YYYY-MM-DD`.
    #[error("date `{0}` is invalid: use YYYY-MM-DD, e.g. `2026-12-01`")]
    Date(String),
    /// An action item number that is not a positive integer.
    #[error("`{0}` is no action item number: use the number /incident actions shows, e.g. `2`")]
    ActionNumber(String),
    /// A timestamp that is not RFC 3339.
    #[error("time `{0}` is invalid: use RFC 3339, e.g. `2026-11-25T09:30:00Z`")]
    Time(String),
}
