//! `[[workflows]]` in `sima.toml`: a company's rules as configuration,
//! checked at start-up and compiled into the core's `Policy` port.
//!
//! A workflow has a trigger (`on`), conditions (`when`) and steps:
//!
//! ```toml
//! [[workflows]]
//! name = "sev1-escalation"
//! on = "unacknowledged_for"
//! after = "15m"
//! when = { severity = ["sev1"] }
//! steps = ["escalate", { post = { room = "C0SEC", text = "A sev1 is unacknowledged" } }]
//! ```
//!
//! # Layout
//! - `config`: the TOML shape, read and checked one workflow at a time.
//! - `policy`: [`WorkflowPolicy`], the workflows as a `Policy`.
//! - `guards`: `[[guards]]` and [`GuardPolicy`]: commands only a role holder may send.

mod config;
mod guards;
mod policy;

pub use config::{deserialize_workflows, Conditions, StepSettings, Trigger, Workflow};
pub use guards::{deserialize_guards, Guard, GuardPolicy, Guarded};
pub use policy::WorkflowPolicy;

#[cfg(test)]
mod tests;
