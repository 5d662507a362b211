//! `sima-store-postgres` keeps SIMA's incidents in PostgreSQL: a snapshot row
//! per incident beside its append-only event log, the outbox of effects, the
//! idempotency keys, action items and the dashboard's sign-in sessions,
//! revoked at once for every replica. [`PgStore`] implements
//! [`IncidentStore`](sima_core::ports::IncidentStore) with optimistic
//! concurrency on appends, a partial unique index for open dedup keys, and
//! outbox claims with `FOR UPDATE SKIP LOCKED` and a lease, so several server
//! replicas share one database. Migrations are embedded and applied on
//! connect unless turned off; the views `incident_metrics` and
//! `incident_timeline` are ready for Metabase (see the crate README).
//!
//! # Layout
//! - `config`: [`PgStoreConfig`], how to connect.
//! - `error`: `sqlx::Error` to [`PortError`](sima_core::ports::PortError).
//! - `store`: [`PgStore`], the pool and migrations; `incidents`, `outbox` and
//!   `keys` implement the store ports on it.
//! - `incidents`: create, append, loads and listing.
//! - `writes`: a creation (numbers, dedup) inside a transaction, and the rows
//!   incident writes keep in step.
//! - `filter`: the listing and metrics filter as SQL, and its bind values.
//! - `events`: the event log.
//! - `outbox`: claim with leases, complete, retry, give up.
//! - `enqueue`: the outbox rows written with an incident write.
//! - `keys`: idempotency keys; `key_batch`: concurrent `remember` calls share one insert.
//! - `sessions`: dashboard sign-in sessions ([`SessionStore`](sima_core::ports::SessionStore)).
//! - `metrics`: milestones from the `incident_milestones` view.
//! - `migrations`: the embedded migrations a database has not applied ([`PgStore::pending_migrations`]).
//! - `scratch` (feature `testing`): [`ScratchDatabase`], a fresh database per test.

#![forbid(unsafe_code)]

mod config;
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
#[cfg(feature = "testing")]
mod scratch;
mod sessions;
mod store;
mod writes;

pub use config::PgStoreConfig;
#[cfg(feature = "testing")]
pub use scratch::{with_database, ScratchDatabase};
pub use store::{PgStore, MIGRATOR};
