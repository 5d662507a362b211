//! Events: every decision about an incident, in order.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Actor, DedupKey, Description, DocRef, Domain, EffectKind, FieldChange, Impact, MessageRef, PageRef, Role, Room,
    Severity, Status, Summary, Text, UserRef,
};

/// One entry of an incident's log. `seq` starts at 1 and is contiguous; the
/// incident's version is the `seq` of its last event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentEvent {
    /// Position in the log, from 1.
    pub seq: u64,
    /// When it was decided (millisecond precision).
    pub at: DateTime<Utc>,
    /// Who caused it.
    pub actor: Actor,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened, tagged `kind` in snake_case when serialized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The incident was declared.
    Declared {
        /// Affected domain.
        domain: Domain,
        /// One line.
        summary: Summary,
        /// Longer text.
        description: Description,
        /// How bad.
        severity: Severity,
        /// Affected customers, if known.
        impact: Option<Impact>,
        /// When impact began (defaults to the declaration time).
        started_at: DateTime<Utc>,
        /// Webhook deduplication key.
        dedup_key: Option<DedupKey>,
    },
    /// The status moved.
    StatusChanged {
        /// Before.
        from: Status,
        /// After.
        to: Status,
        /// What the author said about it.
        message: Option<String>,
    },
    /// A role changed hands.
    RoleAssigned {
        /// Which role.
        role: Role,
        /// New holder.
        user: UserRef,
        /// Previous holder.
        previous: Option<UserRef>,
    },
    /// A field was edited (typed old and new values).
    FieldEdited(FieldChange),
    /// A note for the timeline.
    NoteAdded {
        /// The note.
        text: Text,
    },
    /// Another on-call was paged.
    Escalated {
        /// The domain whose on-call is paged.
        domain: Domain,
    },
    /// The root cause was written down.
    RootCauseSet {
        /// The root cause.
        text: Text,
    },
    /// A follow-up action was recorded.
    ActionItemAdded {
        /// The action.
        text: Text,
        /// Who does it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<UserRef>,
        /// When it should be done by.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<NaiveDate>,
    },
    /// An action item was done.
    ActionItemDone {
        /// Its number, from 1.
        number: u32,
    },
    /// Nobody posted an update for a while: the room was reminded.
    UpdateReminderPosted {
        /// The `seq` the reminder clock ran from.
        basis: u64,
    },
    /// The Incident Manager was reminded to finish the post-mortem.
    PostmortemReminderPosted,
    /// The closing summary was posted in the room, before its archive.
    ClosingSummaryPosted,
    /// The incident room was archived.
    RoomArchived,
    /// The incident room exists.
    RoomCreated {
        /// The room.
        room: Room,
    },
    /// Someone joined the incident room.
    MemberJoined {
        /// Who.
        user: UserRef,
    },
    /// People were invited to the room.
    MembersInvited {
        /// Who.
        users: Vec<UserRef>,
    },
    /// The incident card was posted (and pinned) in the room.
    CardPosted {
        /// The card message.
        message: MessageRef,
    },
    /// The incident was announced in the broadcast channel.
    BroadcastPosted {
        /// The broadcast message.
        message: MessageRef,
    },
    /// An on-call was paged.
    Paged {
        /// The page.
        page: PageRef,
    },
    /// A page was resolved on the paging platform.
    PageResolved {
        /// The page.
        page: PageRef,
    },
    /// The post-mortem document was created.
    PostmortemCreated {
        /// The document.
        doc: DocRef,
    },
    /// An effect failed for good; a human may need to act.
    EffectFailed {
        /// Which kind of effect.
        effect: EffectKind,
        /// Why.
        error: String,
    },
    /// Failed effects were queued to run again (`/incident retry`).
    EffectsRetried {
        /// The kinds queued again.
        effects: Vec<EffectKind>,
    },
    /// A policy's timer fell due with its condition still met (once per name).
    TimerFired {
        /// The timer's name.
        name: String,
    },
}

impl EventKind {
    /// Whether the update-reminder clock starts again from this event: an
    /// update (status, note, role or field change), the room's creation, or a
    /// reminder itself (reminders repeat at the same interval; a reminder is
    /// not an update, it only moves the clock the next one runs from).
    pub fn restarts_reminders(&self) -> bool {
        matches!(
            self,
            Self::StatusChanged { .. }
                | Self::NoteAdded { .. }
                | Self::RoleAssigned { .. }
                | Self::FieldEdited(_)
                | Self::RoomCreated { .. }
                | Self::UpdateReminderPosted { .. }
        )
    }

    /// Whether it adds or changes an action item (stores keep a table of them).
    pub fn changes_action_items(&self) -> bool {
        matches!(self, Self::ActionItemAdded { .. } | Self::ActionItemDone { .. })
    }

    /// The snake_case tag (`status_changed`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Declared { .. } => "declared",
            Self::StatusChanged { .. } => "status_changed",
            Self::RoleAssigned { .. } => "role_assigned",
            Self::FieldEdited { .. } => "field_edited",
            Self::NoteAdded { .. } => "note_added",
            Self::Escalated { .. } => "escalated",
            Self::RootCauseSet { .. } => "root_cause_set",
            Self::ActionItemAdded { .. } => "action_item_added",
            Self::ActionItemDone { .. } => "action_item_done",
            Self::UpdateReminderPosted { .. } => "update_reminder_posted",
            Self::PostmortemReminderPosted => "postmortem_reminder_posted",
            Self::ClosingSummaryPosted => "closing_summary_posted",
            Self::RoomArchived => "room_archived",
            Self::RoomCreated { .. } => "room_created",
            Self::MemberJoined { .. } => "member_joined",
            Self::MembersInvited { .. } => "members_invited",
            Self::CardPosted { .. } => "card_posted",
            Self::BroadcastPosted { .. } => "broadcast_posted",
            Self::Paged { .. } => "paged",
            Self::PageResolved { .. } => "page_resolved",
            Self::PostmortemCreated { .. } => "postmortem_created",
            Self::EffectFailed { .. } => "effect_failed",
            Self::EffectsRetried { .. } => "effects_retried",
            Self::TimerFired { .. } => "timer_fired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_flat_with_a_kind_tag() {
        let event = IncidentEvent {
            seq: 2,
            at: "2026-11-25T10:00:00Z".parse().unwrap(),
            actor: Actor::Api,
            kind: EventKind::StatusChanged {
                from: Status::Open,
                to: Status::Investigating,
                message: Some("looking".into()),
            },
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"seq": 2, "at": "2026-11-25T10:00:00Z", "actor": "api",
                "kind": "status_changed", "from": "open", "to": "investigating", "message": "looking"})
        );
        assert_eq!(serde_json::from_value::<IncidentEvent>(json).unwrap(), event);
    }
}
