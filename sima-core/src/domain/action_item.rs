//! Follow-up action items: what must be done after an incident, by whom and by when.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Actor, Text, Ticket, UserRef};

/// Whether an action item is still to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Still to do.
    #[default]
    Open,
    /// Done.
    Done,
}

impl ActionStatus {
    /// The snake_case name (`open`, `done`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
        }
    }
}

impl std::fmt::Display for ActionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A follow-up task recorded on an incident. Items are numbered from 1 in
/// the order they were added; the number never changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    /// What must be done.
    pub text: Text,
    /// Who added it.
    pub added_by: Actor,
    /// Who does it, if someone was named.
    #[serde(default)]
    pub owner: Option<UserRef>,
    /// When it should be done by, if said.
    #[serde(default)]
    pub due: Option<NaiveDate>,
    /// Open or done.
    #[serde(default)]
    pub status: ActionStatus,
    /// When it was marked done.
    #[serde(default)]
    pub done_at: Option<DateTime<Utc>>,
    /// Its ticket in the tracker, once exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Ticket>,
    /// Whether someone asked for it to be exported (`/incident export <n>`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub export_requested: bool,
}

impl ActionItem {
    /// Whether it is still to do.
    pub fn is_open(&self) -> bool {
        self.status == ActionStatus::Open
    }
}

/// What a new action item says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActionItem {
    /// What must be done.
    pub text: Text,
    /// Who does it.
    pub owner: Option<UserRef>,
    /// When it should be done by.
    pub due: Option<NaiveDate>,
}

impl From<Text> for NewActionItem {
    fn from(text: Text) -> Self {
        Self { text, owner: None, due: None }
    }
}
