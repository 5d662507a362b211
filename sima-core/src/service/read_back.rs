//! Where the periodic ticket read-back goes on from, pass after pass.

use std::sync::Mutex;

use crate::domain::IncidentId;

/// Where the next read-back pass starts: after this incident id and item
/// number (the last ticket read by the previous pass), or from the first.
/// Kept in memory, so a restart starts from the first again.
#[derive(Debug, Default)]
pub(super) struct ReadBackCursor(Mutex<Option<(IncidentId, u32)>>);

impl ReadBackCursor {
    /// The incident id and item number the next pass starts after.
    pub(super) fn get(&self) -> Option<(IncidentId, u32)> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records where the next pass starts after (`None`: from the first).
    pub(super) fn set(&self, after: Option<(IncidentId, u32)>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = after;
    }
}
