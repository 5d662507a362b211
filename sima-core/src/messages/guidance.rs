//! Help, welcome and "did you mean" messages: the call-to-action sets.

use std::fmt;

use crate::domain::{Incident, Role};
use crate::grammar::{lookup, COMMANDS};
use crate::model::{ActionId, ActionStyle, Block, Message, RichText};

fn buttons(incident: Option<&Incident>, ids: &[ActionId]) -> Block {
    let value = incident.map(|i| i.id().to_string());
    Block::Actions {
        actions: ids
            .iter()
            .enumerate()
            .map(|(n, id)| id.button(if n == 0 { ActionStyle::Primary } else { ActionStyle::Default }, value.clone()))
            .collect(),
    }
}

fn usage(usage: &str, what: &str) -> RichText {
    RichText::new().code(usage).plain(": ").plain(what)
}

/// The command list.
pub fn help(incident: Option<&Incident>) -> Message {
    let items = COMMANDS.iter().map(|c| usage(c.usage, c.help)).collect();
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
        if incident.roles().get(role).is_none() {
            ids.push(id);
        }
    }
    ids.extend([ActionId::ShowInfo, ActionId::UpdateStatus, ActionId::ShowHelp]);
    let lead = incident.roles().incident_manager.as_ref().map_or_else(
        || RichText::new().plain("Nobody leads yet: take the Incident Manager role if you can."),
        |u| RichText::new().mention(u).plain(" is the Incident Manager."),
    );
    let text = RichText::new()
        .emoji("wave")
        .plain("Welcome to ")
        .bold(incident.title())
        .plain(format!(" ({}, {}). ", incident.severity(), incident.status()))
        .append(lead)
        .plain(" The pinned card has the essentials.");
    Message {
        text: format!("Welcome to {}", incident.title()).into(),
        blocks: vec![Block::Text { text }, buttons(Some(incident), &ids)],
    }
}

/// The answer to a command SIMA did not understand: the closest commands and
/// the main buttons.
pub fn mistyped(typed: &str, suggestions: &[&str], incident: Option<&Incident>) -> Message {
    let mut lines: Vec<RichText> =
        suggestions.iter().filter_map(|name| lookup(name)).map(|c| usage(c.usage, c.help)).collect();
    if lines.is_empty() {
        lines.push(usage("/incident help", "Show every command"));
    }
    let ids: &[ActionId] = if incident.is_some() {
        &[ActionId::UpdateStatus, ActionId::ShowInfo, ActionId::ShowHelp]
    } else {
        &[ActionId::ShowHelp]
    };
    Message {
        text: RichText::new()
            .plain("Unknown command ")
            .code(typed)
            .plain(format!(". Did you mean: {}?", suggestions.join(", "))),
        blocks: vec![
            Block::Text {
                text: RichText::new()
                    .emoji("thinking_face")
                    .plain("I don't know ")
                    .code(typed)
                    .plain(". Did you mean:"),
            },
            Block::Bullets { items: lines },
            buttons(incident, ids),
        ],
    }
}

/// A short answer.
pub fn answer(text: impl Into<RichText>) -> Message {
    let text = text.into();
    Message { blocks: vec![Block::Text { text: text.clone() }], text }
}

/// A short answer that something went wrong or was refused.
pub fn warning(problem: impl fmt::Display) -> Message {
    answer(RichText::new().emoji("warning").plain(problem))
}

/// A short answer that a command was carried out.
pub fn done(detail: impl fmt::Display) -> Message {
    answer(RichText::new().emoji("white_check_mark").plain(detail))
}
