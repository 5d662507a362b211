//! The incident card, the broadcast announcement and update messages.

use crate::domain::{format_time, DocRef, EventKind, Incident, IncidentEvent, Role, Status};
use crate::model::{ActionId, ActionStyle, Block, Field, Message};

fn holder(incident: &Incident, role: Role) -> String {
    incident.roles.get(role).map_or_else(|| "_unassigned_".to_owned(), |u| format!("<@{u}>"))
}

fn status_emoji(status: Status) -> &'static str {
    match status {
        Status::Open => ":red_circle:",
        Status::Investigating => ":mag:",
        Status::Identified => ":bulb:",
        Status::Monitoring => ":eyes:",
        Status::Resolved => ":white_check_mark:",
        Status::FalsePositive => ":zzz:",
        Status::Closed => ":lock:",
    }
}

fn facts(incident: &Incident) -> Block {
    let impact = incident.impact.map_or_else(|| "_unknown_".to_owned(), |i| i.to_string());
    Block::Fields {
        fields: vec![
            Field::new("Status", format!("{} {}", status_emoji(incident.status), incident.status)),
            Field::new("Severity", format!("{} ({})", incident.severity, incident.severity.description())),
            Field::new("Domain", &incident.domain),
            Field::new("Impact", impact),
            Field::new(Role::IncidentManager.title(), holder(incident, Role::IncidentManager)),
            Field::new(Role::CommunicationLead.title(), holder(incident, Role::CommunicationLead)),
        ],
    }
}

/// The pinned incident card: what, how bad, who leads, and the main buttons.
pub fn card(incident: &Incident) -> Message {
    let value = Some(incident.id.to_string());
    let mut blocks = vec![Block::Header { text: format!(":rotating_light: {}", incident.title()) }];
    if !incident.description.as_str().is_empty() {
        blocks.push(Block::Text { markdown: incident.description.to_string() });
    }
    blocks.push(facts(incident));
    blocks.push(Block::Context {
        markdown: format!(
            "Declared {} by {} · impact started {}",
            format_time(incident.milestones.declared_at),
            reporter(incident),
            format_time(incident.milestones.started_at)
        ),
    });
    if !incident.status.is_terminal() {
        blocks.push(Block::Actions {
            actions: vec![
                ActionId::UpdateStatus.button(ActionStyle::Primary, value.clone()),
                ActionId::BecomeIncidentManager.button(ActionStyle::Default, value.clone()),
                ActionId::BecomeCommunicationLead.button(ActionStyle::Default, value.clone()),
                ActionId::EditIncident.button(ActionStyle::Default, value.clone()),
                ActionId::Escalate.button(ActionStyle::Danger, value.clone()),
                ActionId::ShowHelp.button(ActionStyle::Default, value),
            ],
        });
    }
    Message { text: format!("{} [{} · {}]", incident.title(), incident.severity, incident.status), blocks }
}

fn reporter(incident: &Incident) -> String {
    incident.reporter.user().map_or_else(|| incident.reporter.to_string(), |u| format!("<@{u}>"))
}

/// The announcement in the company-wide channel, refreshed in place.
pub fn broadcast(incident: &Incident) -> Message {
    let room = incident
        .room
        .as_ref()
        .map_or_else(|| "_room being created_".to_owned(), |r| format!("<{}|#{}>", r.url, r.name));
    Message {
        text: format!(
            "{} {} [{} · {}]",
            status_emoji(incident.status),
            incident.title(),
            incident.severity,
            incident.status
        ),
        blocks: vec![
            Block::Header { text: format!("{} {}", status_emoji(incident.status), incident.title()) },
            facts(incident),
            Block::Text { markdown: format!("Follow and help in {room}. Updates are posted in this thread.") },
        ],
    }
}

/// The message that tells people what an event changed, or `None` for
/// events people need not be told about. The flag says whether it also goes
/// to the broadcast thread.
pub fn update(incident: &Incident, event: &IncidentEvent) -> Option<(Message, bool)> {
    let who = event.actor.user().map_or_else(|| event.actor.to_string(), |u| format!("<@{u}>"));
    let (line, public) = match &event.kind {
        EventKind::StatusChanged { from, to, message } => {
            let said = message.as_deref().map(|m| format!("\n>{m}")).unwrap_or_default();
            (format!("{} *Status: {from} → {to}* ({who}){said}", status_emoji(*to)), true)
        }
        EventKind::RoleAssigned { role, user, .. } => {
            (format!(":busts_in_silhouette: <@{user}> is now {}", role.title()), true)
        }
        EventKind::FieldEdited { field, old, new } => (
            format!(
                ":pencil2: {who} changed *{}*: {} → {}",
                field.as_str(),
                old.as_deref().unwrap_or("_none_"),
                new.as_deref().unwrap_or("_none_")
            ),
            true,
        ),
        EventKind::NoteAdded { text } => (format!(":memo: Note from {who}: {text}"), false),
        EventKind::Escalated { domain } => (format!(":mega: {who} escalated: paging the `{domain}` on-call"), true),
        EventKind::RootCauseSet { text } => (format!(":mag_right: Root cause ({who}): {text}"), false),
        EventKind::ActionItemAdded { text } => (format!(":ballot_box_with_check: Action item ({who}): {text}"), false),
        _ => return None,
    };
    let text = format!("{} · {}", incident.number, strip_markup(&line));
    Some((Message { text, blocks: vec![Block::Text { markdown: line }] }, public))
}

fn strip_markup(line: &str) -> String {
    line.replace('*', "")
}

/// The message that links the post-mortem.
pub fn postmortem_link(incident: &Incident, doc: &DocRef) -> Message {
    let markdown = format!(
        ":page_facing_up: The post-mortem draft for {} is ready: <{}|open it>. Fill in what the timeline cannot tell.",
        incident.number, doc.url
    );
    Message {
        text: format!("Post-mortem for {}: {}", incident.number, doc.url),
        blocks: vec![Block::Text { markdown }],
    }
}
