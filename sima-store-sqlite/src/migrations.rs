//! Whether a file's schema is current: the embedded migrations it has not
//! applied yet, read without changing anything (for a server that must not
//! migrate by itself, and for `sima-server migrate` to report).

use sima_core::ports::PortError;
use sqlx::migrate::Migration;

use crate::error::port_error;
use crate::store::{SqliteStore, MIGRATOR};

impl SqliteStore {
    /// The embedded migrations this file has not applied, oldest first:
    /// every one on a fresh file, none when the schema is current. Nothing
    /// is created (not even the migrations table).
    ///
    /// # Errors
    /// `Transient` when the file cannot be read.
    pub async fn pending_migrations(&self) -> Result<Vec<&'static Migration>, PortError> {
        let tracked: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
                .fetch_one(&self.db.pool)
                .await
                .map_err(port_error)?;
        let applied: Vec<i64> = if tracked > 0 {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.db.pool)
                .await
                .map_err(port_error)?
        } else {
            Vec::new()
        };
        Ok(MIGRATOR.iter().filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version)).collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::{SqliteStore, SqliteStoreConfig, MIGRATOR};

    #[tokio::test]
    async fn a_fresh_file_lacks_every_migration_until_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let config = SqliteStoreConfig { migrate: false, ..SqliteStoreConfig::file(dir.path().join("fresh.db")) };
        let store = SqliteStore::connect(&config).await.unwrap();
        let pending = store.pending_migrations().await.unwrap();
        assert_eq!(pending.len(), MIGRATOR.iter().count());
        assert_eq!(pending[0].version, MIGRATOR.iter().next().unwrap().version, "oldest first");
        let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(tables, 0, "asking changes nothing");
        store.migrate().await.unwrap();
        assert!(store.pending_migrations().await.unwrap().is_empty());
        store.close().await;
    }
}
