//! Use cases for operating SIMA itself: readiness, outbox counts, metric
//! milestones, alert resolutions and chat deliveries handled once, and old
//! idempotency keys.

use chrono::TimeDelta;

use super::{IncidentService, ServiceError};
use crate::chat::DeliveryKey;
use crate::domain::{DedupKey, Incident};
use crate::ports::{IncidentCounts, IncidentFilter, MilestoneRow, OutboxStats};

/// What a monitor's "resolved" notification for a dedup key finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertCleared {
    /// No open incident has this dedup key.
    NoIncident,
    /// The first notification for this incident: act on it.
    First(Incident),
    /// The incident was told already: change nothing.
    Repeated(Incident),
}

impl IncidentService {
    /// Checks the store answers.
    ///
    /// # Errors
    /// `Store` when it does not.
    pub async fn ping(&self) -> Result<(), ServiceError> {
        Ok(self.store.ping().await?)
    }

    /// Counts of the outbox's effects.
    ///
    /// # Errors
    /// `Store`.
    pub async fn outbox_stats(&self) -> Result<OutboxStats, ServiceError> {
        Ok(self.store.outbox_stats(self.now()).await?)
    }

    /// Counts of the outbox's effects not done yet (`completed` and `failed` left 0).
    ///
    /// # Errors
    /// `Store`.
    pub async fn outbox_backlog(&self) -> Result<OutboxStats, ServiceError> {
        Ok(self.store.outbox_backlog(self.now()).await?)
    }

    /// How many incidents have each status and severity.
    ///
    /// # Errors
    /// `Store`.
    pub async fn incident_counts(&self) -> Result<IncidentCounts, ServiceError> {
        Ok(self.store.incident_counts().await?)
    }

    /// The milestones of the incidents matching `filter`, as the metrics read them.
    ///
    /// # Errors
    /// `Store`.
    pub async fn milestones(&self, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, ServiceError> {
        Ok(self.store.milestones(filter).await?)
    }

    /// The open incident an alert with `key` declared, and whether this is the
    /// first time its alert is reported cleared (each incident hears it once).
    ///
    /// # Errors
    /// `Store`.
    pub async fn alert_cleared(&self, key: &DedupKey) -> Result<AlertCleared, ServiceError> {
        let Some(incident) = self.store.find_open_by_dedup_key(key).await? else {
            return Ok(AlertCleared::NoIncident);
        };
        let first = self.store.remember(&format!("alert-resolved:{}", incident.id()), self.now()).await?;
        Ok(if first { AlertCleared::First(incident) } else { AlertCleared::Repeated(incident) })
    }

    /// Whether this is the first time `key` is delivered; remembers it.
    ///
    /// # Errors
    /// `Store`.
    pub(crate) async fn remember_delivery(&self, key: &DeliveryKey) -> Result<bool, ServiceError> {
        Ok(self.store.remember(key.as_str(), self.now()).await?)
    }

    /// Forgets `key`, so its next delivery is handled again.
    ///
    /// # Errors
    /// `Store`.
    pub(crate) async fn forget_delivery(&self, key: &DeliveryKey) -> Result<(), ServiceError> {
        Ok(self.store.forget_key(key.as_str()).await?)
    }

    /// Deletes the idempotency keys first seen more than `age` ago; returns how many.
    ///
    /// # Errors
    /// `Store`.
    pub async fn forget_keys_older_than(&self, age: TimeDelta) -> Result<u64, ServiceError> {
        let cutoff = self.now().checked_sub_signed(age).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        Ok(self.store.forget_keys_before(cutoff).await?)
    }
}
