//! A neutral chat message: each chat adapter renders it (Block Kit, Adaptive Cards…).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::RichText;

/// A message: blocks for rich clients and a short fallback for notifications
/// and clients that cannot render blocks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Message {
    /// Short fallback (notifications, screen readers).
    pub text: RichText,
    /// The rich content, in order.
    pub blocks: Vec<Block>,
}

/// One piece of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A bold title line (platforms may show it without formatting).
    Header {
        /// The title.
        text: RichText,
    },
    /// A paragraph.
    Text {
        /// The content.
        text: RichText,
    },
    /// Label/value pairs shown side by side.
    Fields {
        /// The pairs.
        fields: Vec<Field>,
    },
    /// A bulleted list.
    Bullets {
        /// The items.
        items: Vec<RichText>,
    },
    /// Buttons.
    Actions {
        /// The buttons, in order.
        actions: Vec<Action>,
    },
    /// Small grey text.
    Context {
        /// The content.
        text: RichText,
    },
    /// A horizontal rule.
    Divider,
}

/// A label and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Short label.
    pub label: String,
    /// The value.
    pub value: RichText,
}

impl Field {
    /// A field whose value is plain text.
    pub fn new(label: impl Into<String>, value: impl fmt::Display) -> Self {
        Self { label: label.into(), value: RichText::new().plain(value) }
    }

    /// A field whose value is rich text.
    pub fn rich(label: impl Into<String>, value: RichText) -> Self {
        Self { label: label.into(), value }
    }
}

/// A button. Its `id` is stable: platforms send it back when it is pressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// What pressing it means.
    pub id: ActionId,
    /// The label.
    pub label: String,
    /// How prominent it is.
    pub style: ActionStyle,
    /// Extra data returned on press (the incident id).
    pub value: Option<String>,
}

/// Button emphasis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStyle {
    /// Ordinary.
    Default,
    /// The main thing to do.
    Primary,
    /// Destructive or urgent.
    Danger,
}

/// The stable identity of a button (`action_id` on Slack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionId {
    /// Take the Incident Manager role.
    BecomeIncidentManager,
    /// Take the Communication Lead role.
    BecomeCommunicationLead,
    /// Open the status update form.
    UpdateStatus,
    /// Show the incident summary.
    ShowInfo,
    /// Show the command list.
    ShowHelp,
    /// Open the edit form.
    EditIncident,
    /// Page another on-call.
    Escalate,
    /// Resolve the incident.
    ResolveIncident,
    /// Mark an action item done (the value carries its number).
    CompleteActionItem,
    /// Open the form that publishes an update on the status page.
    PublishUpdate,
    /// Export an action item to the tracker (the value carries its number).
    ExportActionItem,
}

impl ActionId {
    /// Every action.
    pub const ALL: [ActionId; 11] = [
        Self::BecomeIncidentManager,
        Self::BecomeCommunicationLead,
        Self::UpdateStatus,
        Self::ShowInfo,
        Self::ShowHelp,
        Self::EditIncident,
        Self::Escalate,
        Self::ResolveIncident,
        Self::CompleteActionItem,
        Self::PublishUpdate,
        Self::ExportActionItem,
    ];

    /// The snake_case name (`become_incident_manager`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::BecomeIncidentManager => "become_incident_manager",
            Self::BecomeCommunicationLead => "become_communication_lead",
            Self::UpdateStatus => "update_status",
            Self::ShowInfo => "show_info",
            Self::ShowHelp => "show_help",
            Self::EditIncident => "edit_incident",
            Self::Escalate => "escalate",
            Self::ResolveIncident => "resolve_incident",
            Self::CompleteActionItem => "complete_action_item",
            Self::PublishUpdate => "publish_update",
            Self::ExportActionItem => "export_action_item",
        }
    }

    /// Parses an `action_id`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The default button label.
    pub fn label(&self) -> &'static str {
        match self {
            Self::BecomeIncidentManager => "I'm the Incident Manager",
            Self::BecomeCommunicationLead => "I'm the Communication Lead",
            Self::UpdateStatus => "Update status",
            Self::ShowInfo => "Incident info",
            Self::ShowHelp => "Help",
            Self::EditIncident => "Edit incident",
            Self::Escalate => "Escalate",
            Self::ResolveIncident => "Resolve",
            Self::CompleteActionItem => "Done",
            Self::PublishUpdate => "Publish update",
            Self::ExportActionItem => "Export",
        }
    }

    /// A button for this action carrying `value`.
    pub fn button(self, style: ActionStyle, value: Option<String>) -> Action {
        Action { id: self, label: self.label().to_owned(), style, value }
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
