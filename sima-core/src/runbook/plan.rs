//! Which effects each event implies: the opening, update, role-change and
//! resolve runbooks as one pure function.

use std::time::Duration;

use crate::domain::{Actor, EditableField, Effect, EffectKind, EventKind, Incident, IncidentEvent, Status};

use super::{RunbookConfig, Schedule};

/// An effect the runbook asks for, and how long after the events it falls due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Planned {
    /// What to do.
    pub(crate) effect: Effect,
    /// How long after the events it is due (zero: at once).
    pub(crate) delay: Duration,
}

impl Planned {
    /// An effect due at once.
    pub(crate) fn now(effect: Effect) -> Self {
        Self { effect, delay: Duration::ZERO }
    }

    /// An effect due `delay` after the events.
    pub(crate) fn after(effect: Effect, delay: Duration) -> Self {
        Self { effect, delay }
    }
}

/// The effects `events` imply for `after`, the incident once they are
/// applied, each with the delay after which it falls due.
pub(crate) fn plan(config: &RunbookConfig, after: &Incident, events: &[IncidentEvent]) -> Vec<Planned> {
    let mut planned: Vec<Planned> = immediate(config, after, events).into_iter().map(Planned::now).collect();
    planned.extend(scheduled(&config.schedule, after, events));
    planned
}

/// The scheduled effects: the post-mortem reminder and the room archive on
/// resolution, and the next update reminder whenever the reminder clock moved.
fn scheduled(schedule: &Schedule, after: &Incident, events: &[IncidentEvent]) -> Vec<Planned> {
    let mut planned = Vec::new();
    for event in events {
        if let EventKind::StatusChanged { to: Status::Resolved, .. } = event.kind {
            let resolved_at = event.at;
            if let Some(delay) = schedule.postmortem_reminder_after {
                planned.push(Planned::after(Effect::RemindPostmortem { resolved_at }, delay));
            }
            if let Some(delay) = schedule.archive_after {
                planned.push(Planned::after(Effect::PostClosingSummary { resolved_at }, delay));
            }
        }
    }
    // One reminder per change, from the clock as the change left it; a
    // reminder planned from an earlier clock finds it moved and does nothing.
    let clock_moved = events.iter().any(|e| e.kind.restarts_reminders());
    if clock_moved && after.status().is_active() && after.room_is_open() {
        if let Some(delay) = schedule.update_after(after.severity()) {
            planned.push(Planned::after(Effect::RemindUpdate { basis: after.reminder_basis() }, delay));
        }
    }
    planned
}

