//! Decisions about action items and their tickets: reopening, asking for an
//! export, and recording what the tracker answered.

use super::{Command, DomainError, EventKind, Incident, Outcome, Ticket};

impl Incident {
    /// Reopens or asks to export action item `number`: nothing new when it
    /// is open already, or already asked for or exported.
    pub(super) fn decide_ticket_command(&self, command: &Command, number: u32) -> Result<Vec<EventKind>, DomainError> {
        let item = self
            .action_item(number)
            .ok_or(DomainError::NoSuchActionItem { number, count: self.action_items().len() })?;
        let event = match command {
            Command::ReopenActionItem(_) if !item.is_open() => Some(EventKind::ActionItemReopened { number }),
            Command::ExportActionItem(_) if item.ticket.is_none() && !item.export_requested => {
                Some(EventKind::ActionItemExportRequested { number })
            }
            _ => None,
        };
        Ok(event.into_iter().collect())
    }

    /// Records a ticket: linked once per item, updated only when it changed.
    pub(super) fn record_ticket(&self, outcome: &Outcome, number: u32, ticket: &Ticket) -> Vec<EventKind> {
        let Some(item) = self.action_item(number) else { return vec![] };
        let event = match outcome {
            Outcome::TicketLinked { .. } if item.ticket.is_none() => {
                EventKind::TicketLinked { number, ticket: ticket.clone() }
            }
            Outcome::TicketUpdated { .. } if item.ticket.as_ref() != Some(ticket) => {
                EventKind::TicketUpdated { number, ticket: ticket.clone() }
            }
            _ => return vec![],
        };
        vec![event]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::{declared, t};
    use crate::domain::{Actor, IncidentEvent, NewActionItem, TicketState};

    fn ticket(state: TicketState) -> Ticket {
        let status = if state == TicketState::Done { "Done" } else { "To Do" };
        Ticket { id: "10001".into(), key: "OPS-1".into(), url: "https://t/OPS-1".into(), status: status.into(), state }
    }

    fn run(incident: &mut Incident, command: Command) -> Vec<EventKind> {
        let kinds = incident.decide(&command, t(5)).unwrap();
        for kind in &kinds {
            let event = IncidentEvent { seq: incident.version() + 1, at: t(5), actor: Actor::Sima, kind: kind.clone() };
            incident.apply(&event);
        }
        kinds
    }

    #[test]
    fn tickets_link_once_and_update_only_when_they_change() {
        let mut incident = declared(t(0));
        run(&mut incident, Command::AddActionItem(NewActionItem::from(crate::domain::Text::parse("Fix").unwrap())));
        assert_eq!(run(&mut incident, Command::ExportActionItem(1)).len(), 1);
        assert!(run(&mut incident, Command::ExportActionItem(1)).is_empty(), "asked once");
        let linked = Outcome::TicketLinked { number: 1, ticket: ticket(TicketState::Open) };
        assert_eq!(run(&mut incident, Command::Record(linked.clone())).len(), 1);
        assert!(run(&mut incident, Command::Record(linked)).is_empty(), "linked once");
        let same = Outcome::TicketUpdated { number: 1, ticket: ticket(TicketState::Open) };
        assert!(run(&mut incident, Command::Record(same)).is_empty(), "nothing changed");
        let done = Outcome::TicketUpdated { number: 1, ticket: ticket(TicketState::Done) };
        assert_eq!(run(&mut incident, Command::Record(done)).len(), 1);
        assert_eq!(incident.action_item(1).unwrap().ticket.as_ref().unwrap().state, TicketState::Done);
        let other = Outcome::TicketUpdated { number: 2, ticket: ticket(TicketState::Done) };
        assert!(run(&mut incident, Command::Record(other)).is_empty(), "no item 2");
    }

    #[test]
    fn an_item_reopens_once_and_unknown_items_are_refused() {
        let mut incident = declared(t(0));
        run(&mut incident, Command::AddActionItem(NewActionItem::from(crate::domain::Text::parse("Fix").unwrap())));
        assert!(run(&mut incident, Command::ReopenActionItem(1)).is_empty(), "already open");
        run(&mut incident, Command::CompleteActionItem(1));
        assert_eq!(run(&mut incident, Command::ReopenActionItem(1)), vec![EventKind::ActionItemReopened { number: 1 }]);
        assert!(incident.action_item(1).unwrap().is_open());
        for command in [Command::ReopenActionItem(3), Command::ExportActionItem(3)] {
            assert!(matches!(incident.decide(&command, t(6)), Err(DomainError::NoSuchActionItem { number: 3, .. })));
        }
    }
}
