//! Errors of the use cases.

use thiserror::Error;

use crate::domain::{DomainError, ValidationError};
use crate::ports::{PortError, Refusal};

/// Why a use case did not complete. `Invalid`, `Refused`, `Forbidden` and `NotFound` are
/// the caller's to fix; `Busy` and `Store` are not.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ServiceError {
    /// The input is not valid.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The incident refuses the command in its current state.
    #[error(transparent)]
    Refused(#[from] DomainError),
    /// A company policy forbids this command to this person; nothing was recorded.
    #[error("not allowed: {0}")]
    Forbidden(#[from] Refusal),
    /// No such incident.
    #[error("no incident {0}")]
    NotFound(String),
    /// Too many concurrent changes to one incident; nothing was written.
    #[error("the incident kept changing while this change was being made; try again")]
    Busy,
    /// The store failed.
    #[error("storage failed: {0}")]
    Store(#[from] PortError),
}
