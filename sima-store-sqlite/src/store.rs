//! [`SqliteStore`]: the pool, the write lock and the migrations; `incidents`,
//! `outbox` and `keys` implement the store ports on it.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use sima_core::ports::PortError;
use sima_store_sql::GroupCommit;
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnectionMetadata;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Connection;

use crate::batch::{IncidentWriter, IncidentWrites, MAX_BATCH};
use crate::checkpoint::Checkpoints;
use crate::config::SqliteStoreConfig;
use crate::db::{Db, Writer};
use crate::error::{migrate_error, port_error, read_only_since};
use crate::key_batch::{KeyWriter, KeyWrites, MAX_KEYS};
use crate::snapshots::Snapshots;

/// The embedded migrations (`migrations/`), applied by [`SqliteStore::connect`]
/// when [`SqliteStoreConfig::migrate`] is set.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Bytes the WAL file keeps when it starts over (512 MiB). Restarts keep it
/// near 128 MiB plus a second of writes (`checkpoint`), so this only gives
/// back what it grew to while readers held restarts off; cutting it at
/// every restart stalled the write that did it by 80 ms.
const JOURNAL_SIZE_LIMIT: u64 = 512 * 1024 * 1024;

/// The SQLite [`IncidentStore`](sima_core::ports::IncidentStore). Cheap to clone (pool and write lock are shared).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) db: Db,
    /// Creations and appends, group-committed.
    pub(crate) writes: Arc<IncidentWrites>,
    /// Idempotency keys, group-committed.
    pub(crate) keys: Arc<KeyWrites>,
    /// The latest snapshots of recently used incidents.
    pub(crate) snapshots: Arc<Snapshots>,
    /// WAL checkpoints beside the writes, when this store opened the file.
    checkpoints: Option<Arc<Checkpoints>>,
}

/// Whether a connection coming back to the pool may be used again.
///
/// A connection opened before a write was last refused as read-only may
/// have opened the file read-only: it is closed ([`read_only_since`]). When the file cannot be written (read-only, disk I/O error), SQLite rolls
/// the transaction back itself and the `COMMIT` (and the `ROLLBACK` after it)
/// fail, so sqlx still counts a transaction open on that connection: every
/// later `BEGIN` on it would be refused, long after the file is writable
/// again. Such a connection is closed here and the pool opens a fresh one.
/// The ping waits for a rollback a dropped transaction may have queued.
async fn in_step(conn: &mut SqliteConnection, meta: PoolConnectionMetadata) -> Result<bool, sqlx::Error> {
    let opened = Instant::now().checked_sub(meta.age).unwrap_or_else(Instant::now);
    if read_only_since(opened) {
        tracing::debug!("closing a SQLite connection that may have opened the file read-only");
        return Ok(false);
    }
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    conn.ping().await?;
    let in_step = !conn.is_in_transaction();
    if !in_step {
        tracing::warn!("closing a SQLite connection left inside a failed transaction");
    }
    Ok(in_step)
}

impl SqliteStore {
    /// Opens (creating the file if missing) in WAL mode with a busy timeout,
    /// foreign keys on and each connection's page cache bounded, checkpoints
    /// the WAL every second beside the writes (never inside a commit), and
    /// applies the migrations unless `config.migrate` is off.
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
            .foreign_keys(true)
            .pragma("cache_size", format!("-{}", config.cache_kib_per_connection.max(1)))
            // Checkpoints run beside the writes (`checkpoint`), never inside a commit.
            .pragma("wal_autocheckpoint", "0")
            // A WAL that grew past the limit is cut back when it starts over.
            .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT.to_string());
        let pool = SqlitePoolOptions::new()
            .max_connections(config.max_connections.max(1))
            // A file does not hang up: a ping before each use would only add a
            // round trip to the connection's thread to every query.
            .test_before_acquire(false)
            .after_release(|conn, meta| Box::pin(in_step(conn, meta)))
            .connect_with(options.clone())
            .await
            .map_err(port_error)?;
        let mut store = Self::from_pool(pool);
        store.checkpoints = Some(Checkpoints::start(options, store.db.clone()));
        if config.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// Wraps an existing pool (migrations are the caller's business; see
    /// [`SqliteStore::migrate`]). Give it WAL mode and a busy timeout; its
    /// WAL checkpoints are left as the pool's connections set them.
    pub fn from_pool(pool: SqlitePool) -> Self {
        let db = Db { pool, write: Arc::default() };
        let snapshots = Arc::<Snapshots>::default();
        let writes = GroupCommit::new(IncidentWriter { db: db.clone(), snapshots: Arc::clone(&snapshots) }, MAX_BATCH);
        let keys = GroupCommit::new(KeyWriter { db: db.clone(), connection: Default::default() }, MAX_KEYS);
        Self { db, writes, keys, snapshots, checkpoints: None }
    }

    /// Applies the embedded migrations that have not run yet.
    ///
    /// # Errors
    /// `Transient` when the file is busy or unreadable; `Invalid` when a migration does not apply.
    pub async fn migrate(&self) -> Result<(), PortError> {
        let _write = self.db.write.lock(Writer::Foreground).await;
        MIGRATOR.run(&self.db.pool).await.map_err(migrate_error)
    }

    /// The pool, for queries of your own (the views, for instance).
    pub fn pool(&self) -> &SqlitePool {
        &self.db.pool
    }

    /// Closes every connection; later calls fail with `Transient`.
    pub async fn close(&self) {
        self.db.pool.close().await;
        self.keys.writer().close().await;
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.stopped().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_connection_bounds_its_page_cache() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = SqliteStoreConfig::file(dir.path().join("sima.db"));
        config.cache_kib_per_connection = 300;
        let store = SqliteStore::connect(&config).await.expect("a store");
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = store.pool().acquire().await.expect("a connection");
            let (cache,): (i64,) = sqlx::query_as("PRAGMA cache_size").fetch_one(&mut *conn).await.expect("the pragma");
            assert_eq!(cache, -300, "a negative cache_size is KiB");
            held.push(conn);
        }
    }
}
