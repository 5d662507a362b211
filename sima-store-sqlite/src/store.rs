//! [`SqliteStore`]: the pool, the write lock, migrations and the `IncidentStore` impl.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::domain::{DedupKey, Incident, IncidentEvent, IncidentId, IncidentNumber, RoomId};
use sima_core::ports::{
    AppendBatch, Claim, ClaimedEffect, Created, EffectId, IdempotencyKeys, IncidentFilter, Incidents, MilestoneRow, NewIncident, Outbox,
    OutboxStats, PortError,
};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::config::SqliteStoreConfig;
use crate::error::{migrate_error, port_error};
use crate::{events, incidents, keys, metrics, outbox};

/// The embedded migrations (`migrations/`), applied by [`SqliteStore::connect`]
/// when [`SqliteStoreConfig::migrate`] is set.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The pool and the lock that serializes this process's writes.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    pub(crate) pool: SqlitePool,
    pub(crate) write: Arc<Mutex<()>>,
}

impl Db {
    /// Takes the write lock, then opens a `BEGIN IMMEDIATE` transaction (which
    /// also holds off other processes, waiting up to the busy timeout).
    pub(crate) async fn write_tx(&self) -> Result<(OwnedMutexGuard<()>, Transaction<'static, Sqlite>), PortError> {
        let guard = Arc::clone(&self.write).lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(port_error)?;
        Ok((guard, tx))
    }
}

/// The SQLite [`IncidentStore`]. Cheap to clone (pool and write lock are shared).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    db: Db,
}

impl SqliteStore {
    /// Opens (creating the file if missing) in WAL mode with a busy timeout and
    /// foreign keys on, and applies the migrations unless `config.migrate` is off.
    ///
    /// # Errors
    /// `Invalid` for a malformed URL or a migration that does not apply;
    /// `Transient` when the file cannot be opened.
    #[tracing::instrument(skip_all, fields(url = %config.url), err)]
    pub async fn connect(config: &SqliteStoreConfig) -> Result<Self, PortError> {
        if !config.url.starts_with("sqlite:") {
            return Err(PortError::Invalid(format!("database URL {} must start with sqlite://", config.url)));
        }
        let options = SqliteConnectOptions::from_str(&config.url)
            .map_err(|e| PortError::Invalid(format!("database URL {}: {e}", config.url)))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(config.busy_timeout())
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(config.max_connections.max(1))
            .connect_with(options)
            .await
            .map_err(port_error)?;
        let store = Self::from_pool(pool);
        if config.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// Wraps an existing pool (migrations are the caller's business; see
    /// [`SqliteStore::migrate`]). Give it WAL mode and a busy timeout.
    pub fn from_pool(pool: SqlitePool) -> Self {
        Self { db: Db { pool, write: Arc::new(Mutex::new(())) } }
    }

    /// Applies the embedded migrations that have not run yet.
    ///
    /// # Errors
    /// `Transient` when the file is busy or unreadable; `Invalid` when a migration does not apply.
    pub async fn migrate(&self) -> Result<(), PortError> {
        let _write = self.db.write.lock().await;
        MIGRATOR.run(&self.db.pool).await.map_err(migrate_error)
    }

    /// The pool, for queries of your own (the views, for instance).
    pub fn pool(&self) -> &SqlitePool {
        &self.db.pool
    }

    /// Closes every connection; later calls fail with `Transient`.
    pub async fn close(&self) {
        self.db.pool.close().await;
    }
}

#[async_trait]
impl Incidents for SqliteStore {
    async fn create(&self, new: NewIncident) -> Result<Created, PortError> {
        incidents::create(&self.db, new).await
    }

    async fn append(&self, batch: AppendBatch) -> Result<Incident, PortError> {
        incidents::append(&self.db, batch).await
    }

    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, PortError> {
        incidents::get(&self.db, id).await
    }

    async fn get_by_number(&self, number: IncidentNumber) -> Result<Option<Incident>, PortError> {
        incidents::get_by_number(&self.db, number).await
    }

    async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, PortError> {
        incidents::find_by_room(&self.db, room).await
    }

    async fn find_open_by_dedup_key(&self, key: &DedupKey) -> Result<Option<Incident>, PortError> {
        incidents::find_open_by_dedup_key(&self.db, key).await
    }

    async fn list(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, PortError> {
        incidents::list(&self.db, filter).await
    }

    async fn events(&self, id: IncidentId) -> Result<Vec<IncidentEvent>, PortError> {
        events::load(&self.db, id).await
    }

    async fn milestones(&self, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
        metrics::milestones(&self.db, filter).await
    }

    async fn ping(&self) -> Result<(), PortError> {
        sqlx::query("SELECT 1").execute(&self.db.pool).await.map_err(port_error)?;
        Ok(())
    }
}

#[async_trait]
impl Outbox for SqliteStore {
    async fn claim_due(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<ClaimedEffect>, PortError> {
        outbox::claim_due(&self.db, limit, now, lease).await
    }

    async fn renew(&self, claims: &[Claim], until: DateTime<Utc>) -> Result<Vec<EffectId>, PortError> {
        outbox::renew(&self.db, claims, until).await
    }

    async fn complete(&self, claim: Claim, now: DateTime<Utc>) -> Result<(), PortError> {
        outbox::complete(&self.db, claim, now).await
    }

    async fn retry_at(&self, claim: Claim, at: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        outbox::retry_at(&self.db, claim, at, error).await
    }

    async fn give_up(&self, claim: Claim, now: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        outbox::give_up(&self.db, claim, now, error).await
    }

    async fn release(&self, claim: Claim) -> Result<(), PortError> {
        outbox::release(&self.db, claim).await
    }

    async fn retry_failed(&self, incident: IncidentId, now: DateTime<Utc>) -> Result<u64, PortError> {
        outbox::retry_failed(&self.db, incident, now).await
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, PortError> {
        outbox::stats(&self.db).await
    }
}

#[async_trait]
impl IdempotencyKeys for SqliteStore {
    async fn remember(&self, key: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
        keys::remember(&self.db, key, now).await
    }

    async fn forget_key(&self, key: &str) -> Result<(), PortError> {
        keys::forget(&self.db, key).await
    }

    async fn forget_keys_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
        keys::forget_before(&self.db, cutoff).await
    }
}
