//! [`PgStore`]: the pool, the migrations and the `IncidentStore` impl.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::domain::{DedupKey, Incident, IncidentEvent, IncidentId, IncidentNumber, RoomId};
use sima_core::ports::{
    AppendBatch, Claim, ClaimedEffect, Created, EffectId, IdempotencyKeys, IncidentFilter, Incidents, MilestoneRow, NewIncident, Outbox,
    OutboxStats, PortError,
};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::config::{redacted, PgStoreConfig};
use crate::error::{migrate_error, port_error};
use crate::{events, incidents, keys, metrics, outbox};

/// The embedded migrations (`migrations/`), applied by [`PgStore::connect`]
/// when [`PgStoreConfig::migrate`] is set.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The PostgreSQL [`IncidentStore`]. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects (one connection is opened at once, so a wrong URL fails here)
    /// and applies the migrations unless `config.migrate` is off.
    ///
    /// # Errors
    /// `Transient` when the server is unreachable; `Invalid` for a malformed
    /// URL or a migration that does not apply.
    #[tracing::instrument(skip_all, fields(url = %redacted(&config.url)), err)]
    pub async fn connect(config: &PgStoreConfig) -> Result<Self, PortError> {
        if !(config.url.starts_with("postgres://") || config.url.starts_with("postgresql://")) {
            return Err(PortError::Invalid(format!(
                "database URL {} must start with postgres:// or postgresql://",
                redacted(&config.url)
            )));
        }
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections.max(1))
            .acquire_timeout(config.acquire_timeout())
            .connect(&config.url)
            .await
            .map_err(|e| match e {
                sqlx::Error::Configuration(_) => PortError::Invalid(e.to_string()),
                other => port_error(other),
            })?;
        let store = Self::from_pool(pool);
        if config.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// Wraps an existing pool (migrations are the caller's business; see [`PgStore::migrate`]).
    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Applies the embedded migrations that have not run yet.
    ///
    /// # Errors
    /// `Transient` when unreachable; `Invalid` when a migration does not apply.
    pub async fn migrate(&self) -> Result<(), PortError> {
        MIGRATOR.run(&self.pool).await.map_err(migrate_error)
    }

    /// The pool, for queries of your own (the views, for instance).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection; later calls fail with `Transient`.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Incidents for PgStore {
    async fn create(&self, new: NewIncident) -> Result<Created, PortError> {
        incidents::create(&self.pool, new).await
    }

    async fn append(&self, batch: AppendBatch) -> Result<Incident, PortError> {
        incidents::append(&self.pool, batch).await
    }

    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, PortError> {
        incidents::get(&self.pool, id).await
    }

    async fn get_by_number(&self, number: IncidentNumber) -> Result<Option<Incident>, PortError> {
        incidents::get_by_number(&self.pool, number).await
    }

    async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, PortError> {
        incidents::find_by_room(&self.pool, room).await
    }

    async fn find_open_by_dedup_key(&self, key: &DedupKey) -> Result<Option<Incident>, PortError> {
        incidents::find_open_by_dedup_key(&self.pool, key).await
    }

    async fn list(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, PortError> {
        incidents::list(&self.pool, filter).await
    }

    async fn events(&self, id: IncidentId) -> Result<Vec<IncidentEvent>, PortError> {
        events::load(&self.pool, id).await
    }

    async fn milestones(&self, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
        metrics::milestones(&self.pool, filter).await
    }

    async fn ping(&self) -> Result<(), PortError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(port_error)?;
        Ok(())
    }
}

#[async_trait]
impl Outbox for PgStore {
    async fn claim_due(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<ClaimedEffect>, PortError> {
        outbox::claim_due(&self.pool, limit, now, lease).await
    }

    async fn renew(&self, claims: &[Claim], until: DateTime<Utc>) -> Result<Vec<EffectId>, PortError> {
        outbox::renew(&self.pool, claims, until).await
    }

    async fn complete(&self, claim: Claim, now: DateTime<Utc>) -> Result<(), PortError> {
        outbox::complete(&self.pool, claim, now).await
    }

    async fn retry_at(&self, claim: Claim, at: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        outbox::retry_at(&self.pool, claim, at, error).await
    }

    async fn give_up(&self, claim: Claim, now: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        outbox::give_up(&self.pool, claim, now, error).await
    }

    async fn release(&self, claim: Claim) -> Result<(), PortError> {
        outbox::release(&self.pool, claim).await
    }

    async fn retry_failed(&self, incident: IncidentId, now: DateTime<Utc>) -> Result<u64, PortError> {
        outbox::retry_failed(&self.pool, incident, now).await
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, PortError> {
        outbox::stats(&self.pool).await
    }
}

#[async_trait]
impl IdempotencyKeys for PgStore {
    async fn remember(&self, key: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
        keys::remember(&self.pool, key, now).await
    }

    async fn forget_key(&self, key: &str) -> Result<(), PortError> {
        keys::forget(&self.pool, key).await
    }

    async fn forget_keys_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
        keys::forget_before(&self.pool, cutoff).await
    }
}
