//! The kinds of effect the runbooks run, named in events and metrics.

use serde::{Deserialize, Serialize};

/// What kind of work an effect does on a platform. Stored in `effect_failed`
/// and `effects_retried` events and in the outbox's `kind` column, snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectKind {
    /// Create the incident room.
    CreateRoom,
    /// Invite people into the room.
    InviteMembers,
    /// Invite a user group's members into the room.
    InviteGroup,
    /// Post the incident card in the room.
    PostCard,
    /// Pin the posted card.
    PinCard,
    /// Announce the incident in the broadcast channel.
    PostBroadcast,
    /// Page an on-call.
    Page,
    /// Post an update in the room.
    AnnounceUpdate,
    /// Reply with an update in the broadcast thread.
    ReplyToBroadcast,
    /// Show the welcome to someone who joined.
    Welcome,
    /// Refresh the pinned card in place.
    RefreshCard,
    /// Refresh the broadcast message in place.
    RefreshBroadcast,
    /// Write the post-mortem.
    CreatePostmortem,
    /// Rewrite the post-mortem after a later change.
    UpdatePostmortem,
    /// Resolve the open pages.
    ResolvePages,
    /// Export an action item to the tracker as a ticket.
    ExportActionItem,
    /// Bring an action item's ticket in line with the item (title, owner, due date, done).
    SyncTicket,
    /// Push a public update to the hosted status page.
    PushStatusPage,
    /// Withdraw the incident from the hosted status page (made private).
    WithdrawStatusPage,
    /// Tell the room that an effect failed for good.
    NotifyFailure,
    /// Remind the room that no update was posted for a while.
    RemindUpdate,
    /// Remind the Incident Manager that the post-mortem lacks a root cause or action items.
    RemindPostmortem,
    /// Refresh the card and post the closing summary before the archive.
    PostClosingSummary,
    /// Archive the incident room.
    ArchiveRoom,
    /// Post a policy's message in another room.
    PostTo,
    /// Check a policy's timer and record that it fired.
    Timer,
    /// Record a policy's severity change.
    SetSeverity,
    /// Record that a policy step beyond the chain limit was refused.
    RefusedStep,
}

impl EffectKind {
    /// Every kind, in runbook order.
    pub const ALL: [Self; 28] = [
        Self::CreateRoom,
        Self::InviteMembers,
        Self::InviteGroup,
        Self::PostCard,
        Self::PinCard,
        Self::PostBroadcast,
        Self::Page,
        Self::AnnounceUpdate,
        Self::ReplyToBroadcast,
        Self::Welcome,
        Self::RefreshCard,
        Self::RefreshBroadcast,
        Self::CreatePostmortem,
        Self::UpdatePostmortem,
        Self::ResolvePages,
        Self::ExportActionItem,
        Self::SyncTicket,
        Self::PushStatusPage,
        Self::WithdrawStatusPage,
        Self::NotifyFailure,
        Self::RemindUpdate,
        Self::RemindPostmortem,
        Self::PostClosingSummary,
        Self::ArchiveRoom,
        Self::PostTo,
        Self::Timer,
        Self::SetSeverity,
        Self::RefusedStep,
    ];

    /// The snake_case name (`post_card`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateRoom => "create_room",
            Self::InviteMembers => "invite_members",
            Self::InviteGroup => "invite_group",
            Self::PostCard => "post_card",
            Self::PinCard => "pin_card",
            Self::PostBroadcast => "post_broadcast",
            Self::Page => "page",
            Self::AnnounceUpdate => "announce_update",
            Self::ReplyToBroadcast => "reply_to_broadcast",
            Self::Welcome => "welcome",
            Self::RefreshCard => "refresh_card",
            Self::RefreshBroadcast => "refresh_broadcast",
            Self::CreatePostmortem => "create_postmortem",
            Self::UpdatePostmortem => "update_postmortem",
            Self::ResolvePages => "resolve_pages",
            Self::ExportActionItem => "export_action_item",
            Self::SyncTicket => "sync_ticket",
            Self::PushStatusPage => "push_status_page",
            Self::WithdrawStatusPage => "withdraw_status_page",
            Self::NotifyFailure => "notify_failure",
            Self::RemindUpdate => "remind_update",
            Self::RemindPostmortem => "remind_postmortem",
            Self::PostClosingSummary => "post_closing_summary",
            Self::ArchiveRoom => "archive_room",
            Self::PostTo => "post_to",
            Self::Timer => "timer",
            Self::SetSeverity => "set_severity",
            Self::RefusedStep => "refused_step",
        }
    }

    /// What the effect does, for people: "create the incident room".
    pub fn describe(self) -> &'static str {
        match self {
            Self::CreateRoom => "create the incident room",
            Self::InviteMembers => "invite people into the room",
            Self::InviteGroup => "invite a user group into the room",
            Self::PostCard => "post the incident card",
            Self::PinCard => "pin the incident card",
            Self::PostBroadcast => "announce the incident in the broadcast channel",
            Self::Page => "page the on-call",
            Self::AnnounceUpdate => "post an update in the room",
            Self::ReplyToBroadcast => "reply in the broadcast thread",
            Self::Welcome => "welcome someone who joined",
            Self::RefreshCard => "refresh the incident card",
            Self::RefreshBroadcast => "refresh the broadcast message",
            Self::CreatePostmortem => "create the post-mortem",
            Self::UpdatePostmortem => "update the post-mortem",
            Self::ResolvePages => "resolve the pages",
            Self::ExportActionItem => "export the action item to the tracker",
            Self::SyncTicket => "update the action item's ticket",
            Self::PushStatusPage => "update the hosted status page",
            Self::WithdrawStatusPage => "withdraw the incident from the hosted status page",
            Self::NotifyFailure => "report a failure in the room",
            Self::RemindUpdate => "remind the room to post an update",
            Self::RemindPostmortem => "remind the Incident Manager about the post-mortem",
            Self::PostClosingSummary => "post the closing summary",
            Self::ArchiveRoom => "archive the incident room",
            Self::PostTo => "post a message in another room",
            Self::Timer => "check a policy timer",
            Self::SetSeverity => "change the severity",
            Self::RefusedStep => "run a policy step",
        }
    }
}

impl std::fmt::Display for EffectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde() {
        for kind in EffectKind::ALL {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, serde_json::Value::String(kind.as_str().to_owned()));
            assert_eq!(serde_json::from_value::<EffectKind>(json).unwrap(), kind);
        }
        let names: std::collections::BTreeSet<&str> = EffectKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), EffectKind::ALL.len(), "every kind is listed once, under its own name");
        let withdraw = serde_json::from_value::<EffectKind>(serde_json::json!("withdraw_status_page")).unwrap();
        assert_eq!(withdraw, EffectKind::WithdrawStatusPage);
    }
}
