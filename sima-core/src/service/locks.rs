//! One writer per incident inside this process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::lock::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::domain::IncidentId;

/// Above this many entries, locks nobody holds are dropped.
const PRUNE_ABOVE: usize = 1024;

/// Serializes changes to one incident within this process, so concurrent
/// writers queue instead of failing the store's version check and retrying.
/// Writers in other processes still conflict, and the retry loop covers them.
#[derive(Debug, Default)]
pub(super) struct IncidentLocks(Mutex<HashMap<IncidentId, Arc<AsyncMutex<()>>>>);

impl IncidentLocks {
    /// Waits for the incident's lock.
    pub(super) async fn lock(&self, id: IncidentId) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.0.lock().unwrap_or_else(|e| e.into_inner());
            if locks.len() > PRUNE_ABOVE {
                locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            locks.entry(id).or_default().clone()
        };
        lock.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_per_incident_and_unused_locks_are_pruned() {
        let locks = IncidentLocks::default();
        let id = IncidentId::new();
        let held = locks.lock(id).await;
        let other = locks.lock(IncidentId::new()).await;
        let mut waiting = Box::pin(locks.lock(id));
        assert!(futures::poll!(waiting.as_mut()).is_pending(), "the same incident waits");
        drop(held);
        drop(waiting.await);
        drop(other);
        for _ in 0..=PRUNE_ABOVE {
            drop(locks.lock(IncidentId::new()).await);
        }
        drop(locks.lock(id).await);
        assert!(locks.0.lock().unwrap().len() < 10, "unheld locks were pruned");
    }
}
