//! [`PgStore`]: the pool and the migrations; `incidents`, `outbox` and `keys`
//! implement the store ports on it.

use std::sync::Arc;

use sima_core::ports::PortError;
use sima_store_sql::GroupCommit;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::config::{redacted, PgStoreConfig};
use crate::error::{migrate_error, port_error};
use crate::key_batch::{KeyWriter, KeyWrites, MAX_KEYS};

/// The embedded migrations (`migrations/`), applied by [`PgStore::connect`]
/// when [`PgStoreConfig::migrate`] is set.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The PostgreSQL [`IncidentStore`](sima_core::ports::IncidentStore). Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
    /// Idempotency keys, group-committed.
    pub(crate) keys: Arc<KeyWrites>,
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
        let keys = GroupCommit::new(KeyWriter { pool: pool.clone() }, MAX_KEYS);
        Self { pool, keys }
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
