//! Building the post-mortem document from an incident and its events.

use crate::domain::{format_time, Actor, EventKind, Incident, IncidentEvent};
use crate::metrics::Durations;
use crate::model::{DocBlock, Document, PostmortemProperties, RichText, Todo};
use crate::wording::{action_text, human_duration};

/// One line saying what an event was.
pub fn describe(event: &IncidentEvent) -> String {
    match &event.kind {
        EventKind::Declared { severity, summary, private, .. } => {
            format!("Declared{} as {severity}: {summary}", if *private { " private" } else { "" })
        }
        EventKind::VisibilityChanged { private: true } => "Made private".to_owned(),
        EventKind::VisibilityChanged { private: false } => "Made public again".to_owned(),
        EventKind::StatusChanged { from, to, message } => match message {
            Some(m) => format!("Status {from} → {to}: {m}"),
            None => format!("Status {from} → {to}"),
        },
        EventKind::RoleAssigned { role, user, .. } => format!("{user} became {}", role.title()),
        EventKind::FieldEdited(change) => {
            let (old, new) = change.texts();
            format!("{} changed from {} to {new}", change.field().as_str(), old.as_deref().unwrap_or("nothing"))
        }
        EventKind::NoteAdded { text } => format!("Note: {text}"),
        EventKind::Escalated { domain } => format!("Escalated to the {domain} on-call"),
        EventKind::RootCauseSet { text } => format!("Root cause: {text}"),
        EventKind::ActionItemAdded { text, owner, .. } => match owner {
            Some(owner) => format!("Action item for {owner}: {text}"),
            None => format!("Action item: {text}"),
        },
        EventKind::ActionItemDone { number } => format!("Action item {number} done"),
        EventKind::ActionItemReopened { number } => format!("Action item {number} reopened"),
        EventKind::ActionItemExportRequested { number } => format!("Action item {number} sent to the tracker"),
        EventKind::TicketLinked { number, ticket } => format!("Action item {number} tracked as {}", ticket.key),
        EventKind::TicketUpdated { number, ticket } => {
            format!("Ticket {} of action item {number} is now {}", ticket.key, ticket.status)
        }
        EventKind::PublicUpdatePublished { status, message, .. } => format!("Published ({status}): {message}"),
        EventKind::StatusPageLinked { .. } => "Pushed to the hosted status page".to_owned(),
        EventKind::StatusPageWithdrawn { .. } => "Withdrawn from the hosted status page".to_owned(),
        EventKind::UpdateReminderPosted { .. } => "Reminded the room to post an update".to_owned(),
        EventKind::PostmortemReminderPosted => "Reminded the Incident Manager about the post-mortem".to_owned(),
        EventKind::ClosingSummaryPosted => "Closing summary posted".to_owned(),
        EventKind::RoomArchived => "Room archived".to_owned(),
        EventKind::RoomCreated { room } => format!("Room #{} created", room.name),
        EventKind::MemberJoined { user } => format!("{user} joined"),
        EventKind::MembersInvited { users } => {
            format!("Invited {}", users.iter().map(|u| u.as_str()).collect::<Vec<_>>().join(", "))
        }
        EventKind::CardPosted { .. } => "Incident card posted and pinned".to_owned(),
        EventKind::BroadcastPosted { .. } => "Announced in the broadcast channel".to_owned(),
        EventKind::Paged { page } => format!("Paged the {} on-call", page.service),
        EventKind::PageResolved { page } => format!("Page to {} resolved", page.service),
        EventKind::PostmortemCreated { .. } => "Post-mortem created".to_owned(),
        EventKind::EffectFailed { effect, error } => format!("Automation {effect} failed: {error}"),
        EventKind::EffectsRetried { effects } => {
            format!("Retried {}", effects.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "))
        }
        EventKind::TimerFired { name } => format!("Timer {name} fired"),
        EventKind::FieldsSet { changes } => changes.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
    }
}

fn heading(text: &str) -> DocBlock {
    DocBlock::Heading { level: 2, text: text.to_owned() }
}

fn paragraph(text: impl Into<RichText>) -> DocBlock {
    DocBlock::Paragraph { text: text.into() }
}

fn who(actor: &Actor) -> RichText {
    actor.user().map_or_else(|| RichText::new().plain(actor), |u| RichText::new().mention(u))
}

/// The post-mortem of `incident`, pre-filled from its `events`.
pub(crate) fn document(incident: &Incident, events: &[IncidentEvent]) -> Document {
    let m = incident.milestones();
    let d = Durations::of(&m);
    let minutes = |s: Option<f64>| s.map(|s| (s / 60.0 * 100.0).round() / 100.0);
    let impact = incident.impact().map_or_else(|| "an unknown number of customers".to_owned(), |i| i.to_string());
    let mut blocks = vec![heading("Summary"), paragraph(incident.summary().to_string())];
    if !incident.description().as_str().is_empty() {
        blocks.push(paragraph(incident.description().to_string()));
    }
    if let Some(room) = incident.room() {
        blocks.push(paragraph(RichText::new().plain("Handled in ").room(room).plain(".")));
    }
    blocks.extend([
        heading("Impact"),
        paragraph(format!(
            "{} incident in {} affecting {impact}, from {} to {}.",
            incident.severity(),
            incident.domain(),
            format_time(m.started_at),
            m.resolved_at.map_or_else(|| "(not resolved)".to_owned(), format_time),
        )),
        heading("Metrics"),
        DocBlock::Table {
            header: vec!["Metric".into(), "Value".into()],
            rows: vec![
                vec!["Time to acknowledge".into(), human_duration(d.tta).into()],
                vec!["Time to recover (start → resolved)".into(), human_duration(d.ttr_recovery).into()],
                vec!["Time to repair (acknowledged → mitigated)".into(), human_duration(d.ttr_repair).into()],
                vec!["Time to declare (start → declared)".into(), human_duration(d.ttd).into()],
            ],
        },
        heading("Timeline"),
        DocBlock::Table {
            header: vec!["Time (UTC)".into(), "Who".into(), "What".into()],
            rows: events.iter().map(|e| vec![format_time(e.at).into(), who(&e.actor), describe(e).into()]).collect(),
        },
        heading("Root cause"),
        paragraph(incident.root_cause().map_or_else(
            || "To be written: why did it happen, and why was it not caught earlier?".to_owned(),
            ToString::to_string,
        )),
        heading("Action items"),
    ]);
    let mut todos: Vec<Todo> =
        incident.action_items().iter().map(|a| Todo { text: action_text(a), done: !a.is_open() }).collect();
    if todos.is_empty() {
        todos.push(Todo { text: "Add the follow-up actions that prevent a repeat".into(), done: false });
    }
    blocks.push(DocBlock::Todos { items: todos });
    blocks.extend([heading("Lessons learned"), paragraph("What went well, what went badly, where we were lucky.")]);
    Document {
        title: format!("Post-mortem {}", incident.title()),
        properties: PostmortemProperties {
            number: incident.number().to_string(),
            severity: incident.severity().to_string(),
            domain: incident.domain().to_string(),
            status: "Draft".into(),
            started_at: m.started_at,
            resolved_at: m.resolved_at,
            mtta_minutes: minutes(d.tta),
            mttr_minutes: minutes(d.ttr_recovery),
            incident_manager: incident.roles().incident_manager.as_ref().map(ToString::to_string),
            room_url: incident.room().map(|r| r.url.clone()),
        },
        blocks,
        private: incident.is_private(),
    }
}
