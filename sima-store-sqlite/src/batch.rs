//! Group commit of incident writes: creations and appends queued while a
//! write transaction runs share the next one ([`GroupCommit`]).
//!
//! A batch of one runs exactly as a lone write did: its own `BEGIN IMMEDIATE`
//! … `COMMIT`. In a larger batch each job runs under a savepoint, so a job
//! that fails (a stale version, a broken row) undoes only its own writes and
//! the others commit. Every job is answered after the commit: a caller told
//! "stored" finds its write on any connection, and a failed commit fails
//! every job of its batch. Committed snapshots are kept in the store's
//! [`Snapshots`] before anyone is answered.

use std::sync::Arc;
use std::time::Instant;

use sima_core::ports::PortError;
use sima_store_sql::{BatchWriter, GroupCommit};
use sqlx::{Executor, Sqlite, Transaction};
use tokio::sync::oneshot;

use crate::db::{Db, Writer};
use crate::error::port_error;
use crate::snapshots::Snapshots;
use crate::writes::{append_in, create_in, taken_by, Step, Write, Written};

/// The most jobs one transaction takes.
pub(crate) const MAX_BATCH: usize = 64;

/// A write and where its answer goes.
pub(crate) type Job = (Write, oneshot::Sender<Result<Written, PortError>>);

/// Runs batches of [`Write`]s in one transaction each.
#[derive(Debug)]
pub(crate) struct IncidentWriter {
    pub(crate) db: Db,
    pub(crate) snapshots: Arc<Snapshots>,
}

/// The group commit of a store's incident writes.
pub(crate) type IncidentWrites = GroupCommit<IncidentWriter>;

impl BatchWriter for IncidentWriter {
    type Job = Job;

    async fn write(&self, jobs: Vec<Job>) {
        let (writes, answers): (Vec<Write>, Vec<_>) = jobs.into_iter().unzip();
        let writer = if writes.iter().any(Write::urgent) { Writer::Foreground } else { Writer::Background };
        let targets: Vec<_> = writes.iter().map(Write::appends_to).collect();
        // Snapshots kept from this batch count as seen when it began.
        let began = Instant::now();
        let results = match self.run(writer, writes).await {
            Ok(results) => results,
            Err(failed) => {
                // Whether it committed is unknown: nothing cached can be trusted.
                self.snapshots.clear();
                answers.iter().map(|_| Err(failed.clone())).collect()
            }
        };
        for ((answer, result), target) in answers.into_iter().zip(results).zip(targets) {
            let result = match result {
                Ok(Step::Done(written)) => Ok(*written),
                Ok(Step::KeyTaken(key)) => taken_by(&self.db, &key).await,
                Err(refused) => Err(refused),
            };
            match (&result, target) {
                (Ok(written), _) => self.snapshots.keep(written.incident(), began),
                (Err(_), Some(id)) => self.snapshots.drop_incident(id),
                (Err(_), None) => {}
            }
            let _ = answer.send(result);
        }
    }
}

impl IncidentWriter {
    /// Each write's step, once the transaction holding the kept ones is
    /// committed; `Err` when the transaction itself failed.
    async fn run(&self, writer: Writer, writes: Vec<Write>) -> Result<Vec<Result<Step, PortError>>, PortError> {
        let (_write, mut tx) = self.db.write_tx(writer).await?;
        let writes = match <[Write; 1]>::try_from(writes) {
            Ok([write]) => {
                let result = run_one(&mut tx, write).await;
                if matches!(result, Ok(Step::Done(_))) {
                    tx.commit().await.map_err(port_error)?;
                } else {
                    tx.rollback().await.map_err(port_error)?;
                }
                return Ok(vec![result]);
            }
            Err(writes) => writes,
        };
        // Savepoint statements travel together (`RELEASE job; SAVEPOINT job`),
        // so a job costs one round trip to the connection beyond its own
        // statements, where a lone write costs two (`BEGIN`, `COMMIT`).
        let mut results = Vec::with_capacity(writes.len());
        let last = writes.len() - 1;
        execute(&mut tx, "SAVEPOINT job").await?;
        for (i, write) in writes.into_iter().enumerate() {
            let result = run_one(&mut tx, write).await;
            let settle =
                if matches!(result, Ok(Step::Done(_))) { "RELEASE job;" } else { "ROLLBACK TO job; RELEASE job;" };
            let next = if i < last { " SAVEPOINT job;" } else { "" };
            execute(&mut tx, &format!("{settle}{next}")).await?;
            results.push(result);
        }
        tx.commit().await.map_err(port_error)?;
        Ok(results)
    }
}

async fn run_one(tx: &mut Transaction<'_, Sqlite>, write: Write) -> Result<Step, PortError> {
    match write {
        Write::Create(new) => create_in(tx, *new).await,
        Write::Append(batch) => append_in(tx, *batch).await,
    }
}

async fn execute(tx: &mut Transaction<'_, Sqlite>, sql: &str) -> Result<(), PortError> {
    let connection = &mut **tx;
    connection.execute(sql).await.map_err(port_error)?;
    Ok(())
}
