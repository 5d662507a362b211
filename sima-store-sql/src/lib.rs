//! `sima-store-sql` holds what SIMA's SQL incident stores share, so each store
//! keeps only its dialect and its driver, and `sima-core` keeps no SQL. It has
//! no driver itself: a store binds the values these types hand out, and maps
//! its driver's failures to [`SqlFailure`], which turns them into the one
//! [`PortError`](sima_core::ports::PortError) of the ports.
//!
//! # Layout
//! - `columns`: the indexed columns of an `incidents` row ([`IncidentColumns`]),
//!   the milestones query and its rows ([`MilestoneColumns`]), the counts
//!   query ([`INCIDENT_COUNTS_QUERY`]), numbers as stored.
//! - `claim`: one outbox claim ([`ClaimRequest`]) and the order claims take
//!   effects in ([`claim_rank`]).
//! - `errors`: the schema's unique constraints, what violating each means,
//!   and the classification of a failed call ([`SqlFailure`]).
//! - `group_commit`: writes queued while a transaction runs share the next
//!   one ([`GroupCommit`], [`BatchWriter`]).
//! - `remember`: what the stores' batched replay checks share ([`Remember`]).

#![forbid(unsafe_code)]

mod claim;
mod columns;
mod errors;
mod group_commit;
mod remember;

pub use claim::{claim_rank, rooms_rank, ClaimRequest};
pub use columns::{
    incident_counts, milestones_query, stored_number, to_i64, IncidentColumns, MilestoneColumns, INCIDENT_COUNTS_QUERY,
};
pub use errors::{append_refused, corrupt, duplicate, SqlFailure, EVENTS_PKEY, INCIDENTS_PKEY, OPEN_DEDUP_KEY};
pub use group_commit::{BatchWriter, GroupCommit};
pub use remember::{answer_remembered, first_seen, Remember};
