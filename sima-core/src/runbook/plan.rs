//! Which effects each event implies: the opening, update, role-change and
//! resolve runbooks as one pure function.

use crate::domain::{Actor, EditableField, EffectKind, EventKind, Incident, IncidentEvent, Severity, Status};

use super::{Effect, RunbookConfig};

/// Who gets paged, and from which severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagingPolicy {
    /// Incidents at least this severe page the domain's on-call
    /// (`Sev4`, the default, pages every incident).
    pub min_severity: Severity,
}

impl Default for PagingPolicy {
    fn default() -> Self {
        Self { min_severity: Severity::Sev4 }
    }
}

impl PagingPolicy {
    /// Whether an incident of this severity pages.
    pub fn pages(&self, severity: Severity) -> bool {
        severity >= self.min_severity
    }
}

/// The effects `events` imply for `after`, the incident once they are applied.
pub(crate) fn plan(config: &RunbookConfig, after: &Incident, events: &[IncidentEvent]) -> Vec<Effect> {
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
            EventKind::NoteAdded { .. } | EventKind::RootCauseSet { .. } | EventKind::ActionItemAdded { .. } => {
                announce(&mut effects, seq, false);
            }
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
