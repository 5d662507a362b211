//! The registered [`Policy`]s, composed in order: guards (the first refusal
//! wins) and extra steps (concatenated), turned into outbox effects.

use std::sync::Arc;

use crate::domain::{Actor, Command, Incident, IncidentEvent};
use crate::ports::{Policy, Refusal, Step};

use super::plan::Planned;
use super::Effect;

/// Policies in the order they were registered; none is today's behaviour.
#[derive(Clone, Default)]
pub(crate) struct Policies(Vec<Arc<dyn Policy>>);

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Policies({})", self.0.len())
    }
}

impl Policies {
    /// Adds `policy` after the others.
    pub(crate) fn push(&mut self, policy: Arc<dyn Policy>) {
        self.0.push(policy);
    }

    /// The first refusal of `command`, in registration order. SIMA's own
    /// commands (recording outcomes) are never guarded.
    pub(crate) fn guard(&self, incident: &Incident, actor: &Actor, command: &Command) -> Result<(), Refusal> {
        if matches!(actor, Actor::Sima) || matches!(command, Command::Record(_)) {
            return Ok(());
        }
        self.0.iter().try_for_each(|policy| policy.guard(incident, actor, command))
    }

    /// The effects the policies' steps for `events` imply, in order.
    pub(crate) fn plan(&self, after: &Incident, events: &[IncidentEvent]) -> Vec<Planned> {
        let mut planned = Vec::new();
        for event in events {
            for policy in &self.0 {
                planned.extend(policy.steps(after, event).into_iter().map(|step| effect(after, step)));
            }
        }
        planned
    }
}

/// The outbox effect that carries out `step`.
fn effect(after: &Incident, step: Step) -> Planned {
    match step {
        Step::Page { service } => Planned::now(Effect::Page { domain: service, escalation: true }),
        Step::Escalate => Planned::now(Effect::Page { domain: after.domain().clone(), escalation: true }),
        Step::Invite { users } => Planned::now(Effect::InviteMembers { users }),
        Step::Post { room, text } => Planned::now(Effect::PostTo { room, text }),
        Step::SetSeverity { severity } => Planned::now(Effect::SetSeverity { severity }),
        Step::Timer { name, after, condition } => Planned::after(Effect::Timer { name, condition }, after),
    }
}
