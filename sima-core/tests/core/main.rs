//! sima-core behaviour through its public API: runbooks, worker, service,
//! conversation and policies.

mod chat;
mod helpers;
mod opening;
mod policies;
mod retries;
mod updates;
mod worker;
