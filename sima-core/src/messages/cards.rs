//! The incident card, the broadcast announcement and update messages.

use crate::domain::{
    format_time, Actor, DocRef, EffectKind, EventKind, FieldSchema, Incident, IncidentEvent, Role, Status,
};
use crate::model::{ActionId, ActionStyle, Block, Field, Message, RichText};

use super::SeverityDescriptions;

/// Who acts: a mention for people, the actor's name otherwise.
fn who(actor: &Actor) -> RichText {
    match actor.user() {
        Some(user) => RichText::new().mention(user),
        None => RichText::new().plain(actor),
    }
}

fn holder(incident: &Incident, role: Role) -> RichText {
    incident.roles().get(role).map_or_else(|| RichText::new().italic("unassigned"), |u| RichText::new().mention(u))
}

/// The emoji that stands for a status.
fn status_emoji(status: Status) -> &'static str {
    match status {
        Status::Open => "red_circle",
        Status::Investigating => "mag",
        Status::Identified => "bulb",
        Status::Monitoring => "eyes",
        Status::Resolved => "white_check_mark",
        Status::FalsePositive => "zzz",
        Status::Closed => "lock",
    }
}

fn facts(incident: &Incident, names: &SeverityDescriptions) -> Block {
    let severity = incident.severity();
    let impact = incident.impact().map_or_else(|| RichText::new().italic("unknown"), |i| RichText::new().plain(i));
    Block::Fields {
        fields: vec![
            Field::rich("Status", RichText::new().emoji(status_emoji(incident.status())).plain(incident.status())),
            Field::new("Severity", format!("{} ({})", names.label(severity), names.description(severity))),
            Field::new("Domain", incident.domain()),
            Field::rich("Impact", impact),
            Field::rich(Role::IncidentManager.title(), holder(incident, Role::IncidentManager)),
            Field::rich(Role::CommunicationLead.title(), holder(incident, Role::CommunicationLead)),
        ],
    }
}

/// The pinned incident card: what, how bad, who leads, and the main buttons.
#[cfg(any(test, feature = "testkit"))]
pub fn card(incident: &Incident) -> Message {
    labelled_card(incident, &SeverityDescriptions::new())
}

/// The card, its severity named as the company names it (`P1`).
#[cfg(any(test, feature = "testkit"))]
pub fn labelled_card(incident: &Incident, names: &SeverityDescriptions) -> Message {
    owned_card(incident, names, &FieldSchema::default(), None)
}

/// The card, its severity named as the company names it (`P1`), its custom
/// fields under their labels in `schema`, and the team that owns the
/// incident's service when the catalog names one.
pub(crate) fn owned_card(
    incident: &Incident,
    names: &SeverityDescriptions,
    schema: &FieldSchema,
    team: Option<&str>,
) -> Message {
    let value = Some(incident.id().to_string());
    let mut blocks = vec![Block::Header { text: RichText::new().emoji("rotating_light").plain(incident.title()) }];
    if !incident.description().as_str().is_empty() {
        blocks.push(Block::Text { text: RichText::new().plain(incident.description()) });
    }
    blocks.push(facts(incident, names));
    blocks.extend(super::field_card::custom_fields_block(incident, schema));
    if let Some(team) = team {
        blocks.push(Block::Context {
            text: RichText::new().emoji("busts_in_silhouette").plain(format!("Owned by {team}")),
        });
    }
    blocks.push(Block::Context {
        text: RichText::new()
            .plain(format!("Declared {} by ", format_time(incident.milestones().declared_at)))
            .append(who(incident.reporter()))
            .plain(format!(" · impact started {}", format_time(incident.milestones().started_at))),
    });
    if !incident.status().is_terminal() {
        blocks.push(Block::Actions {
            actions: vec![
                ActionId::UpdateStatus.button(ActionStyle::Primary, value.clone()),
                ActionId::BecomeIncidentManager.button(ActionStyle::Default, value.clone()),
                ActionId::BecomeCommunicationLead.button(ActionStyle::Default, value.clone()),
                ActionId::EditIncident.button(ActionStyle::Default, value.clone()),
                ActionId::Escalate.button(ActionStyle::Danger, value.clone()),
                ActionId::ShowHelp.button(ActionStyle::Default, value.clone()),
            ],
        });
        // Private incidents are never published on the status page.
        if !incident.is_private() {
            if let Some(Block::Actions { actions }) = blocks.last_mut() {
                actions.insert(5, ActionId::PublishUpdate.button(ActionStyle::Default, value));
            }
        }
    }
    let text = format!("{} [{} · {}]", incident.title(), names.label(incident.severity()), incident.status());
    Message { text: text.into(), blocks }
}

/// The announcement in the company-wide channel, refreshed in place.
#[cfg(any(test, feature = "testkit"))]
pub fn broadcast(incident: &Incident) -> Message {
    labelled_broadcast(incident, &SeverityDescriptions::new())
}

