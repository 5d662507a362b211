//! Events: every decision about an incident, in order.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Actor, ComponentStatus, DedupKey, Description, DocRef, Domain, EffectKind, FieldChange, FieldValueChange,
    FieldValues, Impact, MessageRef, PageRef, PublicStatus, Role, Room, Severity, Status, Summary, Text, Ticket,
    UserRef,
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
        /// Declared private; events stored before privacy existed read as public.
        #[serde(default, skip_serializing_if = "is_public")]
        private: bool,
        /// The incident type, if any; events stored before types existed have none.
        #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
        incident_type: Option<String>,
        /// Custom field values given at declaration.
        #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
        fields: FieldValues,
    },
    /// The incident was made private, or public again (an explicit, recorded change).
    VisibilityChanged {
        /// Private from now on (`false`: public again).
        private: bool,
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
    /// An action item was opened again (by a person, or its ticket reopened).
    ActionItemReopened {
        /// Its number, from 1.
        number: u32,
    },
    /// Someone asked for an action item to be exported to the tracker
    /// (`/incident export <n>`, when only asked-for items are exported).
    ActionItemExportRequested {
        /// Its number, from 1.
        number: u32,
    },
    /// An action item's ticket was made (or found) in the tracker.
    TicketLinked {
        /// The action item's number, from 1.
        number: u32,
        /// The ticket.
        ticket: Ticket,
    },
    /// An action item's ticket changed in the tracker (its status moved).
    TicketUpdated {
        /// The action item's number, from 1.
        number: u32,
        /// The ticket as it is now.
        ticket: Ticket,
    },
    /// A public update was published on the status page.
    PublicUpdatePublished {
        /// The stage announced.
        status: PublicStatus,
        /// The public title (never the internal summary).
        title: String,
        /// What customers are told.
        message: Text,
        /// The status of the incident's components while this update stands.
        component_status: ComponentStatus,
    },
    /// The public updates were pushed to a hosted status page for the first time.
    StatusPageLinked {
        /// The hosted page's id for the incident.
        id: String,
        /// Its public link, if the platform gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    /// The incident was withdrawn from the hosted status page (made private):
    /// a later push creates a new hosted incident.
    StatusPageWithdrawn {
        /// The hosted page's id for the incident that was withdrawn.
        id: String,
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
    /// Custom fields were set or cleared after declaration.
    FieldsSet {
        /// Each field changed, with its value before and after.
        changes: Vec<FieldValueChange>,
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
                | Self::FieldsSet { .. }
                | Self::RoomCreated { .. }
                | Self::UpdateReminderPosted { .. }
        )
    }

    /// Whether it adds or changes an action item (stores keep a table of them).
    pub fn changes_action_items(&self) -> bool {
        matches!(
            self,
            Self::ActionItemAdded { .. }
                | Self::ActionItemDone { .. }
                | Self::ActionItemReopened { .. }
                | Self::TicketLinked { .. }
                | Self::TicketUpdated { .. }
        )
    }

    /// Whether the event may change the incident's severity (an escalation or
    /// an edited field), so that stores re-rank its pending effects.
    pub fn may_change_severity(&self) -> bool {
        matches!(self, Self::Escalated { .. } | Self::FieldEdited(_))
    }

    /// The snake_case tag (`status_changed`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Declared { .. } => "declared",
            Self::VisibilityChanged { .. } => "visibility_changed",
            Self::StatusChanged { .. } => "status_changed",
            Self::RoleAssigned { .. } => "role_assigned",
            Self::FieldEdited { .. } => "field_edited",
            Self::NoteAdded { .. } => "note_added",
            Self::Escalated { .. } => "escalated",
            Self::RootCauseSet { .. } => "root_cause_set",
            Self::ActionItemAdded { .. } => "action_item_added",
            Self::ActionItemDone { .. } => "action_item_done",
            Self::ActionItemReopened { .. } => "action_item_reopened",
            Self::ActionItemExportRequested { .. } => "action_item_export_requested",
            Self::TicketLinked { .. } => "ticket_linked",
            Self::TicketUpdated { .. } => "ticket_updated",
            Self::PublicUpdatePublished { .. } => "public_update_published",
            Self::StatusPageLinked { .. } => "status_page_linked",
            Self::StatusPageWithdrawn { .. } => "status_page_withdrawn",
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
            Self::FieldsSet { .. } => "fields_set",
        }
    }
}

/// Whether a `private` flag says public (then it is left out of the JSON).
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_public(private: &bool) -> bool {
    !*private
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

    #[test]
    fn a_declared_event_stored_before_privacy_existed_reads_as_public() {
        let old = serde_json::json!({"seq": 1, "at": "2026-11-25T10:00:00Z", "actor": "api", "kind": "declared",
            "domain": "payments", "summary": "Down", "description": "", "severity": "sev2", "impact": null,
            "started_at": "2026-11-25T10:00:00Z", "dedup_key": null});
        let event: IncidentEvent = serde_json::from_value(old.clone()).unwrap();
        assert!(matches!(event.kind, EventKind::Declared { private: false, .. }));
        assert_eq!(serde_json::to_value(&event).unwrap(), old, "a public declaration is stored as before");
        let mut private = event;
        if let EventKind::Declared { private: p, .. } = &mut private.kind {
            *p = true;
        }
        let json = serde_json::to_value(&private).unwrap();
        assert_eq!(json["private"], true);
        assert_eq!(serde_json::from_value::<IncidentEvent>(json).unwrap(), private);
        let changed = serde_json::json!({"seq": 2, "at": "2026-11-25T10:00:00Z", "actor": "user:U1",
            "kind": "visibility_changed", "private": false});
        let event: IncidentEvent = serde_json::from_value(changed).unwrap();
        assert_eq!(event.kind, EventKind::VisibilityChanged { private: false });
    }
}
