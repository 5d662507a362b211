//! The Block Kit objects a message is made of, as typed values that
//! serialize straight to Slack's JSON: rendering an answer builds these and
//! writes them out once, with no intermediate JSON tree.

use serde::Serialize;

/// A text object: `plain_text` (shown literally, emoji rendered) or
/// `mrkdwn` (already escaped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Text {
    /// `{"type":"plain_text","text":…,"emoji":true}`.
    PlainText {
        /// The text, shown as is.
        text: String,
        /// Always `true`: `:name:` codes are shown as emoji.
        emoji: bool,
    },
    /// `{"type":"mrkdwn","text":…}`.
    Mrkdwn {
        /// Rendered, escaped mrkdwn.
        text: String,
    },
}

/// One block of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KitBlock {
    /// A header: one line of plain text.
    Header {
        /// Its text (`plain_text`).
        text: Text,
    },
    /// A section of mrkdwn text.
    #[serde(rename = "section")]
    Section {
        /// Its text.
        text: Text,
    },
    /// A section of labelled fields, shown in two columns.
    #[serde(rename = "section")]
    Fields {
        /// At most ten fields.
        fields: Vec<Text>,
    },
    /// A row of buttons.
    Actions {
        /// At most 25 buttons, each with its own `action_id`.
        elements: Vec<Button>,
    },
    /// Small print.
    Context {
        /// Its text objects.
        elements: Vec<Text>,
    },
    /// A horizontal rule.
    Divider,
}

/// A button of an actions block (`"type": "button"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename = "button")]
pub struct Button {
    /// Its label (`plain_text`).
    pub text: Text,
    /// What a press is reported as.
    pub action_id: &'static str,
    /// The value sent back with a press.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `primary` or `danger`; none for the default look.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<&'static str>,
}

/// The body of a message answer: a slash command's response, or a
/// `response_url` post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageBody {
    /// `ephemeral` (only the person who asked sees it) or `in_channel`.
    pub response_type: &'static str,
    /// The fallback text, for notifications and clients without blocks.
    pub text: String,
    /// The message's blocks.
    pub blocks: Vec<KitBlock>,
    /// `false` for a `response_url` post, so the message pressed stays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_original: Option<bool>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn blocks_serialize_as_block_kit() {
        let fields = KitBlock::Fields { fields: vec![Text::Mrkdwn { text: "*Severity*\nsev2".into() }] };
        assert_eq!(
            json!(fields),
            json!({ "type": "section", "fields": [{ "type": "mrkdwn", "text": "*Severity*\nsev2" }] })
        );
        let button = Button {
            text: Text::PlainText { text: "Acknowledge".into(), emoji: true },
            action_id: "acknowledge",
            value: None,
            style: None,
        };
        assert_eq!(
            json!(KitBlock::Actions { elements: vec![button] }),
            json!({ "type": "actions", "elements": [{
                "type": "button",
                "text": { "type": "plain_text", "text": "Acknowledge", "emoji": true },
                "action_id": "acknowledge",
            }] })
        );
        assert_eq!(json!(KitBlock::Divider), json!({ "type": "divider" }));
    }
}
