//! Effects: what the runbooks ask the platforms to do, stored in the outbox.

use serde::{Deserialize, Serialize};

use crate::domain::{Domain, UserRef};

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
    /// Post the incident card in the room and pin it (skipped if recorded).
    PostCard,
    /// Announce the incident in the broadcast channel (skipped if recorded).
    PostBroadcast,
    /// Page a domain's on-call.
    Page {
        /// Whose on-call.
        domain: Domain,
        /// Whether this is an escalation (another page for the same incident).
        escalation: bool,
    },
    /// Post the event `seq` in the room and in the broadcast thread.
    AnnounceUpdate {
        /// The event to announce.
        seq: u64,
    },
    /// Show the welcome and its buttons to someone who joined.
    Welcome {
        /// Who joined.
        user: UserRef,
    },
    /// Refresh the pinned card and the broadcast message in place.
    RefreshCard,
    /// Write the post-mortem and post its link.
    CreatePostmortem,
    /// Resolve every open page.
    ResolvePages,
}

impl Effect {
    /// The snake_case name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::CreateRoom => "create_room",
            Self::InviteMembers { .. } => "invite_members",
            Self::PostCard => "post_card",
            Self::PostBroadcast => "post_broadcast",
            Self::Page { .. } => "page",
            Self::AnnounceUpdate { .. } => "announce_update",
            Self::Welcome { .. } => "welcome",
            Self::RefreshCard => "refresh_card",
            Self::CreatePostmortem => "create_postmortem",
            Self::ResolvePages => "resolve_pages",
        }
    }
}
