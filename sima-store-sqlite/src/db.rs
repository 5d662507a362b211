//! [`Db`]: the pool and the write lock every module works through.

use std::sync::Arc;

use sima_core::ports::PortError;
use sqlx::sqlite::SqlitePool;
use sqlx::{Sqlite, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::port_error;

/// Who waits for a write: someone waiting for an answer (a declaration, a
/// command, a webhook), or the effect worker in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writer {
    /// A person or a monitor is waiting for the answer.
    Foreground,
    /// The effect worker: claims, outcomes, renewals, housekeeping.
    Background,
}

/// Serializes this process's writes (SQLite has one writer). Background
/// writers queue behind one another at a gate, so at most one of them waits
/// on the lock itself: a foreground write waits for at most the write in
/// progress and one background write, however busy the worker is.
#[derive(Debug, Default)]
pub(crate) struct WriteLock {
    lock: Arc<Mutex<()>>,
    background_gate: Mutex<()>,
}

impl WriteLock {
    /// Takes the lock for `writer`.
    pub(crate) async fn lock(&self, writer: Writer) -> OwnedMutexGuard<()> {
        match writer {
            Writer::Foreground => Arc::clone(&self.lock).lock_owned().await,
            Writer::Background => {
                let _gate = self.background_gate.lock().await;
                Arc::clone(&self.lock).lock_owned().await
            }
        }
    }
}

/// The pool and the lock that serializes this process's writes.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    pub(crate) pool: SqlitePool,
    pub(crate) write: Arc<WriteLock>,
}

impl Db {
    /// Takes the write lock, then opens a `BEGIN IMMEDIATE` transaction (which
    /// also holds off other processes, waiting up to the busy timeout).
    pub(crate) async fn write_tx(
        &self,
        writer: Writer,
    ) -> Result<(OwnedMutexGuard<()>, Transaction<'static, Sqlite>), PortError> {
        let guard = self.write.lock(writer).await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(port_error)?;
        Ok((guard, tx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_foreground_write_overtakes_queued_background_writes() {
        let lock = Arc::new(WriteLock::default());
        let held = lock.lock(Writer::Foreground).await;
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for (name, writer) in [("b1", Writer::Background), ("b2", Writer::Background), ("b3", Writer::Background)] {
            let (lock, order) = (lock.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                let _g = lock.lock(writer).await;
                order.lock().unwrap().push(name);
            }));
            tokio::task::yield_now().await;
        }
        let (fg_lock, fg_order) = (lock.clone(), order.clone());
        waiting.push(tokio::spawn(async move {
            let _g = fg_lock.lock(Writer::Foreground).await;
            fg_order.lock().unwrap().push("f");
        }));
        tokio::task::yield_now().await;
        drop(held);
        for task in waiting {
            task.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec!["b1", "f", "b2", "b3"], "behind at most one background write");
    }
}
