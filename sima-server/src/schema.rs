//! The database schema: `sima-server migrate` applies the embedded
//! migrations and exits; with `auto_migrate` off (`SIMA_AUTO_MIGRATE=false`),
//! `serve` applies none and refuses a schema that is not current.

use anyhow::Context;
use sqlx::migrate::Migration;

use crate::settings::{redact_url, Settings};

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// The migrations applied now, oldest first (`20260301000001 schema`).
    pub applied: Vec<String>,
    /// The migrations the schema now has in all.
    pub total: usize,
}

/// Applies the migrations the database `settings` names has not applied.
///
/// # Errors
/// The database cannot be reached or opened, or a migration does not apply.
pub async fn migrate(settings: &Settings) -> anyhow::Result<Migrated> {
    let url = &settings.database_url;
    let where_ = || format!("the database at {}", redact_url(url));
    let applied = if settings.is_postgres() {
        let config =
            sima_store_postgres::PgStoreConfig { migrate: false, ..sima_store_postgres::PgStoreConfig::new(url) };
        let store = sima_store_postgres::PgStore::connect(&config)
            .await
            .with_context(|| format!("connecting to {}", where_()))?;
        let pending = named(&store.pending_migrations().await.with_context(|| format!("reading {}", where_()))?);
        let migrated = store.migrate().await.with_context(|| format!("migrating {}", where_()));
        store.close().await;
        migrated.map(|()| pending)?
    } else {
        let config =
            sima_store_sqlite::SqliteStoreConfig { migrate: false, ..sima_store_sqlite::SqliteStoreConfig::new(url) };
        let store =
            sima_store_sqlite::SqliteStore::connect(&config).await.with_context(|| format!("opening {}", where_()))?;
        let pending = named(&store.pending_migrations().await.with_context(|| format!("reading {}", where_()))?);
        let migrated = store.migrate().await.with_context(|| format!("migrating {}", where_()));
        store.close().await;
        migrated.map(|()| pending)?
    };
    let total = if settings.is_postgres() {
        sima_store_postgres::MIGRATOR.iter().filter(|m| m.migration_type.is_up_migration()).count()
    } else {
        sima_store_sqlite::MIGRATOR.iter().filter(|m| m.migration_type.is_up_migration()).count()
    };
    Ok(Migrated { applied, total })
}

/// Refuses to serve on a schema missing `pending`, naming them and the
/// command that applies them.
///
/// # Errors
/// Some migration is not applied.
pub fn require_current(pending: &[&Migration]) -> anyhow::Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "the database schema is not up to date: {} migration(s) not applied ({}); auto_migrate is off \
         (SIMA_AUTO_MIGRATE=false), so run `sima-server migrate` first",
        pending.len(),
        named(pending).join(", ")
    )
}

/// `20260301000001 schema` for each migration.
fn named(migrations: &[&Migration]) -> Vec<String> {
    migrations.iter().map(|m| format!("{} {}", m.version, m.description)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_schema_is_refused_naming_the_command() {
        let all: Vec<&Migration> = sima_store_sqlite::MIGRATOR.iter().collect();
        let error = require_current(&all[all.len() - 1..]).unwrap_err().to_string();
        assert!(error.contains("sima-server migrate") && error.contains("1 migration(s)"), "{error}");
        assert!(error.contains(&all[all.len() - 1].version.to_string()), "{error}");
        assert!(require_current(&[]).is_ok());
    }
}
