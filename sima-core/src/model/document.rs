//! A neutral document (a Notion page, a Confluence page, a Markdown file).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::RichText;

/// A document: typed properties plus a body of blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Page title.
    pub title: String,
    /// Structured facts (database properties on Notion).
    pub properties: PostmortemProperties,
    /// The body, in order.
    pub blocks: Vec<DocBlock>,
    /// Whether the incident is private: adapters then write it where only
    /// its people can read it, when such a place is configured.
    #[serde(default)]
    pub private: bool,
}

/// The facts of a post-mortem that docs platforms store as properties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostmortemProperties {
    /// `INC-42`.
    pub number: String,
    /// `sev1`…`sev4`.
    pub severity: String,
    /// The domain slug.
    pub domain: String,
    /// Review status of the document (`Draft`).
    pub status: String,
    /// When impact began.
    pub started_at: DateTime<Utc>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Time to acknowledge, in minutes.
    pub mtta_minutes: Option<f64>,
    /// Time to recover, in minutes.
    pub mttr_minutes: Option<f64>,
    /// The Incident Manager's chat id.
    pub incident_manager: Option<String>,
    /// Link to the incident room.
    pub room_url: Option<String>,
}

/// One block of a document body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocBlock {
    /// A heading, level 1 to 3.
    Heading {
        /// 1, 2 or 3.
        level: u8,
        /// Plain text.
        text: String,
    },
    /// A paragraph.
    Paragraph {
        /// The text.
        text: RichText,
    },
    /// A bulleted list.
    Bullets {
        /// The items.
        items: Vec<RichText>,
    },
    /// A checklist.
    Todos {
        /// The items.
        items: Vec<Todo>,
    },
    /// A table with a header row.
    Table {
        /// Column titles (plain text).
        header: Vec<String>,
        /// Rows, each as long as `header`.
        rows: Vec<Vec<RichText>>,
    },
}

/// A checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    /// What to do.
    pub text: RichText,
    /// Whether it is done.
    pub done: bool,
}
