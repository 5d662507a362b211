//! Re-running the effects that failed for good.

use tracing::instrument;

use super::{IncidentService, ServiceError};
use crate::domain::{Actor, Command, IncidentId, Outcome};

impl IncidentService {
    /// Queues every effect of the incident that failed for good to run again
    /// now, with a fresh retry horizon, and records it on the timeline;
    /// returns how many were queued (0: nothing had failed).
    ///
    /// # Errors
    /// `NotFound` for an unknown incident, or `Store`.
    #[instrument(skip_all, fields(incident = %id), err)]
    pub async fn retry_failed_effects(&self, id: IncidentId, actor: Actor) -> Result<u64, ServiceError> {
        let incident = self.store.get(id).await?.ok_or_else(|| ServiceError::NotFound(id.to_string()))?;
        // The event first: a crash before the reset leaves the effects failed,
        // and the next retry finds them in the store.
        if !incident.failed_effects().is_empty() {
            let retried = Command::Record(Outcome::EffectsRetried(incident.failed_effects().to_vec()));
            self.execute(id, actor, retried).await?;
        }
        let count = self.store.retry_failed(id, self.now()).await?;
        if count > 0 {
            tracing::info!(incident = %incident.number(), effects = count, "failed effects queued again");
            self.wake();
        }
        Ok(count)
    }
}
