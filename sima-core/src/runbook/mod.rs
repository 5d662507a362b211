//! Runbooks: which effects events imply, and the worker that runs them.

mod config;
mod execute;
mod failure;

mod limit;
mod plan;
#[cfg(test)]
mod plan_tests;
mod policies;
#[cfg(test)]
mod policy_tests;
mod ports;
mod postmortem_update;
mod recorder;
mod schedule;
mod scheduled;
mod services;
mod status_push;
mod tickets;
mod wake;
mod worker;

pub use config::{PagingPolicy, RunbookConfig, WorkerConfig};
// Older imports name it here; its home is `crate::domain::Effect`.
#[allow(unused_imports)]
pub(crate) use crate::domain::Effect;
pub(crate) use plan::plan;
pub(crate) use policies::Policies;
pub(crate) use ports::Ports;
pub(crate) use recorder::{NotRecorded, Recorded, Recorder};
pub(crate) use schedule::later;
pub use schedule::Schedule;
pub use services::{ServiceCatalog, ServiceInvites};
pub(crate) use status_push::plan as plan_status_push;
pub(crate) use tickets::plan as plan_tickets;
pub use tickets::TrackerExport;
pub(crate) use wake::WakeSender;
pub use worker::EffectWorker;
pub(crate) use worker::WorkerParts;
