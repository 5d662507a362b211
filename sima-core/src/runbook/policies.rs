//! The registered [`Policy`]s, composed in order: guards (the first refusal
//! wins) and extra steps (concatenated), turned into outbox effects.
//!
//! A step answering an event that is `d` deep in a chain of changes made by
//! policies ([`policy_depth`](crate::domain::EventKind::policy_depth)) makes
//! a change at depth `d + 1`, which its effect carries to the event it
//! records. A step that would go deeper than [`MAX_POLICY_DEPTH`] is not
//! planned: a `refused_step` effect is, which records the refusal
//! (`effect_failed`, naming the step) and tells the room, so policies that
//! re-trigger each other stop there.

use std::sync::Arc;

use crate::domain::{Actor, Command, Effect, Incident, IncidentEvent, MAX_POLICY_DEPTH};
use crate::ports::{Policy, Refusal, Step};

use super::plan::Planned;
use super::ServiceCatalog;

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
        // SIMA's own rule, before the company's: making public is for the Incident Manager or an admin.
        if matches!(command, Command::SetVisibility { private: false })
            && incident.is_private()
            && !incident.may_make_public(actor)
        {
            return Err(Refusal::new(
                "only the Incident Manager (or an admin, through the API) may make a private incident public",
            ));
        }
        self.0.iter().try_for_each(|policy| policy.guard(incident, actor, command))
    }

    /// The effects the policies' steps for `events` imply, in order; a step
    /// beyond [`MAX_POLICY_DEPTH`] becomes its refusal.
    /// A step paging a service also invites its people (`services`).
    pub(crate) fn plan(&self, services: &ServiceCatalog, after: &Incident, events: &[IncidentEvent]) -> Vec<Planned> {
        let mut planned = Vec::new();
        for event in events {
            let depth = event.kind.policy_depth().saturating_add(1);
            for policy in &self.0 {
                for step in policy.steps(after, event) {
                    let invites = match &step {
                        _ if depth > MAX_POLICY_DEPTH => Vec::new(),
                        Step::Page { service } => services.invite_effects(service),
                        Step::Escalate => services.invite_effects(after.domain()),
                        _ => Vec::new(),
                    };
                    planned.push(effect(after, step, depth));
                    planned.extend(invites.into_iter().map(Planned::now));
                }
            }
        }
        planned
    }
}

/// The outbox effect that carries out `step`, a change at `depth`.
fn effect(after: &Incident, step: Step, depth: u8) -> Planned {
    if depth > MAX_POLICY_DEPTH {
        return Planned::now(Effect::RefusedStep { step: describe(&step), policy_depth: depth });
    }
    match step {
        Step::Page { service } => Planned::now(Effect::Page { domain: service, escalation: true }),
        Step::Escalate => Planned::now(Effect::Page { domain: after.domain().clone(), escalation: true }),
        Step::Invite { users } => Planned::now(Effect::InviteMembers { users }),
        Step::Post { room, text } => Planned::now(Effect::PostTo { room, text }),
        Step::SetSeverity { severity } => Planned::now(Effect::SetSeverity { severity, policy_depth: depth }),
        Step::Timer { name, after, condition } => Planned::after(Effect::Timer { name, condition }, after),
    }
}

/// A step in words, as a refusal names it: `set severity sev3`.
fn describe(step: &Step) -> String {
    match step {
        Step::Page { service } => format!("page {service}"),
        Step::Escalate => "escalate".to_owned(),
        Step::Invite { users } => {
            format!("invite {}", users.iter().map(|u| u.as_str()).collect::<Vec<_>>().join(", "))
        }
        Step::Post { room, .. } => format!("post in {}", room.as_str()),
        Step::SetSeverity { severity } => format!("set severity {severity}"),
        Step::Timer { name, .. } => format!("start timer {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventKind, FieldChange, Severity};

    fn edited(policy_depth: u8) -> EventKind {
        EventKind::FieldEdited(FieldChange::Severity { old: Severity::Sev3, new: Severity::Sev2, policy_depth })
    }

    #[test]
    fn a_change_answers_one_level_deeper_and_a_step_beyond_the_limit_is_refused() {
        let incident = crate::domain::tests::declared(crate::domain::tests::t(0));
        let raise = || Step::SetSeverity { severity: Severity::Sev1 };
        assert_eq!(
            effect(&incident, raise(), 1).effect,
            Effect::SetSeverity { severity: Severity::Sev1, policy_depth: 1 }
        );
        assert_eq!(
            effect(&incident, raise(), MAX_POLICY_DEPTH).effect,
            Effect::SetSeverity { severity: Severity::Sev1, policy_depth: MAX_POLICY_DEPTH }
        );
        assert_eq!(
            effect(&incident, raise(), MAX_POLICY_DEPTH + 1).effect,
            Effect::RefusedStep { step: "set severity sev1".into(), policy_depth: MAX_POLICY_DEPTH + 1 }
        );
        assert_eq!(edited(0).policy_depth(), 0);
        assert_eq!(edited(2).policy_depth(), 2);
        assert_eq!(EventKind::TimerFired { name: "t".into() }.policy_depth(), 1);
    }
}
