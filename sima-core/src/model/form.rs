//! A neutral form (a Slack modal, a Teams task module).

use serde::{Deserialize, Serialize};

/// An opaque, short-lived handle that lets the chat platform open a form
/// (Slack's `trigger_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormTrigger(pub String);

/// Which form this is; platforms send it back on submission (`callback_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormId {
    /// Declare an incident.
    DeclareIncident,
    /// Edit an incident.
    EditIncident,
    /// Post a status update.
    UpdateStatus,
    /// Publish an update on the status page.
    PublishUpdate,
}

impl FormId {
    /// The snake_case name (`declare_incident`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::DeclareIncident => "declare_incident",
            Self::EditIncident => "edit_incident",
            Self::UpdateStatus => "update_status",
            Self::PublishUpdate => "publish_update",
        }
    }

    /// Parses a `callback_id`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::DeclareIncident, Self::EditIncident, Self::UpdateStatus, Self::PublishUpdate]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// A form: a title, inputs and a submit button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    /// Identity, sent back on submission.
    pub id: FormId,
    /// Short title (Slack allows 24 characters).
    pub title: String,
    /// Submit button label.
    pub submit: String,
    /// The inputs, in order.
    pub inputs: Vec<Input>,
    /// Opaque data sent back on submission (the incident id for edits).
    pub metadata: Option<String>,
}

/// One input. Its `id` names both the block and the element (`block_id` and
/// `action_id` on Slack).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Stable name (`domain`, `summary`…).
    pub id: String,
    /// The label shown.
    pub label: String,
    /// What kind of control.
    pub kind: InputKind,
    /// Whether it may be left empty.
    pub optional: bool,
    /// Pre-filled value (for selects: the option value).
    pub initial: Option<String>,
    /// Help text under the input.
    pub hint: Option<String>,
}

/// The control of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InputKind {
    /// Free text.
    Text {
        /// Several lines.
        multiline: bool,
        /// Longest accepted value.
        max_length: Option<u32>,
        /// Grey example text.
        placeholder: Option<String>,
    },
    /// One choice among options.
    Select {
        /// The options.
        options: Vec<Choice>,
    },
    /// A whole number.
    Number {
        /// Smallest accepted value.
        min: Option<u64>,
    },
    /// One box to tick: submitted as `true` when ticked (absent or `false`
    /// otherwise); `initial` `true` ticks it.
    Checkbox {
        /// The text beside the box.
        text: String,
    },
    /// Some of the options, submitted joined by commas (`a,b`); `initial`
    /// is written the same way.
    MultiSelect {
        /// The options.
        options: Vec<Choice>,
    },
    /// A chat user, submitted as the platform's user id.
    User,
    /// One choice among options that reshapes the form (the incident type):
    /// choosing one sends [`Inbound::FormChanged`](crate::chat::Inbound::FormChanged)
    /// with the values so far, answered by the form to show instead
    /// ([`Reply::ReplaceForm`](crate::chat::Reply::ReplaceForm)).
    ReshapingSelect {
        /// The options.
        options: Vec<Choice>,
    },
}

/// An option of a select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
}
