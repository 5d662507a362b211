//! WAL checkpoints off the write path, at the lowest CPU priority.
//!
//! SQLite's default copies the WAL into the database file (and syncs it)
//! inside whichever commit pushes the WAL past 1,000 pages, so that commit
//! and every write queued behind it waits: about 10 ms each time, the tail of
//! every latency the benches measured. The store instead turns the automatic
//! checkpoint off on its connections and runs a `PASSIVE` checkpoint every
//! [`EVERY`] on a connection of its own, which waits for no reader and no
//! writer; the WAL is reused from its start once it has been copied.
//!
//! Copying is CPU work: 20,000 frames took 60 ms of a core, and on two cores
//! every request waited behind it. The checkpoint's connection is opened
//! from a thread at nice 19, so the thread SQLite works on inherits that
//! priority: requests go first, and the copy uses what CPU they leave.
//!
//! A passive checkpoint never makes the WAL start over while writes keep
//! coming (each new write lands after the copy began), so under sustained
//! writes the WAL would only grow. Once it holds [`RESTART_AFTER`] frames, a
//! `RESTART` checkpoint copies the little the passive one left, holding this
//! process's writers back at the write lock meanwhile, and the next write
//! starts the WAL over (its file is cut back only past `journal_size_limit`,
//! see the store). It never waits for a reader: while one still uses the WAL
//! it gives up at once, and the next round tries again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection, SqlitePool};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::db::{Db, Writer};

/// How often the WAL is copied into the database file.
pub(crate) const EVERY: Duration = Duration::from_secs(1);

/// WAL frames (pages written) past which the WAL is made to start over:
/// 128 MiB with 4 KiB pages.
pub(crate) const RESTART_AFTER: i64 = 32_768;

/// The nice value of the thread that copies the WAL (the lowest priority).
const NICE: i32 = 19;

/// The running checkpoints; they stop when the pool closes or the last
/// clone of the store is dropped.
#[derive(Debug)]
pub(crate) struct Checkpoints {
    task: JoinHandle<()>,
    /// Turns true once the checkpoints stopped and closed their connections.
    stopped: watch::Receiver<bool>,
}

