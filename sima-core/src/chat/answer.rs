//! The answer when nothing could be recorded.

use super::Reply;
use crate::messages::warning;

/// What a person is told when storage cannot be reached: nothing was
/// recorded, so trying again is safe.
pub const NOT_RECORDED: &str = "SIMA could not record this yet (storage unavailable); please try again in a moment.";

impl Reply {
    /// The private answer when storage cannot be reached ([`NOT_RECORDED`]).
    pub fn not_recorded() -> Self {
        Self::Private(warning(NOT_RECORDED))
    }
}
