//! The tracker runbook: which action items are exported as tickets, and
//! keeping each ticket in line with its item.
//!
//! Planning: an added item is exported at once ([`TrackerExport::All`]) or
//! when someone asks (`/incident export <n>`, either mode); an item marked
//! done or reopened in SIMA closes or reopens its ticket. A change the
//! tracker reported never plans a write back to it, so nothing loops.
//!
//! Running: the export finds the ticket made for the item's
//! [`FollowUpKey`] before it creates one, and records it before anything
//! else (one provider write per recorded step); a create that answered an
//! error after committing is found by the retry. The sync rewrites the
//! ticket and moves it, both idempotent, and records the ticket if it
//! changed.

use crate::domain::{ActionItem, Actor, Effect, EventKind, FollowUpKey, Incident, IncidentEvent, Outcome, TicketState};
use crate::ports::{ChatPort, PortError, TicketDraft, TrackerPort};

use super::failure::Failure;
use super::RunbookConfig;

/// Which action items are exported to the tracker, when one is configured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TrackerExport {
    /// Every action item, as soon as it is added (the default).
    #[default]
    All,
    /// Only the items someone asks for (`/incident export <n>`, or the
    /// Export button on the action items message).
    OnCommand,
}

/// The ticket effects `events` imply for `after`; `export` is `None` when no
/// tracker is configured (then nothing is planned).
pub(crate) fn plan(export: Option<TrackerExport>, after: &Incident, events: &[IncidentEvent]) -> Vec<Effect> {
    let Some(export) = export else { return Vec::new() };
    let mut effects = Vec::new();
    // Items added in this decision are the last ones, in order.
    let added = events.iter().filter(|e| matches!(e.kind, EventKind::ActionItemAdded { .. })).count();
    let mut next_added = u32::try_from(after.action_items().len().saturating_sub(added)).unwrap_or(u32::MAX);
    for event in events {
        let from_tracker = matches!(event.actor, Actor::Tracker(_));
        match &event.kind {
            EventKind::ActionItemAdded { .. } => {
                next_added = next_added.saturating_add(1);
                if export == TrackerExport::All {
                    effects.push(Effect::ExportActionItem { number: next_added });
                }
            }
            EventKind::ActionItemExportRequested { number } => {
                effects.push(Effect::ExportActionItem { number: *number });
            }
            // Changed in SIMA: the ticket follows. Changed in the tracker: it already has.
            EventKind::ActionItemDone { number } | EventKind::ActionItemReopened { number }
                if !from_tracker && after.action_item(*number).is_some_and(|item| item.ticket.is_some()) =>
            {
                effects.push(Effect::SyncTicket { number: *number });
            }
            // Done while its export ran: the new ticket is closed too.
            EventKind::TicketLinked { number, .. }
                if !from_tracker && after.action_item(*number).is_some_and(|item| !item.is_open()) =>
            {
                effects.push(Effect::SyncTicket { number: *number });
            }
            _ => {}
        }
    }
    effects.dedup();
    effects
}

/// What the ticket of action item `number` says, built from the incident as
/// it is now; `None` for an unknown item.
pub(crate) fn draft(
    config: &RunbookConfig,
    incident: &Incident,
    number: u32,
    owner_email: Option<String>,
) -> Option<TicketDraft> {
    let item = incident.action_item(number)?;
    let public_url = config.public_url.trim_end_matches('/');
    let incident_url = match incident.room() {
        Some(room) if !room.url.is_empty() => Some(room.url.clone()),
        _ if !public_url.is_empty() => Some(format!("{public_url}/ui/incidents/{}", incident.number())),
        _ => None,
    };
    Some(TicketDraft {
        key: FollowUpKey::new(incident.number(), number),
        title: item.text.as_str().to_owned(),
        incident_summary: incident.summary().as_str().to_owned(),
        incident_url,
        owner_email,
        owner_name: item.owner.as_ref().map(|owner| owner.as_str().to_owned()),
        due: item.due,
    })
}

