//! The cross-references of a configuration: the services workflows page,
//! the services declared (`services` checks their own chains), the commands
//! guards keep to a role.

use crate::providers::PagingProvider;
use crate::workflows::StepSettings;

use super::services::Paging;
use super::Settings;

impl Settings {
    /// Every cross-reference that does not hold.
    pub(super) fn reference_problems(&self) -> Vec<String> {
        let mut problems = self.service_problems();
        problems.extend(self.page_target_problems());
        problems.extend(self.guard_problems());
        problems
    }

    /// A workflow step `{ page = "service" }` must name a service (a
    /// `[[services]]` or `[[domains]]` entry), and while PagerDuty pages, one
    /// paged through its own routing key: otherwise the page would go to the
    /// default routing key, that is, to another team's on-call.
    fn page_target_problems(&self) -> Vec<String> {
        let pages_for_real = self.paging_provider().map_or(true, |p| p == PagingProvider::PagerDuty);
        let mut problems = Vec::new();
        for workflow in &self.workflows {
            for step in &workflow.written {
                let StepSettings::Page(service) = step else { continue };
                match self.paging_of(service) {
                    Err(_) if self.service(service).is_none() => problems.push(format!(
                        "workflow \"{}\": `page = \"{service}\"` names no [[domains]] entry and no [[services]] \
                         entry (unknown service \"{service}\"); add [[services]] name = \"{service}\" with the \
                         paging (routing key) of its on-call",
                        workflow.name
                    )),
                    // The loop itself is reported with the service.
                    Err(_) => {}
                    Ok(Paging::Default) if pages_for_real => problems.push(format!(
                        "workflow \"{}\": `page = \"{service}\"` names a domain without a routing_key, so the \
                         page would go to the default routing key (another team's on-call); set routing_key \
                         on [[domains]] \"{service}\" (or paging on [[services]] \"{service}\")",
                        workflow.name
                    )),
                    Ok(_) => {}
                }
            }
        }
        problems
    }

    /// A guard name written twice, or one command kept to two different roles
    /// (only someone holding both could then send it).
    fn guard_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (index, guard) in self.guards.iter().enumerate() {
            let earlier = &self.guards[..index];
            if earlier.iter().any(|g| g.name == guard.name) {
                problems.push(format!("guards[{index}]: the name \"{}\" is used by another guard", guard.name));
            }
            for command in &guard.commands {
                let other = earlier.iter().find(|g| g.only != guard.only && g.commands.contains(command));
                if let Some(other) = other {
                    problems.push(format!(
                        "guards \"{}\" and \"{}\" keep \"{command}\" to two different roles ({} and {}): only \
                         someone holding both could do it; keep it to one role",
                        other.name,
                        guard.name,
                        other.only.title(),
                        guard.only.title()
                    ));
                }
            }
        }
        problems
    }
}
