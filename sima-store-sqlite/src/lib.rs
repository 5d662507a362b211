//! `sima-store-sqlite` is SIMA's embedded default store: one SQLite file (WAL
//! mode) holding a snapshot row per incident beside its append-only event
//! log, the outbox of effects, the idempotency keys, action items and the
//! dashboard's sign-in sessions.
//! [`SqliteStore`] implements [`IncidentStore`](sima_core::ports::IncidentStore)
//! with the same contract as the PostgreSQL store: optimistic concurrency on
//! appends, a partial unique index for open dedup keys, leased outbox claims.
//! Writes are serialized in the process and run in `BEGIN IMMEDIATE`
//! transactions, so concurrent writers get `Conflict` (stale version), never
//! `database is locked`; creations and appends that queue while a write runs
//! share the next transaction (group commit), and recent snapshots are read
//! from memory. Migrations are embedded and applied on connect unless turned
//! off; the views `incident_metrics` and `incident_timeline` are ready
//! for Metabase (see the crate README).
//!
//! # Layout
//! - `config`: [`SqliteStoreConfig`], which file and how.
//! - `error`: `sqlx::Error` to [`PortError`](sima_core::ports::PortError).
//! - `time`: the stored time format (RFC 3339 text with milliseconds).
//! - `db`: the pool and the write lock every module works through.
//! - `store`: [`SqliteStore`], connecting and migrations; `incidents`, `outbox`
//!   and `keys` implement the store ports on it.
//! - `incidents`: create and append (through `batch`), loads and listing.
//! - `writes`: a creation (numbers, dedup) and an append inside a transaction.
//! - `batch`: the group commit of creations and appends.
//! - `snapshots`: the latest snapshots of recently used incidents, kept in step with every commit.
//! - `checkpoint`: WAL checkpoints beside the writes, never inside a commit.
//! - `filter`: the listing and metrics filter as SQL, and its bind values.
//! - `events`: the event log.
//! - `outbox`: claim with leases, complete, retry, give up.
//! - `enqueue`: the outbox rows written with an incident write.
//! - `keys`: idempotency keys; `key_batch`: concurrent `remember` calls share one insert.
//! - `sessions`: dashboard sign-in sessions ([`SessionStore`](sima_core::ports::SessionStore)).
//! - `metrics`: milestones from the `incident_milestones` view.
//! - `migrations`: the embedded migrations a file has not applied ([`SqliteStore::pending_migrations`]).

#![forbid(unsafe_code)]

mod batch;
mod checkpoint;
mod config;
mod db;
mod enqueue;
mod error;
mod events;
mod filter;
mod incidents;
mod key_batch;
mod keys;
mod metrics;
mod migrations;
mod outbox;
mod sessions;
mod snapshots;
mod store;
#[cfg(test)]
mod test_plans;
mod time;
mod writes;

pub use config::SqliteStoreConfig;
pub use store::{SqliteStore, MIGRATOR};
