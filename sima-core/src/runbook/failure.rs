//! Why an effect did not complete, shared by the effects and the worker.

use crate::domain::EffectKind;
use crate::ports::PortError;

/// Why an effect did not complete.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A platform or store call failed.
    Port(PortError),
    /// A prerequisite (the room, the card) is not recorded yet; try again shortly.
    NotReady(&'static str),
    /// A prerequisite failed for good; the effect cannot run until it is retried.
    Blocked(EffectKind),
    /// The effect must not run (a policy step beyond the chain limit); why.
    Refused(String),
}

impl From<PortError> for Failure {
    fn from(e: PortError) -> Self {
        Self::Port(e)
    }
}

/// `Ok` when the platform lacks the capability (pinning, ephemeral posts,
/// updates in place): the effect is skipped, not failed.
pub(super) fn ignore_unsupported(result: Result<(), PortError>) -> Result<(), PortError> {
    match result {
        Err(PortError::Unsupported(what)) => {
            tracing::debug!(%what, "platform lacks a capability; skipped");
            Ok(())
        }
        other => other,
    }
}
