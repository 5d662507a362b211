//! What an alert asks for, whichever webhook brought it.

use sima_core::domain::{Declaration, DedupKey};

/// What an alert asks for, read from its body before anything is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertRequest {
    /// The alert fires: declare the incident, or find the one open for its dedup key.
    Fire(Declaration),
    /// The alert cleared: update the incident open for this key, if any.
    Clear(DedupKey),
}
