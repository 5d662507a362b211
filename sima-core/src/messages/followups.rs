//! Reminders, the closing summary and the action-item list.

use std::time::Duration;

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
pub fn postmortem_reminder(incident: &Incident) -> Message {
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
    message(incident, line, vec![])
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
pub fn action_items(incident: &Incident) -> Message {
    let mut blocks =
        vec![Block::Header { text: RichText::new().plain(format!("Action items of {}", incident.number())) }];
    if incident.action_items().is_empty() {
        blocks.push(Block::Text {
            text: RichText::new().plain("None yet. Add one with ").code("/incident action [@owner] <text>"),
        });
    }
    for (n, item) in numbered(incident) {
        blocks.push(Block::Text { text: action_line(n, item) });
        if item.is_open() {
            let value = Some(format!("{} {n}", incident.id()));
            blocks.push(Block::Actions {
                actions: vec![ActionId::CompleteActionItem.button(ActionStyle::Default, value)],
            });
        }
    }
    let open = incident.action_items().iter().filter(|a| a.is_open()).count();
    let text = format!("{}: {open} open action item(s) of {}", incident.number(), incident.action_items().len());
    Message { text: text.into(), blocks }
}
