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
fn immediate(config: &RunbookConfig, after: &Incident, events: &[IncidentEvent]) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut refresh = false;
    let announce = |effects: &mut Vec<Effect>, seq: u64, public: bool| {
        effects.push(Effect::AnnounceUpdate { seq });
        if public {
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
                effects.push(Effect::PostCard);
                effects.push(Effect::PostBroadcast);
                if config.paging.pages(after.severity()) && after.status().is_active() {
                    effects.push(Effect::Page { domain: after.domain().clone(), escalation: false });
                }
            }
            EventKind::CardPosted { .. } => effects.push(Effect::PinCard),
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
            EventKind::Escalated { domain } => {
                announce(&mut effects, seq, true);
                effects.push(Effect::Page { domain: domain.clone(), escalation: true });
            }
            EventKind::MemberJoined { user } => effects.push(Effect::Welcome { user: user.clone() }),
            EventKind::PostmortemCreated { .. } => announce(&mut effects, seq, true),
            // A page recorded after the incident ended (the runbooks raced): resolve it too.
            EventKind::Paged { .. } if !after.status().is_active() => effects.push(Effect::ResolvePages),
            EventKind::NoteAdded { .. }
            | EventKind::RootCauseSet { .. }
            | EventKind::ActionItemAdded { .. }
            | EventKind::ActionItemDone { .. } => {
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
    if refresh {
        effects.extend([Effect::RefreshCard, Effect::RefreshBroadcast]);
    }
    effects
}
