//! The workflows as a [`Policy`]: which steps an event triggers.

use sima_core::domain::{EventKind, FieldChange};
use sima_core::ports::{Policy, Step, TimerCondition};
use sima_core::{Incident, IncidentEvent};

use super::{Trigger, Workflow};

/// `[[workflows]]` compiled into the `Policy` port: no guard, only steps.
#[derive(Debug, Clone, Default)]
pub struct WorkflowPolicy {
    workflows: Vec<Workflow>,
}

impl WorkflowPolicy {
    /// The policy of these checked workflows, in the order written.
    pub fn new(workflows: Vec<Workflow>) -> Self {
        Self { workflows }
    }
}

impl Workflow {
    /// Whether the incident meets every condition of `when`.
    fn applies_to(&self, incident: &Incident) -> bool {
        let when = &self.when;
        when.severity.as_ref().is_none_or(|s| s.contains(&incident.severity()))
            && when.min_severity.is_none_or(|min| incident.severity() >= min)
            && (self.domains.is_empty() || self.domains.contains(incident.domain()))
            && when.status.as_ref().is_none_or(|s| s.contains(&incident.status()))
    }

    /// Whether `event` starts this workflow (or its timer).
    fn started_by(&self, event: &EventKind) -> bool {
        match (self.trigger, event) {
            (Trigger::Declared | Trigger::UnacknowledgedFor | Trigger::OpenFor, EventKind::Declared { .. }) => true,
            (Trigger::StatusChanged, EventKind::StatusChanged { to, .. }) => Some(*to) == self.to,
            (Trigger::SeverityChanged, EventKind::FieldEdited(FieldChange::Severity { .. })) => true,
            (Trigger::RoleAssigned, EventKind::RoleAssigned { role, .. }) => self.role.is_none_or(|r| r == *role),
            _ => false,
        }
    }

    fn condition(&self) -> Option<TimerCondition> {
        match self.trigger {
            Trigger::UnacknowledgedFor => Some(TimerCondition::Unacknowledged),
            Trigger::OpenFor => Some(TimerCondition::StillOpen),
            _ => None,
        }
    }
}

impl Policy for WorkflowPolicy {
    fn steps(&self, after: &Incident, event: &IncidentEvent) -> Vec<Step> {
        let mut steps = Vec::new();
        for workflow in &self.workflows {
            if let EventKind::TimerFired { name } = &event.kind {
                // The timer re-checked its condition; the conditions are checked again too.
                if *name == workflow.name && workflow.applies_to(after) {
                    steps.extend(workflow.steps.iter().cloned());
                }
                continue;
            }
            if !workflow.started_by(&event.kind) || !workflow.applies_to(after) {
                continue;
            }
            match (workflow.condition(), workflow.after) {
                (Some(condition), Some(after)) => {
                    steps.push(Step::Timer { name: workflow.name.clone(), after, condition });
                }
                _ => steps.extend(workflow.steps.iter().cloned()),
            }
        }
        steps
    }
}
