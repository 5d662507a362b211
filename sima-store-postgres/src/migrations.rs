//! Whether a database's schema is current: the embedded migrations it has
//! not applied yet, read without changing anything (for a server that must
//! not migrate by itself, and for `sima-server migrate` to report).

use sima_core::ports::PortError;
use sqlx::migrate::Migration;

use crate::error::port_error;
use crate::store::{PgStore, MIGRATOR};

impl PgStore {
    /// The embedded migrations this database has not applied, oldest first:
    /// every one on a fresh database, none when the schema is current.
    /// Nothing is created (not even the migrations table).
    ///
    /// # Errors
    /// `Transient` when the server is unreachable.
    pub async fn pending_migrations(&self) -> Result<Vec<&'static Migration>, PortError> {
        let tracked: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&self.pool)
            .await
            .map_err(port_error)?;
        let applied: Vec<i64> = if tracked {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await
                .map_err(port_error)?
        } else {
            Vec::new()
        };
        Ok(MIGRATOR.iter().filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version)).collect())
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use crate::{PgStore, PgStoreConfig, ScratchDatabase, MIGRATOR};

    #[tokio::test]
    async fn a_fresh_database_lacks_every_migration_until_migrated() {
        let Some(database) = ScratchDatabase::create("sima_pending").await else { return };
        let config = PgStoreConfig { migrate: false, ..PgStoreConfig::new(database.url()) };
        let store = PgStore::connect(&config).await.unwrap();
        let pending = store.pending_migrations().await.unwrap();
        assert_eq!(pending.len(), MIGRATOR.iter().count());
        let tracked: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(!tracked, "asking changes nothing");
        store.migrate().await.unwrap();
        assert!(store.pending_migrations().await.unwrap().is_empty());
        store.close().await;
    }
}
