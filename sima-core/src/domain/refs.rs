//! References to things that live on the platforms: rooms, messages, documents.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A chat channel id as the platform names it (`C0123ABC` on Slack).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoomId(String);

impl RoomId {
    /// Wraps a platform channel id.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A chat room created for an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    /// Platform id.
    pub id: RoomId,
    /// The name actually used (legal and unique on the platform).
    pub name: String,
    /// A link that opens the room.
    pub url: String,
}

/// A message posted in a room, so it can be updated, pinned or replied to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageRef {
    /// Where it was posted.
    pub room: RoomId,
    /// The platform's message id (Slack's `ts`).
    pub ts: String,
}

/// A document created on the docs platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocRef {
    /// Platform id.
    pub id: String,
    /// A link that opens it.
    pub url: String,
}

/// A page (alert) raised on the paging platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRef {
    /// The dedup key that identifies the alert on the platform.
    pub dedup_key: String,
    /// The service or escalation target paged.
    pub service: String,
}

/// Where the incident room is in its life: open, closing (the closing
/// summary is posted, the archive comes next) or archived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomState {
    /// People work in it.
    #[default]
    Open,
    /// The closing summary is posted; the room is archived next.
    Closing,
    /// Archived: nothing is posted in it any more.
    Archived,
}
