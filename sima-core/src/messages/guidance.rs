//! Help, welcome and "did you mean" messages: the call-to-action sets.

use crate::domain::{Incident, Role};
use crate::model::{ActionId, ActionStyle, Block, Message};

/// Every `/incident` command with its usage and what it does.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("declare", "/incident declare", "Open the form to declare an incident (also `/incident` alone)"),
    ("help", "/incident help", "Show this list"),
    ("info", "/incident info", "Show the incident card"),
    (
        "status",
        "/incident status <status> [message]",
        "Move to investigating, identified, monitoring, resolved, false_positive or closed",
    ),
    ("resolve", "/incident resolve [message]", "Mark resolved and start the post-mortem"),
    ("manager", "/incident manager <@user|me>", "Give the Incident Manager role"),
    ("comms", "/incident comms <@user|me>", "Give the Communication Lead role"),
    ("severity", "/incident severity <sev1-4>", "Change the severity"),
    ("impact", "/incident impact <n>", "Set the number of affected customers"),
    ("started", "/incident started <RFC 3339 time>", "Backdate when impact began"),
    ("note", "/incident note <text>", "Add a note to the timeline"),
    ("escalate", "/incident escalate [domain]", "Page an on-call (this incident's domain by default)"),
    ("edit", "/incident edit", "Open the edit form"),
    ("rootcause", "/incident rootcause <text>", "Write down the root cause"),
    ("action", "/incident action <text>", "Add a follow-up action item"),
    ("retry", "/incident retry", "Run again what SIMA failed to do (room, card, page, post-mortem…)"),
];

fn buttons(incident: Option<&Incident>, ids: &[ActionId]) -> Block {
    let value = incident.map(|i| i.id.to_string());
    Block::Actions {
        actions: ids
            .iter()
            .enumerate()
            .map(|(n, id)| id.button(if n == 0 { ActionStyle::Primary } else { ActionStyle::Default }, value.clone()))
            .collect(),
    }
}

/// The command list.
pub fn help(incident: Option<&Incident>) -> Message {
    let items = COMMANDS.iter().map(|(_, usage, what)| format!("`{usage}`: {what}")).collect();
    let mut blocks = vec![Block::Header { text: "SIMA commands".into() }, Block::Bullets { items }];
    if incident.is_some() {
        blocks.push(buttons(incident, &[ActionId::UpdateStatus, ActionId::ShowInfo, ActionId::EditIncident]));
    }
    Message { text: "SIMA commands: /incident help".into(), blocks }
}

/// What someone who joins the room sees: the state, who leads, and what to press.
pub fn welcome(incident: &Incident) -> Message {
    let mut ids = Vec::new();
    for (role, id) in [
        (Role::IncidentManager, ActionId::BecomeIncidentManager),
        (Role::CommunicationLead, ActionId::BecomeCommunicationLead),
    ] {
        if incident.roles.get(role).is_none() {
            ids.push(id);
        }
    }
    ids.extend([ActionId::ShowInfo, ActionId::UpdateStatus, ActionId::ShowHelp]);
    let lead = incident.roles.incident_manager.as_ref().map_or_else(
        || "Nobody leads yet: take the Incident Manager role if you can.".to_owned(),
        |u| format!("<@{u}> is the Incident Manager."),
    );
    Message {
        text: format!("Welcome to {}", incident.title()),
        blocks: vec![
            Block::Text {
                markdown: format!(
                    ":wave: Welcome to *{}* ({}, {}). {lead} The pinned card has the essentials.",
                    incident.title(),
                    incident.severity,
                    incident.status
                ),
            },
            buttons(Some(incident), &ids),
        ],
    }
}

/// The answer to a command SIMA did not understand: the closest commands and
/// the main buttons.
pub fn mistyped(typed: &str, suggestions: &[&str], incident: Option<&Incident>) -> Message {
    let mut lines: Vec<String> = suggestions
        .iter()
        .filter_map(|name| COMMANDS.iter().find(|(n, ..)| n == name))
        .map(|(_, usage, what)| format!("`{usage}`: {what}"))
        .collect();
    if lines.is_empty() {
        lines.push("`/incident help`: Show every command".to_owned());
    }
    let ids: &[ActionId] = if incident.is_some() {
        &[ActionId::UpdateStatus, ActionId::ShowInfo, ActionId::ShowHelp]
    } else {
        &[ActionId::ShowHelp]
    };
    Message {
        text: format!("Unknown command `{typed}`. Did you mean: {}?", suggestions.join(", ")),
        blocks: vec![
            Block::Text { markdown: format!(":thinking_face: I don't know `{typed}`. Did you mean:") },
            Block::Bullets { items: lines },
            buttons(incident, ids),
        ],
    }
}

/// A short text answer.
pub fn answer(text: impl Into<String>) -> Message {
    let text = text.into();
    Message { blocks: vec![Block::Text { markdown: text.clone() }], text }
}