impl Checkpoints {
    /// Starts checkpointing the file of `db` (opened with `options`) every [`EVERY`].
    pub(crate) fn start(options: SqliteConnectOptions, db: Db) -> Arc<Self> {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let closed = db.pool.close_event();
            let mut checkpointer = Checkpointer::open(options, db).await;
            let mut ticks = tokio::time::interval(EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            tokio::pin!(closed);
            loop {
                tokio::select! {
                    () = &mut closed => break,
                    _ = ticks.tick() => {
                        checkpointer.tick(RESTART_AFTER).await;
                    }
                }
            }
            checkpointer.close().await;
            let _ = stop.send(true);
        });
        Arc::new(Self { task, stopped })
    }

    /// Waits until the checkpoints stopped and their connections are closed
    /// (they stop when the pool closes).
    pub(crate) async fn stopped(&self) {
        let _ = self.stopped.clone().wait_for(|stopped| *stopped).await;
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The checkpoints of one file and the connections they run on.
pub(crate) struct Checkpointer {
    db: Db,
    /// Copies the WAL, at the lowest priority; the pool's if it could not be opened.
    copier: Option<SqliteConnection>,
    /// Makes the WAL start over, at normal priority and without waiting:
    /// its busy timeout is zero, so it never sleeps holding the write lock.
    restarter: Option<SqliteConnection>,
    /// How the restarter is opened (the store's options, busy timeout zero).
    restart_options: SqliteConnectOptions,
}

impl Checkpointer {
    /// Opens the two connections. Without the first, the copies run on the
    /// pool at normal priority; the second is opened again at the next
    /// restart. Failures are logged.
    pub(crate) async fn open(options: SqliteConnectOptions, db: Db) -> Self {
        let copier = background_connection(options.clone())
            .await
            .inspect_err(|error| tracing::warn!(%error, "WAL checkpoints run on a pool connection at normal priority"))
            .ok();
        let restart_options = options.busy_timeout(Duration::ZERO);
        let mut checkpointer = Self { db, copier, restarter: None, restart_options };
        checkpointer.open_restarter().await;
        checkpointer
    }

    /// Opens the restarts' connection if it is not open.
    async fn open_restarter(&mut self) {
        if self.restarter.is_none() {
            self.restarter = SqliteConnection::connect_with(&self.restart_options)
                .await
                .inspect_err(|error| tracing::warn!(%error, "the WAL restarts' connection did not open; retried later"))
                .ok();
        }
    }

    /// One round: a passive checkpoint, then a restart if the WAL holds
    /// `restart_after` frames or more. Returns the frames the WAL held.
    pub(crate) async fn tick(&mut self, restart_after: i64) -> Option<i64> {
        if self.db.pool.is_closed() {
            return None;
        }
        let pool = &self.db.pool;
        let frames = match self.copier.as_mut() {
            Some(connection) => checkpoint(connection, pool, Mode::Passive).await,
            None => checkpoint(pool, pool, Mode::Passive).await,
        };
        if frames.is_some_and(|frames| frames >= restart_after) {
            self.restart().await;
        }
        frames
    }

    /// Copies what is left and lets the next write start the WAL over,
    /// holding this process's writers at the write lock meanwhile. Gives up
    /// at once (and the next round tries again) while a reader still uses
    /// the WAL, and when its connection cannot be opened (a pool
    /// connection would wait out the busy timeout holding the lock). Returns
    /// whether it succeeded.
    pub(crate) async fn restart(&mut self) -> bool {
        self.open_restarter().await;
        let Some(connection) = self.restarter.as_mut() else { return false };
        let _write = self.db.write.lock(Writer::Background).await;
        let done = checkpoint_row(connection, &self.db.pool, Mode::Restart).await;
        done.is_some_and(|(busy, _, _)| busy == 0)
    }

    /// Closes the two connections.
    async fn close(self) {
        for connection in [self.copier, self.restarter].into_iter().flatten() {
            let _ = connection.close().await;
        }
    }
}

/// A connection whose worker thread runs at nice [`NICE`]: it is opened from
/// a thread that lowered its own priority, which the worker inherits.
async fn background_connection(options: SqliteConnectOptions) -> Result<SqliteConnection, sqlx::Error> {
    let (opened, connection) = oneshot::channel();
    let opener = std::thread::Builder::new().name("sima-sqlite-checkpoint".into()).spawn(move || {
        lower_priority();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        let result = match runtime {
            Ok(runtime) => runtime.block_on(SqliteConnection::connect_with(&options)),
            Err(error) => Err(sqlx::Error::Io(error)),
        };
        let _ = opened.send(result);
    });
    opener.map_err(sqlx::Error::Io)?;
    connection.await.map_err(|_| sqlx::Error::WorkerCrashed)?
}

/// Lowers this thread's CPU priority to [`NICE`] (threads it starts inherit it).
fn lower_priority() {
    #[cfg(unix)]
    if let Err(error) = rustix::process::setpriority_process(None, NICE) {
        tracing::debug!(%error, "could not lower the checkpoint thread's priority");
    }
}

/// How a checkpoint treats the others.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    /// Copies what it can, waiting for no reader and no writer.
    Passive,
    /// Copies everything once no other writer or reader uses the WAL (up
    /// to the connection's busy timeout, zero on the restarter), so that
    /// the next write starts the WAL over.
    Restart,
}

/// One checkpoint on `executor`; returns the frames the WAL held. A
/// failure is logged and the next tick tries again. `pool` says whether the
/// store was closed meanwhile.
pub(crate) async fn checkpoint<'c, E>(executor: E, pool: &SqlitePool, mode: Mode) -> Option<i64>
where
    E: sqlx::Executor<'c, Database = sqlx::Sqlite>,
{
    checkpoint_row(executor, pool, mode).await.map(|(_, frames, _)| frames)
}

