//! Public updates in chat: the publish form, what the room is told when an
//! update is published, and the status page line of the update reminder.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::{ComponentStatus, Incident, PublicStatus, Role, Severity, Status, MAX_PUBLIC_MESSAGE};
use crate::domain::{PublicUpdate, MAX_PUBLIC_TITLE};
use crate::model::{Block, Choice, Form, FormId, Input, InputKind, Message, RichText};

/// What customers read for a public status (`Investigating`).
fn status_label(status: PublicStatus) -> &'static str {
    match status {
        PublicStatus::Investigating => "Investigating",
        PublicStatus::Identified => "Identified",
        PublicStatus::Monitoring => "Monitoring",
        PublicStatus::Resolved => "Resolved",
    }
}

/// What customers read for a component status (`Partial outage`).
fn component_label(status: ComponentStatus) -> &'static str {
    match status {
        ComponentStatus::Operational => "Operational",
        ComponentStatus::DegradedPerformance => "Degraded performance",
        ComponentStatus::PartialOutage => "Partial outage",
        ComponentStatus::MajorOutage => "Major outage",
    }
}

/// The public stage that matches where the incident is (`resolved` once it ended).
pub(crate) fn suggested_public_status(incident: &Incident) -> PublicStatus {
    match incident.status() {
        Status::Open | Status::Investigating => PublicStatus::Investigating,
        Status::Identified => PublicStatus::Identified,
        Status::Monitoring => PublicStatus::Monitoring,
        Status::Resolved | Status::FalsePositive | Status::Closed => PublicStatus::Resolved,
    }
}

fn select(id: &str, label: &str, options: Vec<Choice>, initial: &str, hint: &str) -> Input {
    Input {
        id: id.into(),
        label: label.into(),
        kind: InputKind::Select { options },
        optional: false,
        initial: Some(initial.into()),
        hint: Some(hint.into()),
    }
}

fn text(id: &str, label: &str, multiline: bool, max: usize, initial: Option<String>, hint: &str) -> Input {
    Input {
        id: id.into(),
        label: label.into(),
        kind: InputKind::Text { multiline, max_length: u32::try_from(max).ok(), placeholder: None },
        optional: false,
        initial,
        hint: Some(hint.into()),
    }
}

/// The form that publishes an update on the status page: the stage, the
/// components' status, the public title and the message, pre-filled with
/// `title`, `component_status` and `message` (the last internal update).
pub fn publish_form(
    incident: &Incident,
    title: &str,
    component_status: ComponentStatus,
    message: Option<String>,
) -> Form {
    let statuses =
        PublicStatus::ALL.iter().map(|s| Choice { value: s.as_str().into(), label: status_label(*s).into() }).collect();
    let components = ComponentStatus::ALL
        .iter()
        .map(|s| Choice { value: s.as_str().into(), label: component_label(*s).into() })
        .collect();
    let message = message.map(|m| m.chars().take(MAX_PUBLIC_MESSAGE).collect());
    Form {
        id: FormId::PublishUpdate,
        title: "Publish update".into(),
        submit: "Publish".into(),
        inputs: vec![
            select(
                "status",
                "Stage",
                statuses,
                suggested_public_status(incident).as_str(),
                "What customers read as the incident's stage",
            ),
            select(
                "component_status",
                "Affected components",
                components,
                component_status.as_str(),
                "Operational once resolved",
            ),
            text(
                "title",
                "Public title",
                false,
                MAX_PUBLIC_TITLE,
                Some(title.chars().take(MAX_PUBLIC_TITLE).collect()),
                "Customers see it; not the internal summary",
            ),
            text(
                "message",
                "Message to customers",
                true,
                MAX_PUBLIC_MESSAGE,
                message,
                "Plain words: what is affected, what to do, when the next update comes",
            ),
        ],
        metadata: Some(incident.id().to_string()),
    }
}

/// What the room is told when an update was published, and the publisher's answer.
pub(crate) fn published_line(update: &PublicUpdate) -> RichText {
    RichText::new()
        .emoji("mega")
        .bold(format!("Status page: {} · {}", status_label(update.status), update.title))
        .plain(format!(" ({})", component_label(update.component_status).to_lowercase()))
        .plain("\n")
        .plain(update.message.as_str())
}

/// The answer to whoever published: what customers now read.
pub fn published(incident: &Incident) -> Message {
    let Some(update) = incident.last_public_update() else {
        return super::answer(format!("Nothing was published for {}.", incident.number()));
    };
    let line = RichText::new().plain("Published on the status page. ").append(published_line(update));
    Message {
        text: RichText::new().plain(format!("{} published: {}", incident.number(), update.title)),
        blocks: vec![Block::Text { text: line }],
    }
}

/// A duration people say: `45 minutes`, `1 hour`, `2 hours 5 minutes`.
fn spoken(duration: Duration) -> String {
    let minutes = duration.as_secs() / 60;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    let unit = |n: u64, one: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") };
    match (hours, minutes) {
        (0, m) => unit(m, "minute"),
        (h, 0) => unit(h, "hour"),
        (h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
    }
}

/// The Communication Lead by mention, else the role's name.
fn communication_lead(incident: &Incident) -> RichText {
    match incident.roles().get(Role::CommunicationLead) {
        Some(user) => RichText::new().mention(user),
        None => RichText::new().plain(Role::CommunicationLead.title()),
    }
}

/// What the update reminder tells the Communication Lead about the status
/// page at `now`: it has gone longer than `after` without a public update
/// (while published and not resolved there), or a sev1 or sev2 was never
/// published. `None` for private incidents and when there is nothing to say.
pub(crate) fn status_page_reminder(
    incident: &Incident,
    after: Option<Duration>,
    now: DateTime<Utc>,
) -> Option<RichText> {
    if incident.is_private() || !incident.status().is_active() {
        return None;
    }
    let lead = RichText::new().emoji("mega").append(communication_lead(incident)).plain(": ");
    match incident.last_public_update() {
        Some(last) if last.status != PublicStatus::Resolved => {
            let after = after?;
            let quiet = now.signed_duration_since(last.at).to_std().ok().filter(|quiet| *quiet >= after)?;
            Some(
                lead.plain(format!(
                    "The status page has not been updated for {}. Tell customers where things stand: ",
                    spoken(quiet)
                ))
                .code("/incident publish <status> <message>"),
            )
        }
        Some(_) => None,
        None if matches!(incident.severity(), Severity::Sev1 | Severity::Sev2) => Some(
            lead.plain("customers are likely affected and the status page says nothing yet. Tell them: ")
                .code("/incident publish investigating <message>"),
        ),
        None => None,
    }
}

/// The update reminder, with the status page line when there is one to say.
pub(crate) fn update_reminder_with_status_page(
    incident: &Incident,
    after: Duration,
    public_after: Option<Duration>,
    now: DateTime<Utc>,
) -> Message {
    let mut message = super::update_reminder(incident, after);
    let Some(line) = status_page_reminder(incident, public_after, now) else { return message };
    let at = message.blocks.iter().position(|b| matches!(b, Block::Actions { .. })).unwrap_or(message.blocks.len());
    message.blocks.insert(at, Block::Text { text: line });
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_spoken() {
        assert_eq!(spoken(Duration::from_secs(45 * 60 + 20)), "45 minutes");
        assert_eq!(spoken(Duration::from_secs(60)), "1 minute");
        assert_eq!(spoken(Duration::from_secs(3600)), "1 hour");
        assert_eq!(spoken(Duration::from_secs(2 * 3600 + 5 * 60)), "2 hours 5 minutes");
    }
}
