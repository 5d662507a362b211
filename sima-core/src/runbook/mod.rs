//! Runbooks: which effects events imply, and the worker that runs them.

mod config;
mod effect;
mod execute;

mod plan;
mod policies;
#[cfg(test)]
mod policy_tests;
mod ports;
mod schedule;
mod scheduled;
mod wake;
mod worker;

pub use config::{RunbookConfig, WorkerConfig};
pub use effect::Effect;
pub(crate) use plan::plan;
pub use plan::PagingPolicy;
pub(crate) use policies::Policies;
pub use ports::Ports;
pub(crate) use schedule::later;
pub use schedule::Schedule;
pub use wake::{wake_channel, WakeReceiver, WakeSender};
pub use worker::EffectWorker;