/// One checkpoint on `executor`: SQLite's row (busy, frames in the WAL,
/// frames copied), or `None` after a failure, which is logged.
async fn checkpoint_row<'c, E>(executor: E, pool: &SqlitePool, mode: Mode) -> Option<(i64, i64, i64)>
where
    E: sqlx::Executor<'c, Database = sqlx::Sqlite>,
{
    let started = Instant::now();
    let pragma = match mode {
        Mode::Passive => "PRAGMA wal_checkpoint(PASSIVE)",
        Mode::Restart => "PRAGMA wal_checkpoint(RESTART)",
    };
    let done: Result<(i64, i64, i64), sqlx::Error> = sqlx::query_as(pragma).fetch_one(executor).await;
    match done {
        Ok((busy, frames, copied)) => {
            tracing::trace!(?mode, busy, frames, copied, took = ?started.elapsed(), "WAL checkpoint");
            Some((busy, frames, copied))
        }
        Err(error) if pool.is_closed() => {
            tracing::trace!(%error, "WAL checkpoint after close");
            None
        }
        Err(error) => {
            tracing::warn!(%error, ?mode, "WAL checkpoint failed; the next one retries");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use sima_core::ports::IdempotencyKeys;

    use super::*;
    use crate::{SqliteStore, SqliteStoreConfig};

    /// Frames the WAL holds (a passive checkpoint reports them).
    async fn wal_frames(db: &Db) -> i64 {
        checkpoint(&db.pool, &db.pool, Mode::Passive).await.expect("a checkpoint")
    }

    /// Opens a store on a fresh file and writes `count` keys to it, one commit each.
    async fn store_with_keys(dir: &tempfile::TempDir, count: usize) -> SqliteStore {
        let url = format!("sqlite://{}", dir.path().join("wal.db").display());
        let store = SqliteStore::connect(&SqliteStoreConfig::new(url)).await.expect("the store opens");
        remember(&store, "before", count).await;
        store
    }

    async fn remember(store: &SqliteStore, prefix: &str, count: usize) {
        for i in 0..count {
            assert!(store.remember(&format!("{prefix}-{i}"), Utc::now()).await.expect("remembered"));
        }
    }

    /// A read transaction held open on the store's file.
    async fn pinning_reader(store: &SqliteStore) -> sqlx::pool::PoolConnection<sqlx::Sqlite> {
        let mut reader = store.db.pool.acquire().await.expect("a reader");
        sqlx::query("BEGIN").execute(&mut *reader).await.expect("a read transaction");
        let _: (i64,) =
            sqlx::query_as("SELECT count(*) FROM idempotency_keys").fetch_one(&mut *reader).await.expect("a read");
        reader
    }

    fn options(dir: &tempfile::TempDir) -> SqliteConnectOptions {
        SqliteConnectOptions::new().filename(dir.path().join("wal.db"))
    }

    /// A passive checkpoint cannot copy past a reader's snapshot, and then
    /// the WAL does not start over by itself: later writes only make the
    /// file longer. A restart copies the rest, and the next writes go to the
    /// start of the WAL: its file stops growing.
    #[tokio::test]
    async fn a_restart_makes_a_long_wal_start_over() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = store_with_keys(&dir, 200).await;
        let wal_bytes = || std::fs::metadata(dir.path().join("wal.db-wal")).map(|m| m.len()).expect("the WAL file");
        let mut reader = pinning_reader(&store).await;
        remember(&store, "pinned", 200).await;
        wal_frames(&store.db).await;
        sqlx::query("COMMIT").execute(&mut *reader).await.expect("the reader is done");
        drop(reader);
        let long = wal_bytes();
        remember(&store, "later", 10).await;
        let longer = wal_bytes();
        assert!(longer > long, "the WAL only grows: {long} then {longer} bytes");

        let mut checkpointer = Checkpointer::open(options(&dir), store.db.clone()).await;
        assert!(checkpointer.restart().await, "no reader: the restart succeeds");
        remember(&store, "after", 10).await;
        assert_eq!(wal_bytes(), longer, "the writes after the restart went to the start of the WAL");
        checkpointer.close().await;
    }

    /// While a reader still uses the WAL, a restart gives up at once rather
    /// than hold the writers back; once the reader is done, the next one succeeds.
    #[tokio::test]
    async fn a_restart_never_waits_for_a_reader() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = store_with_keys(&dir, 100).await;
        let mut reader = pinning_reader(&store).await;
        remember(&store, "pinned", 100).await;
        let mut checkpointer = Checkpointer::open(options(&dir), store.db.clone()).await;
        let round = tokio::time::timeout(Duration::from_secs(2), checkpointer.tick(10)).await;
        assert!(round.is_ok(), "the round ends without waiting for the reader (busy timeout 5 s)");
        remember(&store, "meanwhile", 10).await;

        sqlx::query("COMMIT").execute(&mut *reader).await.expect("the reader is done");
        drop(reader);
        assert!(checkpointer.restart().await, "the reader is done: the restart succeeds");
        checkpointer.close().await;
    }
}
