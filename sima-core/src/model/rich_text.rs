//! Neutral rich text: a sequence of inline nodes that each adapter renders in
//! its platform's syntax (Slack mrkdwn, Notion rich text, Markdown, XHTML).
//!
//! The core never writes platform syntax. Text that people typed is always an
//! [`Inline::Plain`] (or the text of another node), and every adapter escapes
//! it so that it is shown as typed, never interpreted.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::{Room, UserRef};

/// One inline piece of rich text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inline {
    /// Text shown exactly as written.
    Plain(String),
    /// Strong emphasis.
    Bold(String),
    /// Light emphasis (placeholders such as "unassigned").
    Italic(String),
    /// Inline code (commands, identifiers).
    Code(String),
    /// A link showing `text` and opening `url`.
    Link {
        /// Where it points.
        url: String,
        /// What it shows (the URL itself when empty).
        text: String,
    },
    /// A person, shown the way the platform shows people.
    Mention(UserRef),
    /// A chat room, shown as its name and opening it.
    Room(Room),
    /// An emoji by its common short name, without colons (`rotating_light`).
    Emoji(String),
}

impl Inline {
    /// The node as plain text: what a reader sees, without any formatting.
    pub fn plain_text(&self) -> String {
        match self {
            Self::Plain(t) | Self::Bold(t) | Self::Italic(t) | Self::Code(t) => t.clone(),
            Self::Link { url, text } if text.is_empty() => url.clone(),
            Self::Link { text, .. } => text.clone(),
            Self::Mention(user) => format!("@{user}"),
            Self::Room(room) => format!("#{}", room.name),
            Self::Emoji(name) => emoji_char(name).unwrap_or_default().to_owned(),
        }
    }
}

/// The Unicode character of an emoji SIMA uses, for platforms without short
/// names (`rotating_light` gives `🚨`).
pub fn emoji_char(name: &str) -> Option<&'static str> {
    Some(match name {
        "rotating_light" => "🚨",
        "red_circle" => "🔴",
        "mag" => "🔍",
        "mag_right" => "🔎",
        "bulb" => "💡",
        "eyes" => "👀",
        "white_check_mark" => "✅",
        "zzz" => "💤",
        "lock" => "🔒",
        "busts_in_silhouette" => "👥",
        "pencil2" => "✏️",
        "memo" => "📝",
        "mega" => "📣",
        "ballot_box_with_check" => "☑️",
        "page_facing_up" => "📄",
        "wave" => "👋",
        "thinking_face" => "🤔",
        "warning" => "⚠️",
        "x" => "❌",
        _ => return None,
    })
}

/// Rich text: inline nodes in reading order.
///
/// ```
/// use sima_core::model::RichText;
/// let text = RichText::new().bold("Status").plain(": ").plain("<!channel> is not a ping");
/// assert_eq!(text.to_string(), "Status: <!channel> is not a ping");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RichText(pub Vec<Inline>);

impl RichText {
    /// Empty text.
    pub fn new() -> Self {
        Self::default()
    }

    /// The nodes, in order.
    pub fn inlines(&self) -> &[Inline] {
        &self.0
    }

    /// Whether it shows nothing (no nodes, or only blank text).
    pub fn is_blank(&self) -> bool {
        self.0.iter().all(|i| matches!(i, Inline::Plain(t) | Inline::Bold(t) | Inline::Italic(t) | Inline::Code(t) if t.trim().is_empty()))
    }

    /// Appends a node.
    pub fn push(mut self, inline: Inline) -> Self {
        self.0.push(inline);
        self
    }

    /// Appends plain text (anything people typed goes here).
    pub fn plain(self, text: impl fmt::Display) -> Self {
        self.push(Inline::Plain(text.to_string()))
    }

    /// Appends bold text.
    pub fn bold(self, text: impl fmt::Display) -> Self {
        self.push(Inline::Bold(text.to_string()))
    }

    /// Appends italic text.
    pub fn italic(self, text: impl fmt::Display) -> Self {
        self.push(Inline::Italic(text.to_string()))
    }

    /// Appends inline code.
    pub fn code(self, text: impl fmt::Display) -> Self {
        self.push(Inline::Code(text.to_string()))
    }

    /// Appends a link.
    pub fn link(self, url: impl Into<String>, text: impl Into<String>) -> Self {
        self.push(Inline::Link { url: url.into(), text: text.into() })
    }

    /// Appends a mention of `user`.
    pub fn mention(self, user: &UserRef) -> Self {
        self.push(Inline::Mention(user.clone()))
    }

    /// Appends a reference to `room`.
    pub fn room(self, room: &Room) -> Self {
        self.push(Inline::Room(room.clone()))
    }

    /// Appends an emoji by short name, followed by a space.
    pub fn emoji(self, name: &str) -> Self {
        self.push(Inline::Emoji(name.to_owned())).plain(" ")
    }

    /// Appends every node of `other`.
    pub fn append(mut self, other: RichText) -> Self {
        self.0.extend(other.0);
        self
    }
}

impl From<&str> for RichText {
    fn from(text: &str) -> Self {
        Self::new().plain(text)
    }
}

impl From<String> for RichText {
    fn from(text: String) -> Self {
        Self(vec![Inline::Plain(text)])
    }
}

impl From<Inline> for RichText {
    fn from(inline: Inline) -> Self {
        Self(vec![inline])
    }
}

/// The plain text a reader sees (logs, plain-text channels).
impl fmt::Display for RichText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|inline| f.write_str(&inline.plain_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_keep_order_and_plain_text_drops_formatting() {
        let room = Room { id: crate::domain::RoomId::new("C1"), name: "incident_x".into(), url: "https://r".into() };
        let user = UserRef::parse("U1").unwrap();
        let text = RichText::new().emoji("eyes").bold("Lead").plain(": ").mention(&user).plain(" in ").room(&room);
        assert_eq!(text.inlines().len(), 7);
        assert_eq!(text.to_string(), "👀 Lead: @U1 in #incident_x");
        assert!(RichText::new().plain("  ").is_blank());
        assert!(!text.is_blank());
    }
}
