//! Reminders, the closing summary and the action-item list.

use std::time::Duration;

use chrono::NaiveDate;

use crate::domain::{ActionItem, Incident};
use crate::metrics::Durations;
use crate::model::{ActionId, ActionStyle, Block, Field, Message, RichText};
use crate::wording::{action_text, human_duration};

/// Who a reminder speaks to: a mention of the Incident Manager, else of the
/// reporter, else "whoever leads this incident".
fn lead(incident: &Incident) -> RichText {
    match incident.lead() {
        Some(user) => RichText::new().mention(user),
        None => RichText::new().plain("Whoever leads this incident"),
    }
}

fn message(incident: &Incident, line: RichText, actions: Vec<crate::model::Action>) -> Message {
    let mut blocks = vec![Block::Text { text: line.clone() }];
    if !actions.is_empty() {
        blocks.push(Block::Actions { actions });
    }
    Message { text: RichText::new().plain(format!("{} · ", incident.number())).append(line), blocks }
}

/// The reminder posted after `after` without an update: it mentions the
/// lead and offers to update the status, resolve, or take the lead.
pub fn update_reminder(incident: &Incident, after: Duration) -> Message {
    let quiet = human_duration(Some(after.as_secs_f64()));
    let line = RichText::new().emoji("alarm_clock").append(lead(incident)).plain(format!(
        ", no update on {} for {quiet}. People are waiting: please post where things stand.",
        incident.number()
    ));
    let value = Some(incident.id().to_string());
    let actions = vec![
        ActionId::UpdateStatus.button(ActionStyle::Primary, value.clone()),
        ActionId::ResolveIncident.button(ActionStyle::Default, value.clone()),
        ActionId::BecomeIncidentManager.button(ActionStyle::Default, value),
    ];
    message(incident, line, actions)
}

/// The post-mortem reminder: the root cause or the action items are missing.
#[cfg(any(test, feature = "testkit"))]
pub fn postmortem_reminder(incident: &Incident) -> Message {
    let (line, _) = postmortem_reminder_line(incident);
    message(incident, line, vec![])
}

/// The open action items due before `today`, with their numbers.
pub(crate) fn overdue(incident: &Incident, today: NaiveDate) -> Vec<(usize, &ActionItem)> {
    numbered(incident).filter(|(_, a)| a.is_open() && a.due.is_some_and(|due| due < today)).collect()
}

/// The post-mortem reminder on `today`: what the post-mortem lacks, and the
/// open action items past their due date, each with its ticket.
pub(crate) fn postmortem_reminder_on(incident: &Incident, today: NaiveDate) -> Message {
    let (line, lacks) = postmortem_reminder_line(incident);
    let late = overdue(incident, today);
    let line = match (lacks, late.is_empty()) {
        (true, _) => line,
        (false, false) => RichText::new()
            .emoji("memo")
            .append(lead(incident))
            .plain(format!(", some action items of {} are past their due date.", incident.number())),
        (false, true) => return message(incident, line, vec![]),
    };
    let mut blocks = vec![Block::Text { text: line.clone() }];
    if !late.is_empty() {
        blocks.push(Block::Text { text: RichText::new().bold(format!("Overdue action items ({})", late.len())) });
        blocks.push(Block::Bullets { items: late.into_iter().map(|(n, a)| action_line(n, a)).collect() });
    }
    Message { text: RichText::new().plain(format!("{} · ", incident.number())).append(line), blocks }
}

/// The reminder's line, and whether the post-mortem lacks anything.
fn postmortem_reminder_line(incident: &Incident) -> (RichText, bool) {
    let mut missing = Vec::new();
    if incident.root_cause().is_none() {
        missing.push("the root cause (/incident rootcause <text>)");
    }
    if incident.action_items().is_empty() {
        missing.push("action items (/incident action [@owner] <text>)");
    }
    let line = RichText::new().emoji("memo").append(lead(incident)).plain(format!(
        ", the post-mortem of {} still lacks {}.",
        incident.number(),
        missing.join(" and ")
    ));
    (line, !missing.is_empty())
}

/// One action item as a line: `2. Alert on certificate expiry (@owner) due 2026-12-01 — done`.
pub(crate) fn action_line(number: usize, item: &ActionItem) -> RichText {
    let line = RichText::new().plain(format!("{number}. ")).append(action_text(item));
    if item.is_open() {
        line
    } else {
        line.italic(" — done")
    }
}

/// The summary posted before the room is archived: durations, the
/// post-mortem and the action items still open.
pub fn closing_summary(incident: &Incident) -> Message {
    let d = Durations::of(&incident.milestones());
    let postmortem = incident
        .postmortem()
        .map_or_else(|| RichText::new().italic("none"), |doc| RichText::new().link(&doc.url, "open it"));
    let open: Vec<RichText> = numbered(incident).filter(|(_, a)| a.is_open()).map(|(n, a)| action_line(n, a)).collect();
    let mut blocks = vec![
        Block::Header {
            text: RichText::new()
                .emoji("file_cabinet")
                .plain(format!("{} is closing: this room is archived now", incident.number())),
        },
        Block::Fields {
            fields: vec![
                Field::new("Time to acknowledge", human_duration(d.tta)),
                Field::new("Time to recover", human_duration(d.ttr_recovery)),
                Field::new("Time to repair", human_duration(d.ttr_repair)),
                Field::rich("Post-mortem", postmortem),
            ],
        },
    ];
    if open.is_empty() {
        blocks.push(Block::Text { text: RichText::new().plain("No action item is open.") });
    } else {
        blocks.push(Block::Text { text: RichText::new().bold(format!("Open action items ({})", open.len())) });
        blocks.push(Block::Bullets { items: open });
    }
    let text = RichText::new().plain(format!("{} closing summary; the room is archived.", incident.number()));
    Message { text, blocks }
}

