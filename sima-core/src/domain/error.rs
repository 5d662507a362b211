//! Commands an incident refuses in its state; each message says what to fix.

use thiserror::Error;

use super::Status;

/// A command the incident refuses in its current state.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// The status table forbids this move.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The incident is closed or a false positive.
    #[error("the incident is {0}: nothing can change any more")]
    Terminal(Status),
    /// A backdated start that would come after another milestone or in the future.
    #[error("started_at must be at or before {limit} (the {milestone}); got {given}")]
    StartAfterMilestone {
        /// The requested start.
        given: String,
        /// The milestone it would break.
        milestone: &'static str,
        /// That milestone's time.
        limit: String,
    },
    /// The incident already has this status.
    #[error("the incident is already {0}")]
    AlreadyInStatus(Status),
    /// An action item number that does not exist.
    #[error("there is no action item {number}: this incident has {count}, numbered from 1 (see /incident actions)")]
    NoSuchActionItem {
        /// The number given.
        number: u32,
        /// How many items exist.
        count: usize,
    },
    /// A public update for a private incident.
    #[error("private incidents are never published on the status page")]
    PrivateNotPublished,
    /// A public update other than the all-clear after the incident ended.
    #[error("the incident is {0}: only a `resolved` public update can still be published")]
    PublicUpdateAfterEnd(Status),
    /// An action item export asked for while no tracker is configured.
    #[error("no tracker is configured, so action items cannot be exported: set SIMA_TRACKER to jira or linear")]
    NoTracker,
    /// A value the command carries is not valid (a public title too long).
    #[error(transparent)]
    Invalid(super::ValidationError),
}

/// A status change the transition table refuses.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cannot go from {from} to {to}: from {from} the next status is one of {allowed}")]
pub struct TransitionError {
    /// Current status.
    pub from: Status,
    /// Requested status.
    pub to: Status,
    /// The statuses allowed from `from`, comma-separated.
    pub allowed: String,
}

impl TransitionError {
    /// The error for `from → to`.
    pub fn new(from: Status, to: Status) -> Self {
        let allowed = from.next().iter().map(Status::as_str).collect::<Vec<_>>();
        let allowed = if allowed.is_empty() { "nothing (terminal)".to_owned() } else { allowed.join(", ") };
        Self { from, to, allowed }
    }
}