/// The owner's email, if the chat platform shows one; a platform that
/// cannot, or a user without one, leaves the ticket unassigned.
async fn owner_email(chat: &dyn ChatPort, item: &ActionItem) -> Result<Option<String>, PortError> {
    let Some(owner) = &item.owner else { return Ok(None) };
    match chat.user_email(owner).await {
        Ok(email) => Ok(email.filter(|e| !e.trim().is_empty())),
        // Busy or unreachable: the export waits and tries again.
        Err(e @ (PortError::RateLimited { .. } | PortError::Transient(_))) => Err(e),
        // Any other answer (no such user, a missing scope, garbage): the
        // ticket is made unassigned, naming the owner in its description,
        // rather than not made at all.
        Err(error) => {
            tracing::warn!(%owner, %error, "the owner's email could not be read; the ticket is left unassigned");
            Ok(None)
        }
    }
}

/// Runs a ticket effect (`ExportActionItem`, `SyncTicket`).
pub(crate) async fn perform(
    chat: &dyn ChatPort,
    tracker: Option<&dyn TrackerPort>,
    config: &RunbookConfig,
    incident: &Incident,
    effect: &Effect,
) -> Result<Vec<Outcome>, Failure> {
    let number = match effect {
        Effect::ExportActionItem { number } | Effect::SyncTicket { number } => *number,
        _ => return Ok(vec![]),
    };
    let Some(item) = incident.action_item(number) else {
        return Err(Failure::Refused(format!("{} has no action item {number}", incident.number())));
    };
    let Some(tracker) = tracker else {
        return Err(Failure::Refused(format!(
            "action item {number} was not sent to a tracker: none is configured (SIMA_TRACKER)"
        )));
    };
    let draft_now = |email| {
        draft(config, incident, number, email)
            .ok_or_else(|| Failure::Refused(format!("{} has no action item {number}", incident.number())))
    };
    match effect {
        Effect::ExportActionItem { .. } => {
            if item.ticket.is_some() {
                return Ok(vec![]);
            }
            let key = FollowUpKey::new(incident.number(), number);
            // Made by an earlier attempt whose answer was lost: link it, make no other.
            if let Some(ticket) = tracker.find(key).await? {
                return Ok(vec![Outcome::TicketLinked { number, ticket }]);
            }
            let draft = draft_now(owner_email(chat, item).await?)?;
            let ticket = tracker.create(&draft).await?;
            Ok(vec![Outcome::TicketLinked { number, ticket }])
        }
        _ => {
            // Not exported (yet): a ticket linked later is brought in line then.
            let Some(ticket) = &item.ticket else { return Ok(vec![]) };
            let draft = draft_now(owner_email(chat, item).await?)?;
            tracker.update(ticket, &draft).await?;
            let state = if item.is_open() { TicketState::Open } else { TicketState::Done };
            let now = tracker.set_state(ticket, state).await?;
            Ok(if &now == ticket { vec![] } else { vec![Outcome::TicketUpdated { number, ticket: now }] })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::{declared, t};
    use crate::domain::{Command, NewActionItem, Text, Ticket};

    /// Runs `command` as `actor` and answers the events it made.
    fn run(incident: &mut Incident, actor: Actor, command: Command) -> Vec<IncidentEvent> {
        let kinds = incident.decide(&command, t(5)).unwrap();
        let mut events = Vec::new();
        for kind in kinds {
            let event = IncidentEvent { seq: incident.version() + 1, at: t(5), actor: actor.clone(), kind };
            incident.apply(&event);
            events.push(event);
        }
        events
    }

    fn add(incident: &mut Incident, text: &str) -> Vec<IncidentEvent> {
        run(incident, Actor::Api, Command::AddActionItem(NewActionItem::from(Text::parse(text).unwrap())))
    }

    fn ticket(state: TicketState) -> Ticket {
        Ticket { id: "1".into(), key: "OPS-1".into(), url: "https://t/OPS-1".into(), status: "To Do".into(), state }
    }

    #[test]
    fn without_a_tracker_nothing_is_planned() {
        let mut incident = declared(t(0));
        let events = add(&mut incident, "fix it");
        assert!(plan(None, &incident, &events).is_empty());
        let events = run(&mut incident, Actor::Api, Command::CompleteActionItem(1));
        assert!(plan(None, &incident, &events).is_empty());
    }

    #[test]
    fn added_items_are_exported_by_number_unless_export_is_on_command() {
        let mut incident = declared(t(0));
        add(&mut incident, "one");
        let mut events = add(&mut incident, "two");
        events.extend(add(&mut incident, "three"));
        assert_eq!(
            plan(Some(TrackerExport::All), &incident, &events),
            vec![Effect::ExportActionItem { number: 2 }, Effect::ExportActionItem { number: 3 }]
        );
        assert!(plan(Some(TrackerExport::OnCommand), &incident, &events).is_empty());
        let asked = run(&mut incident, Actor::Api, Command::ExportActionItem(1));
        for export in [TrackerExport::All, TrackerExport::OnCommand] {
            assert_eq!(plan(Some(export), &incident, &asked), vec![Effect::ExportActionItem { number: 1 }]);
        }
    }

    #[test]
    fn changes_made_in_sima_sync_the_ticket_and_changes_from_the_tracker_do_not() {
        let mut incident = declared(t(0));
        add(&mut incident, "one");
        let export = Some(TrackerExport::All);
        let done = run(&mut incident, Actor::Api, Command::CompleteActionItem(1));
        assert!(plan(export, &incident, &done).is_empty(), "no ticket yet: the export closes it once linked");
        let linked =
            Command::Record(crate::domain::Outcome::TicketLinked { number: 1, ticket: ticket(TicketState::Open) });
        let linked = run(&mut incident, Actor::Sima, linked);
        assert_eq!(plan(export, &incident, &linked), vec![Effect::SyncTicket { number: 1 }], "linked while done");

        let reopened = run(&mut incident, Actor::Api, Command::ReopenActionItem(1));
        assert_eq!(plan(export, &incident, &reopened), vec![Effect::SyncTicket { number: 1 }]);
        let jira = Actor::Tracker("jira".into());
        let done = run(&mut incident, jira.clone(), Command::CompleteActionItem(1));
        assert!(plan(export, &incident, &done).is_empty(), "the tracker already has it");
        let reopened = run(&mut incident, jira, Command::ReopenActionItem(1));
        assert!(plan(export, &incident, &reopened).is_empty());
    }

    #[test]
    fn the_draft_links_the_room_else_the_dashboard() {
        let mut incident = declared(t(0));
        add(&mut incident, "rotate the keys");
        let config = RunbookConfig { public_url: "https://sima.example/".into(), ..RunbookConfig::default() };
        let draft = draft(&config, &incident, 1, Some("ada@example.com".into())).unwrap();
        let number = incident.number();
        assert_eq!(draft.incident_url, Some(format!("https://sima.example/ui/incidents/{number}")));
        assert_eq!((draft.title.as_str(), draft.owner_email.as_deref()), ("rotate the keys", Some("ada@example.com")));
        assert_eq!(draft.key, FollowUpKey::new(number, 1));
        let none = RunbookConfig { public_url: String::new(), ..RunbookConfig::default() };
        assert_eq!(draft_fn(&none, &incident).incident_url, None);
        assert!(super::draft(&config, &incident, 2, None).is_none(), "no item 2");
    }

    #[tokio::test]
    async fn an_owner_whose_email_cannot_be_read_gets_an_unassigned_ticket_and_a_busy_platform_is_waited_for() {
        let mut incident = declared(t(0));
        let owner = crate::domain::UserRef::parse("UBOB").unwrap();
        let item = NewActionItem { text: Text::parse("fix it").unwrap(), owner: Some(owner), due: None };
        run(&mut incident, Actor::Api, Command::AddActionItem(item));
        let item = incident.action_item(1).unwrap();
        let answers: [(PortError, bool); 5] = [
            (PortError::Invalid("garbage".into()), false),
            (PortError::Unauthorized("missing_scope".into()), false),
            (PortError::NotFound("user_not_found".into()), false),
            (PortError::Transient("503".into()), true),
            (PortError::RateLimited { retry_after: Some(std::time::Duration::from_secs(3)) }, true),
        ];
        for (answer, waits) in answers {
            let mut chat = crate::ports::MockChatPort::new();
            let returned = answer.clone();
            chat.expect_user_email().returning(move |_| Err(returned.clone()));
            let read = owner_email(&chat, item).await;
            if waits {
                assert!(read.is_err(), "{answer:?} is tried again later");
            } else {
                assert_eq!(read.unwrap(), None, "{answer:?} leaves the ticket unassigned");
            }
        }
    }

    fn draft_fn(config: &RunbookConfig, incident: &Incident) -> TicketDraft {
        draft(config, incident, 1, None).unwrap()
    }
}
