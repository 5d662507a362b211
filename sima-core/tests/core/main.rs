//! sima-core behaviour through its public API: runbooks, worker, service,
//! conversation and policies.

mod actions;
mod archive;
mod chat;
mod helpers;
mod opening;
mod policies;
mod postmortem_updates;
mod publishing;
mod retries;
mod schedule;
mod tickets;
mod updates;
mod worker;
