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
//! Start-up also refuses workflows whose steps re-trigger each other without
//! end (a step setting the severity that starts a `severity_changed` workflow
//! which, directly or not, starts the first again), naming them; `cycles`
//! states the rule.
//!
//! # Layout
//! - `config`: the TOML shape, read and checked one workflow at a time.
//! - `cycles`: workflows whose steps re-trigger each other without end, refused.
//! - `policy`: [`WorkflowPolicy`], the workflows as a `Policy`.
//! - `guards`: `[[guards]]` and [`GuardPolicy`]: commands only a role holder may send.

mod config;
mod cycles;
mod guards;
mod policy;

pub use config::{Conditions, StepSettings, Trigger, Workflow};
pub use guards::{deserialize_guards, Guard, GuardPolicy, Guarded};
pub use policy::WorkflowPolicy;

/// Reads `[[workflows]]`, one at a time, and refuses the first mistake,
/// naming the workflow (`workflows[2] "sev1-escalation": …`), then refuses
/// workflows that re-trigger each other without end, naming them.
///
/// # Errors
/// An unknown field, an impossible trigger, an unknown step, a duplicate name,
/// or workflows whose steps start each other in a cycle.
pub fn deserialize_workflows<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Workflow>, D::Error> {
    let workflows = config::read_workflows(deserializer)?;
    cycles::refuse_cycles(&workflows).map_err(serde::de::Error::custom)?;
    Ok(workflows)
}

#[cfg(test)]
mod tests;