fn numbered(incident: &Incident) -> impl Iterator<Item = (usize, &ActionItem)> {
    incident.action_items().iter().enumerate().map(|(i, a)| (i + 1, a))
}

/// The action items, each open one with a button that marks it done.
#[cfg(any(test, feature = "testkit"))]
pub fn action_items(incident: &Incident) -> Message {
    action_items_with(incident, false)
}

/// The action items, each open one with a button that marks it done and,
/// with `export_buttons` (the tracker exports on command), each item not in
/// the tracker yet with a button that exports it.
pub(crate) fn action_items_with(incident: &Incident, export_buttons: bool) -> Message {
    let mut blocks =
        vec![Block::Header { text: RichText::new().plain(format!("Action items of {}", incident.number())) }];
    if incident.action_items().is_empty() {
        blocks.push(Block::Text {
            text: RichText::new().plain("None yet. Add one with ").code("/incident action [@owner] <text>"),
        });
    }
    for (n, item) in numbered(incident) {
        blocks.push(Block::Text { text: action_line(n, item) });
        let value = Some(format!("{} {n}", incident.id()));
        let mut actions = Vec::new();
        if item.is_open() {
            actions.push(ActionId::CompleteActionItem.button(ActionStyle::Default, value.clone()));
        }
        if export_buttons && item.ticket.is_none() && !item.export_requested {
            actions.push(ActionId::ExportActionItem.button(ActionStyle::Default, value));
        }
        if !actions.is_empty() {
            blocks.push(Block::Actions { actions });
        }
    }
    let open = incident.action_items().iter().filter(|a| a.is_open()).count();
    let text = format!("{}: {open} open action item(s) of {}", incident.number(), incident.action_items().len());
    Message { text: text.into(), blocks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::{declared, t};
    use crate::domain::{Actor, Command, IncidentEvent, NewActionItem, Outcome, Text, Ticket, TicketState};

    fn with_items() -> Incident {
        let mut incident = declared(t(0));
        let items = [("alert on queue depth", Some("2026-12-01")), ("write the runbook", Some("2027-01-15"))];
        let mut commands: Vec<Command> = items
            .iter()
            .map(|(text, due)| {
                Command::AddActionItem(NewActionItem {
                    text: Text::parse(text).unwrap(),
                    owner: None,
                    due: due.map(|d| d.parse().unwrap()),
                })
            })
            .collect();
        let ticket = Ticket {
            id: "10012".into(),
            key: "OPS-12".into(),
            url: "https://acme.atlassian.net/browse/OPS-12".into(),
            status: "In Progress".into(),
            state: TicketState::Open,
        };
        commands.push(Command::Record(Outcome::TicketLinked { number: 1, ticket }));
        for command in commands {
            for kind in incident.decide(&command, t(5)).unwrap() {
                incident.apply(&IncidentEvent { seq: incident.version() + 1, at: t(5), actor: Actor::Api, kind });
            }
        }
        incident
    }

    #[test]
    fn an_items_ticket_is_a_link_with_its_status() {
        let line = action_line(1, &with_items().action_items()[0]);
        assert_eq!(line.to_string(), "1. alert on queue depth due 2026-12-01 · OPS-12 (In Progress)");
        assert!(line.inlines().iter().any(|i| matches!(i,
            crate::model::Inline::Link { url, text } if url == "https://acme.atlassian.net/browse/OPS-12" && text == "OPS-12")));
    }

    #[test]
    fn the_reminder_names_overdue_open_items_with_their_tickets() {
        let incident = with_items();
        let today: NaiveDate = "2026-12-10".parse().unwrap();
        let late: Vec<usize> = overdue(&incident, today).into_iter().map(|(n, _)| n).collect();
        assert_eq!(late, vec![1], "due before today and open");
        let message = postmortem_reminder_on(&incident, today);
        let said: Vec<String> = message
            .blocks
            .iter()
            .flat_map(|b| match b {
                Block::Bullets { items } => items.iter().map(ToString::to_string).collect(),
                Block::Text { text } => vec![text.to_string()],
                _ => vec![],
            })
            .collect();
        assert!(said.iter().any(|l| l.contains("OPS-12 (In Progress)")), "{said:?}");
        assert!(!said.iter().any(|l| l.contains("write the runbook")), "not overdue: {said:?}");
        assert!(overdue(&incident, "2026-12-01".parse().unwrap()).is_empty(), "due today is not overdue");
    }
}
