//! Effects: what the runbooks ask the platforms to do, stored in the outbox.
//!
//! Each effect makes at most one non-idempotent provider call before its
//! outcome is recorded, so a retry never repeats a visible message: posting
//! the card and pinning it are two effects, and so are an update in the room
//! and its reply in the broadcast thread.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Domain, EffectKind, Incident, RoomId, Severity, UserGroupRef, UserRef};

/// What a timer checks when it falls due; it does nothing if the check fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerCondition {
    /// Nobody moved the incident out of `open` yet.
    Unacknowledged,
    /// The incident is still active (not resolved, false positive or closed).
    StillOpen,
}

impl TimerCondition {
    /// Whether `incident` still meets the condition.
    pub fn holds(self, incident: &Incident) -> bool {
        match self {
            Self::Unacknowledged => incident.milestones().acknowledged_at.is_none() && incident.status().is_active(),
            Self::StillOpen => incident.status().is_active(),
        }
    }
}

/// One thing to do on a platform for an incident. Stored as JSON tagged by
/// `kind`; every effect is safe to run again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    /// Create the incident room (skipped if one is recorded).
    CreateRoom,
    /// Invite people into the room.
    InviteMembers {
        /// Who.
        users: Vec<UserRef>,
    },
    /// Invite the members of a user group into the room (the group is
    /// expanded when the effect runs).
    InviteGroup {
        /// Which group.
        group: UserGroupRef,
    },
    /// Post the incident card in the room (skipped if recorded).
    PostCard,
    /// Pin the recorded card.
    PinCard,
    /// Announce the incident in the broadcast channel (skipped if recorded).
    PostBroadcast,
    /// Page a domain's on-call.
    Page {
        /// Whose on-call.
        domain: Domain,
        /// Whether this is an escalation (another page for the same incident).
        escalation: bool,
    },
    /// Post the event `seq` in the room.
    AnnounceUpdate {
        /// The event to announce.
        seq: u64,
    },
    /// Reply with the event `seq` in the broadcast thread.
    ReplyToBroadcast {
        /// The event to announce.
        seq: u64,
    },
    /// Show the welcome and its buttons to someone who joined.
    Welcome {
        /// Who joined.
        user: UserRef,
    },
    /// Refresh the pinned card in place.
    RefreshCard,
    /// Refresh the broadcast message in place.
    RefreshBroadcast,
    /// Write the post-mortem (its link is announced by the event it records).
    CreatePostmortem,
    /// Rewrite the recorded post-mortem with the incident as it is now
    /// (skipped where the documents platform cannot).
    UpdatePostmortem,
    /// Resolve every open page.
    ResolvePages,
    /// Export action item `number` to the tracker: find the ticket made for
    /// it, else create one; records `ticket_linked` (skipped if linked).
    ExportActionItem {
        /// The action item, from 1.
        number: u32,
    },
    /// Bring action item `number`'s ticket in line with the item as it is
    /// now (title, owner, due date, done or open).
    SyncTicket {
        /// The action item, from 1.
        number: u32,
    },
    /// Push the public update recorded by event `seq` to the hosted status page.
    PushStatusPage {
        /// The `public_update_published` event.
        seq: u64,
    },
    /// Withdraw the hosted incident `id` from the hosted status page (the
    /// incident was made private); records `status_page_withdrawn`.
    WithdrawStatusPage {
        /// The hosted page's id for the incident, as recorded when linked.
        id: String,
    },
    /// Tell the room that the effect recorded as failed by event `seq` gave up.
    NotifyFailure {
        /// The `effect_failed` event.
        seq: u64,
    },
    /// Remind the room to post an update, unless the reminder clock moved
    /// since `basis` (an update came) or the incident is no longer active.
    RemindUpdate {
        /// The `seq` the reminder clock ran from when this was scheduled.
        basis: u64,
    },
    /// Remind the Incident Manager, once, if the root cause or the action
    /// items are missing, unless the incident was reopened since `resolved_at`.
    RemindPostmortem {
        /// The resolution this reminder follows.
        resolved_at: DateTime<Utc>,
    },
    /// Refresh the card a last time and post the closing summary, unless the
    /// incident was reopened since `resolved_at`; the archive follows.
    PostClosingSummary {
        /// The resolution this archive follows.
        resolved_at: DateTime<Utc>,
    },
    /// Archive the room (skipped where the platform cannot).
    ArchiveRoom,
    /// Post a policy's plain-text message in another room.
    PostTo {
        /// Where.
        room: RoomId,
        /// What.
        text: String,
    },
    /// A policy's severity change, recorded as SIMA's edit (no provider call).
    SetSeverity {
        /// The new severity.
        severity: Severity,
        /// How deep in a chain of policy changes the edit is (1 when stored
        /// before depths were: a policy's step is at least that deep).
        #[serde(default = "first_policy_change")]
        policy_depth: u8,
    },
    /// A policy's timer: when due, records `timer_fired` if `condition` still
    /// holds and no timer of this `name` fired for the incident yet.
    Timer {
        /// The timer's name, unique per incident.
        name: String,
        /// What it re-checks.
        condition: TimerCondition,
    },
    /// A policy step planned beyond [`MAX_POLICY_DEPTH`](super::MAX_POLICY_DEPTH): it never runs;
    /// running this records the refusal as failed, naming the step and why.
    RefusedStep {
        /// The step, in words (`set severity sev3`).
        step: String,
        /// The depth the change it would have made was at.
        policy_depth: u8,
    },
}