/// The announcement, its severity named as the company names it (`P1`).
pub fn labelled_broadcast(incident: &Incident, names: &SeverityDescriptions) -> Message {
    let room =
        incident.room().map_or_else(|| RichText::new().italic("room being created"), |r| RichText::new().room(r));
    let title = RichText::new().emoji(status_emoji(incident.status())).plain(incident.title());
    Message {
        text: title.clone().plain(format!(" [{} · {}]", names.label(incident.severity()), incident.status())),
        blocks: vec![
            Block::Header { text: title },
            facts(incident, names),
            Block::Text {
                text: RichText::new()
                    .plain("Follow and help in ")
                    .append(room)
                    .plain(". Updates are posted in this thread."),
            },
        ],
    }
}

/// The message that tells people what an event changed, or `None` for
/// events people need not be told about. The flag says whether it also goes
/// to the broadcast thread.
pub fn update(incident: &Incident, event: &IncidentEvent) -> Option<(Message, bool)> {
    let who = who(&event.actor);
    let none = || RichText::new().italic("none");
    let (line, public) = match &event.kind {
        EventKind::StatusChanged { from, to, message } => {
            let said = message.as_ref().map_or_else(RichText::new, |m| RichText::new().plain("\n").plain(m));
            let line = RichText::new().emoji(status_emoji(*to)).bold(format!("Status: {from} → {to}"));
            (line.plain(" (").append(who).plain(")").append(said), true)
        }
        EventKind::RoleAssigned { role, user, .. } => (
            RichText::new().emoji("busts_in_silhouette").mention(user).plain(format!(" is now {}", role.title())),
            true,
        ),
        EventKind::FieldEdited(change) => {
            let (old, new) = change.texts();
            let line = RichText::new()
                .emoji("pencil2")
                .append(who)
                .plain(" changed ")
                .bold(change.field().as_str())
                .plain(": ")
                .append(old.map_or_else(none, RichText::from))
                .plain(" → ")
                .plain(new);
            (line, true)
        }
        EventKind::FieldsSet { changes } => {
            let said: Vec<String> = changes.iter().map(ToString::to_string).collect();
            let line = RichText::new().emoji("label").append(who).plain(format!(" set fields: {}", said.join("; ")));
            (line, false)
        }
        EventKind::NoteAdded { text } => {
            (RichText::new().emoji("memo").plain("Note from ").append(who).plain(format!(": {text}")), false)
        }
        EventKind::VisibilityChanged { private } => (super::visibility_line(*private, who), false),
        EventKind::PublicUpdatePublished { .. } => {
            let update = incident.public_updates().iter().find(|u| u.seq == event.seq)?;
            (super::published_line(update).plain(" (").append(who).plain(")"), false)
        }
        EventKind::Escalated { domain } => (
            RichText::new().emoji("mega").append(who).plain(" escalated: paging the ").code(domain).plain(" on-call"),
            true,
        ),
        EventKind::RootCauseSet { text } => {
            (RichText::new().emoji("mag_right").plain("Root cause (").append(who).plain(format!("): {text}")), false)
        }
        EventKind::ActionItemAdded { .. } => {
            let n = incident.action_items().len();
            let item = super::action_line(n, incident.action_items().last()?);
            (
                RichText::new()
                    .emoji("ballot_box_with_check")
                    .plain("Action item (")
                    .append(who)
                    .plain("): ")
                    .append(item),
                false,
            )
        }
        EventKind::ActionItemDone { number } => {
            let item = incident.action_item(*number)?;
            let line = RichText::new()
                .emoji("white_check_mark")
                .append(who)
                .plain(format!(" did action item {number}: {}", item.text));
            (line, false)
        }
        EventKind::ActionItemReopened { number } => {
            let item = incident.action_item(*number)?;
            let line = RichText::new()
                .emoji("arrows_counterclockwise")
                .append(who)
                .plain(format!(" reopened action item {number}: {}", item.text));
            (line, false)
        }
        _ => return None,
    };
    let text = RichText::new().plain(format!("{} · ", incident.number())).append(line.clone());
    Some((Message { text, blocks: vec![Block::Text { text: line }] }, public))
}

/// What to post in the room about `event`, and whether it goes to the
/// broadcast thread too: the post-mortem's link, else the [`update`].
pub(crate) fn announcement(incident: &Incident, event: &IncidentEvent) -> Option<(Message, bool)> {
    if let EventKind::PostmortemCreated { doc } = &event.kind {
        return Some((postmortem_link(incident, doc), true));
    }
    update(incident, event)
}

/// The message that links the post-mortem.
pub fn postmortem_link(incident: &Incident, doc: &DocRef) -> Message {
    let text = RichText::new()
        .emoji("page_facing_up")
        .plain(format!("The post-mortem draft for {} is ready: ", incident.number()))
        .link(&doc.url, "open it")
        .plain(". Fill in what the timeline cannot tell.");
    Message {
        text: RichText::new().plain(format!("Post-mortem for {}: ", incident.number())).link(&doc.url, ""),
        blocks: vec![Block::Text { text }],
    }
}

/// The notice in the room when an automation step failed for good.
pub fn effect_failed(incident: &Incident, effect: EffectKind, error: &str) -> Message {
    let line = RichText::new()
        .emoji("warning")
        .plain(format!("SIMA could not {}: {error}. Fix the cause, then run ", effect.describe()))
        .code("/incident retry")
        .plain(" to try again.");
    Message {
        text: RichText::new().plain(format!("{} · ", incident.number())).append(line.clone()),
        blocks: vec![Block::Text { text: line }],
    }
}
