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
    /// Bad user group id.
    #[error("user group `{0}` is invalid: give a Slack user group id (`S0614TZR7`)")]
    UserGroup(String),
    /// Bad actor string.
    #[error("actor `{0}` is invalid: use `user:<id>`, `monitor:<name>`, `tracker:<name>`, `api` or `sima`")]
    Actor(String),
    /// Unknown public update status.
    #[error("public status `{0}` is unknown: use investigating, identified, monitoring or resolved")]
    PublicStatus(String),
    /// Unknown component status.
    #[error(
        "component status `{0}` is unknown: use operational, degraded_performance, partial_outage or major_outage"
    )]
    ComponentStatus(String),
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
    /// An incident type the company did not define.
    #[error("incident type `{given}` is unknown: {hint}")]
    IncidentType {
        /// The type given.
        given: String,
        /// What to write instead: the types defined, or that none are.
        hint: String,
    },
    /// A custom field that is unknown, missing or holds a wrong value.
    #[error("field `{name}` {problem}")]
    Field {
        /// The field's name.
        name: String,
        /// What is wrong, in words that say what to fix.
        problem: String,
    },
    /// Several custom fields are wrong (each named).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Fields(Vec<ValidationError>),
}

impl ValidationError {
    /// Whether it is about custom field `name`.
    pub fn names_field(&self, name: &str) -> bool {
        match self {
            Self::Field { name: n, .. } => n == name,
            Self::Fields(errors) => errors.iter().any(|e| e.names_field(name)),
            _ => false,
        }
    }
}
