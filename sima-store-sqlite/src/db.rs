//! [`Db`]: the pool and the write lock every module works through.

use std::sync::Arc;

use sima_core::ports::PortError;
use sqlx::sqlite::SqlitePool;
use sqlx::{Sqlite, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::port_error;

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