fn first_policy_change() -> u8 {
    1
}

impl Effect {
    /// What kind of effect this is.
    pub fn kind(&self) -> EffectKind {
        match self {
            Self::CreateRoom => EffectKind::CreateRoom,
            Self::InviteMembers { .. } => EffectKind::InviteMembers,
            Self::InviteGroup { .. } => EffectKind::InviteGroup,
            Self::PostCard => EffectKind::PostCard,
            Self::PinCard => EffectKind::PinCard,
            Self::PostBroadcast => EffectKind::PostBroadcast,
            Self::Page { .. } => EffectKind::Page,
            Self::AnnounceUpdate { .. } => EffectKind::AnnounceUpdate,
            Self::ReplyToBroadcast { .. } => EffectKind::ReplyToBroadcast,
            Self::Welcome { .. } => EffectKind::Welcome,
            Self::RefreshCard => EffectKind::RefreshCard,
            Self::RefreshBroadcast => EffectKind::RefreshBroadcast,
            Self::CreatePostmortem => EffectKind::CreatePostmortem,
            Self::UpdatePostmortem => EffectKind::UpdatePostmortem,
            Self::ResolvePages => EffectKind::ResolvePages,
            Self::ExportActionItem { .. } => EffectKind::ExportActionItem,
            Self::SyncTicket { .. } => EffectKind::SyncTicket,
            Self::PushStatusPage { .. } => EffectKind::PushStatusPage,
            Self::WithdrawStatusPage { .. } => EffectKind::WithdrawStatusPage,
            Self::NotifyFailure { .. } => EffectKind::NotifyFailure,
            Self::RemindUpdate { .. } => EffectKind::RemindUpdate,
            Self::RemindPostmortem { .. } => EffectKind::RemindPostmortem,
            Self::PostClosingSummary { .. } => EffectKind::PostClosingSummary,
            Self::ArchiveRoom => EffectKind::ArchiveRoom,
            Self::PostTo { .. } => EffectKind::PostTo,
            Self::SetSeverity { .. } => EffectKind::SetSeverity,
            Self::Timer { .. } => EffectKind::Timer,
            Self::RefusedStep { .. } => EffectKind::RefusedStep,
        }
    }

    /// Whether it posts, pins, invites or refreshes in the incident room,
    /// which is not done once the room is archived.
    pub fn acts_in_room(&self) -> bool {
        matches!(
            self,
            Self::InviteMembers { .. }
                | Self::InviteGroup { .. }
                | Self::PostCard
                | Self::PinCard
                | Self::AnnounceUpdate { .. }
                | Self::Welcome { .. }
                | Self::RefreshCard
                | Self::NotifyFailure { .. }
                | Self::RemindUpdate { .. }
                | Self::RemindPostmortem { .. }
                | Self::PostClosingSummary { .. }
                | Self::ArchiveRoom
        )
    }

    /// The snake_case name, as stored in the outbox's `kind` column.
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_tag_is_the_kind_name() {
        let effects = [
            Effect::CreateRoom,
            Effect::PinCard,
            Effect::InviteGroup { group: UserGroupRef::parse("S0614TZR7").unwrap() },
            Effect::AnnounceUpdate { seq: 3 },
            Effect::ReplyToBroadcast { seq: 3 },
            Effect::RefreshBroadcast,
            Effect::UpdatePostmortem,
            Effect::ExportActionItem { number: 2 },
            Effect::SyncTicket { number: 2 },
            Effect::PushStatusPage { seq: 5 },
            Effect::WithdrawStatusPage { id: "p1x2y3".into() },
            Effect::NotifyFailure { seq: 9 },
            Effect::RemindUpdate { basis: 4 },
            Effect::PostClosingSummary { resolved_at: "2026-11-25T10:00:00Z".parse().unwrap() },
            Effect::ArchiveRoom,
            Effect::PostTo { room: RoomId::new("C0SEC"), text: "INC-1 declared".into() },
            Effect::Timer { name: "sev1-ack".into(), condition: TimerCondition::Unacknowledged },
            Effect::SetSeverity { severity: Severity::Sev1, policy_depth: 2 },
            Effect::RefusedStep { step: "set severity sev3".into(), policy_depth: 4 },
        ];
        for effect in effects {
            let json = serde_json::to_value(&effect).unwrap();
            assert_eq!(json["kind"], effect.name());
            assert_eq!(serde_json::from_value::<Effect>(json).unwrap(), effect);
        }
    }

    #[test]
    fn a_severity_change_stored_without_a_depth_counts_as_a_first_policy_change() {
        let stored = serde_json::json!({"kind": "set_severity", "severity": "sev1"});
        let read = serde_json::from_value::<Effect>(stored).unwrap();
        assert_eq!(read, Effect::SetSeverity { severity: Severity::Sev1, policy_depth: 1 });
    }
}
