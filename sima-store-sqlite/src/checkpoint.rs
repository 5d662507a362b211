//! WAL checkpoints off the write path.
//!
//! SQLite's default copies the WAL into the database file (and syncs it)
//! inside whichever commit pushes the WAL past 1,000 pages, so that commit
//! and every write queued behind it waits: about 10 ms each time, the tail of
//! every latency the benches measured. The store instead turns the automatic
//! checkpoint off on its connections and runs a `PASSIVE` checkpoint every
//! [`EVERY`] on a connection of its own, which waits for no reader and no
//! writer; the WAL is reused from its start once it has been copied.

use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use tokio::task::JoinHandle;

/// How often the WAL is copied into the database file.
pub(crate) const EVERY: Duration = Duration::from_secs(1);

/// The running checkpoints; they stop when the last clone of the store is dropped or the pool closes.
#[derive(Debug)]
pub(crate) struct Checkpoints(JoinHandle<()>);

impl Checkpoints {
    /// Starts checkpointing `pool`'s file every [`EVERY`].
    pub(crate) fn start(pool: SqlitePool) -> Arc<Self> {
        Arc::new(Self(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            while !pool.is_closed() {
                ticks.tick().await;
                checkpoint(&pool).await;
            }
        })))
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One passive checkpoint; a failure is logged and the next tick tries again.
pub(crate) async fn checkpoint(pool: &SqlitePool) {
    let done: Result<(i64, i64, i64), sqlx::Error> =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(pool).await;
    match done {
        Ok((_, frames, copied)) => tracing::trace!(frames, copied, "WAL checkpoint"),
        Err(error) if pool.is_closed() => tracing::trace!(%error, "WAL checkpoint after close"),
        Err(error) => tracing::warn!(%error, "WAL checkpoint failed; the next one retries"),
    }
}
