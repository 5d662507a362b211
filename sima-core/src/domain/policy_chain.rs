//! Chains of changes made by policies: a policy's step changes the incident,
//! the change starts more steps, and so on. Each such change records how deep
//! in its chain it is, so that policies that re-trigger each other stop.
//!
//! A change made by a person, a monitor, the API or the runbooks is at depth
//! 0; a change made by a step that answers a change at depth `d` is at depth
//! `d + 1`. A step that would make a change deeper than [`MAX_POLICY_DEPTH`]
//! is refused: it does not run, and the refusal is recorded on the timeline.

use super::{EventKind, FieldChange};

/// How many changes made by policies may follow one another: a policy step
/// answering a change already this deep is refused.
pub const MAX_POLICY_DEPTH: u8 = 3;

impl EventKind {
    /// How deep in a chain of changes made by policies this event is: the
    /// depth a policy's severity change recorded, 1 for a fired timer (a timer
    /// fires once per name, so it starts its chain afresh), 0 for everything
    /// else.
    pub fn policy_depth(&self) -> u8 {
        match self {
            Self::FieldEdited(FieldChange::Severity { policy_depth, .. }) => *policy_depth,
            Self::TimerFired { .. } => 1,
            _ => 0,
        }
    }
}