/// The effects due at once.
pub(super) fn immediate(config: &RunbookConfig, after: &Incident, events: &[IncidentEvent]) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut refresh = false;
    // A private incident is never announced beyond its room.
    let announce = |effects: &mut Vec<Effect>, seq: u64, public: bool| {
        effects.push(Effect::AnnounceUpdate { seq });
        if public && !after.is_private() {
            effects.push(Effect::ReplyToBroadcast { seq });
        }
    };
    for event in events {
        let seq = event.seq;
        match &event.kind {
            EventKind::Declared { .. } => effects.push(Effect::CreateRoom),
            EventKind::RoomCreated { .. } => {
                if let Actor::User(reporter) = after.reporter() {
                    effects.push(Effect::InviteMembers { users: vec![reporter.clone()] });
                }
                effects.extend(config.services.invite_effects(after.domain()));
                effects.push(Effect::PostCard);
                if !after.is_private() {
                    effects.push(Effect::PostBroadcast);
                }
                if config.paging.pages(after.severity()) && after.status().is_active() {
                    effects.push(Effect::Page { domain: after.domain().clone(), escalation: false });
                }
            }
            EventKind::CardPosted { .. } => effects.push(Effect::PinCard),
            // Made private or public: say so in the room, then withdraw the broadcast
            // (refreshed while private, it says only that the incident is private),
            // or restore it, or announce the incident for the first time.
            EventKind::VisibilityChanged { private } => {
                if after.room().is_some() {
                    effects.extend([Effect::AnnounceUpdate { seq }, Effect::RefreshCard]);
                }
                match (after.broadcast(), private) {
                    (Some(_), _) => effects.push(Effect::RefreshBroadcast),
                    (None, false) if after.room().is_some() => effects.push(Effect::PostBroadcast),
                    (None, _) => {}
                }
            }
            // Posted while the incident was being made private: withdraw it.
            EventKind::BroadcastPosted { .. } if after.is_private() => effects.push(Effect::RefreshBroadcast),
            EventKind::StatusChanged { to, .. } => {
                announce(&mut effects, seq, true);
                refresh = true;
                match to {
                    Status::Resolved if after.postmortem().is_none() => {
                        effects.extend([Effect::CreatePostmortem, Effect::ResolvePages]);
                    }
                    Status::Resolved | Status::FalsePositive => effects.push(Effect::ResolvePages),
                    _ => {}
                }
            }
            EventKind::FieldEdited(change) => {
                announce(&mut effects, seq, true);
                refresh = true;
                let first_page_due = change.field() == EditableField::Severity
                    && after.room().is_some()
                    && after.open_pages().is_empty()
                    && after.status().is_active()
                    && config.paging.pages(after.severity());
                if first_page_due {
                    effects.push(Effect::Page { domain: after.domain().clone(), escalation: false });
                }
            }
            EventKind::RoleAssigned { .. } => {
                announce(&mut effects, seq, true);
                refresh = true;
            }
            // Field values may be sensitive: the room is told, not the broadcast.
            EventKind::FieldsSet { .. } => {
                announce(&mut effects, seq, false);
                refresh = true;
            }
            EventKind::Escalated { domain } => {
                announce(&mut effects, seq, true);
                effects.push(Effect::Page { domain: domain.clone(), escalation: true });
                effects.extend(config.services.invite_effects(domain));
            }
            EventKind::MemberJoined { user } => effects.push(Effect::Welcome { user: user.clone() }),
            // What customers were told is shown in the room, not the broadcast thread.
            EventKind::PublicUpdatePublished { .. } => announce(&mut effects, seq, false),
            EventKind::PostmortemCreated { .. } => announce(&mut effects, seq, true),
            // A page recorded after the incident ended (the runbooks raced): resolve it too.
            EventKind::Paged { .. } if !after.status().is_active() => effects.push(Effect::ResolvePages),
            EventKind::NoteAdded { .. }
            | EventKind::RootCauseSet { .. }
            | EventKind::ActionItemAdded { .. }
            | EventKind::ActionItemDone { .. }
            | EventKind::ActionItemReopened { .. } => {
                announce(&mut effects, seq, false);
            }
            // The summary is posted and recorded; the archive is its own step.
            EventKind::ClosingSummaryPosted => effects.push(Effect::ArchiveRoom),
            // Say it in the room, unless saying it is what failed.
            EventKind::EffectFailed { effect, .. } if *effect != EffectKind::NotifyFailure => {
                effects.push(Effect::NotifyFailure { seq });
            }
            _ => {}
        }
    }
    if events.iter().any(|e| changes_postmortem(&e.kind)) && postmortem_written_or_due(after) {
        // Several changes in one decision rewrite the document once; one
        // created in this decision is written as it is already.
        if !effects.contains(&Effect::CreatePostmortem) {
            effects.push(Effect::UpdatePostmortem);
        }
    }
    if refresh {
        effects.push(Effect::RefreshCard);
        if !after.is_private() {
            effects.push(Effect::RefreshBroadcast);
        }
    }
    effects
}

/// Whether the event changes what the post-mortem says.
pub(super) fn changes_postmortem(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::RootCauseSet { .. }
            | EventKind::ActionItemAdded { .. }
            | EventKind::ActionItemDone { .. }
            | EventKind::ActionItemReopened { .. }
            | EventKind::TicketLinked { .. }
            | EventKind::TicketUpdated { .. }
            | EventKind::FieldsSet { .. }
            | EventKind::FieldEdited(_)
    )
}

/// Whether the post-mortem is recorded, or its create is still on its way
/// (resolved, and the create has not failed for good): the update then
/// waits for it, so a change made while the create ran is not lost.
pub(super) fn postmortem_written_or_due(after: &Incident) -> bool {
    after.postmortem().is_some()
        || (matches!(after.status(), Status::Resolved | Status::Closed)
            && !after.failed_effects().contains(&EffectKind::CreatePostmortem))
}
