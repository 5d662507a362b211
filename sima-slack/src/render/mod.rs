//! Neutral `Message`s and `Form`s rendered as Slack Block Kit, within Slack's
//! limits: text that is too long is cut with `…`, lists that are too long are
//! split across blocks, and a message never has more than 50 blocks.
//!
//! Rich text becomes mrkdwn wherever Slack reads mrkdwn (section text and
//! fields, context elements, the fallback `text` of a message), and there
//! every piece of text is escaped (`&`, `<`, `>`), so `<!channel>` typed in a
//! summary is shown, never sent as a ping, and `<https://evil|Join>` shows as
//! typed rather than as a disguised link. Mentions, room references, links
//! and emoji come only from their own nodes. Headers, buttons, modal titles,
//! labels, hints and options are `plain_text` objects, which Slack shows
//! literally: they are not escaped.

use serde_json::{json, Map, Value};
use sima_core::model::{Action, ActionStyle, Block, Choice, Field, Form, Input, InputKind, Message};

pub use kit::{Button, KitBlock, MessageBody, Text};
pub use text::{escape, to_mrkdwn, to_plain, truncate, truncate_mrkdwn};

use text::{emphasis_into, slack_id};

mod kit;
mod text;

/// Slack's documented Block Kit limits.
pub mod limits {
    /// Blocks in one message.
    pub const MESSAGE_BLOCKS: usize = 50;
    /// Blocks in one modal.
    pub const MODAL_BLOCKS: usize = 100;
    /// Text of a section or context element.
    pub const SECTION_TEXT: usize = 3000;
    /// Text of one section field.
    pub const FIELD_TEXT: usize = 2000;
    /// Fields in one section.
    pub const SECTION_FIELDS: usize = 10;
    /// Text of a header.
    pub const HEADER_TEXT: usize = 150;
    /// Text of a button.
    pub const BUTTON_TEXT: usize = 75;
    /// A button's value.
    pub const BUTTON_VALUE: usize = 2000;
    /// Elements in one actions block.
    pub const ACTIONS_ELEMENTS: usize = 25;
    /// A modal's title, submit and close labels.
    pub const MODAL_TITLE: usize = 24;
    /// A modal's `private_metadata`.
    pub const PRIVATE_METADATA: usize = 3000;
    /// An input's label and hint.
    pub const INPUT_LABEL: usize = 2000;
    /// A placeholder.
    pub const PLACEHOLDER: usize = 150;
    /// Options of a static select.
    pub const SELECT_OPTIONS: usize = 100;
    /// An option's text.
    pub const OPTION_TEXT: usize = 75;
    /// An option's value.
    pub const OPTION_VALUE: usize = 150;
    /// A plain-text input's `max_length`.
    pub const INPUT_MAX_LENGTH: u32 = 3000;
    /// The fallback `text` of a message (Slack truncates at 40 000; stay well below).
    pub const FALLBACK_TEXT: usize = 3000;
}

/// A `plain_text` object, cut to `max` characters.
fn plain_text(text: impl Into<String>, max: usize) -> Text {
    Text::PlainText { text: text::cut(text.into(), max), emoji: true }
}

/// A `plain_text` object as JSON, for modals.
fn plain(text: &str, max: usize) -> Value {
    json!(plain_text(text, max))
}

/// A mrkdwn text object of already rendered (escaped) text.
fn mrkdwn(text: String, max: usize) -> Text {
    Text::Mrkdwn { text: text::cut_mrkdwn(text, max) }
}

/// The fallback `text` sent with the blocks, as escaped mrkdwn: the message's
/// own text, else its first header or paragraph.
pub fn fallback_text(message: &Message) -> String {
    let text = if message.text.is_blank() {
        message
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Header { text } | Block::Text { text } if !text.is_blank() => Some(to_mrkdwn(text)),
                _ => None,
            })
            .unwrap_or_else(|| "SIMA".to_owned())
    } else {
        to_mrkdwn(&message.text)
    };
    text::cut_mrkdwn(text, limits::FALLBACK_TEXT)
}

/// The Block Kit `blocks` of a message (at most 50), typed.
pub fn blocks(message: &Message) -> Vec<KitBlock> {
    let mut blocks: Vec<KitBlock> = message.blocks.iter().flat_map(render_block).collect();
    if blocks.len() > limits::MESSAGE_BLOCKS {
        let dropped = blocks.len() - (limits::MESSAGE_BLOCKS - 1);
        blocks.truncate(limits::MESSAGE_BLOCKS - 1);
        let note = mrkdwn(format!("_{dropped} more blocks not shown_"), limits::SECTION_TEXT);
        blocks.push(KitBlock::Context { elements: vec![note] });
    }
    blocks
}

/// The Block Kit `blocks` array of a message (at most 50 blocks), as JSON.
pub fn message_blocks(message: &Message) -> Value {
    json!(blocks(message))
}

/// A message as the body of a slash command answer (`response_type` is
/// `ephemeral` or `in_channel`).
pub fn message_body(response_type: &'static str, message: &Message) -> MessageBody {
    MessageBody { response_type, text: fallback_text(message), blocks: blocks(message), replace_original: None }
}

fn render_block(block: &Block) -> Vec<KitBlock> {
    match block {
        Block::Header { text } if text.is_blank() => vec![],
        Block::Header { text } => {
            vec![KitBlock::Header { text: plain_text(to_plain(text), limits::HEADER_TEXT) }]
        }
        Block::Text { text } if text.is_blank() => vec![],
        Block::Text { text } => vec![section(to_mrkdwn(text))],
        Block::Fields { fields } => fields.chunks(limits::SECTION_FIELDS).map(fields_section).collect(),
        Block::Bullets { items } if items.is_empty() => vec![],
        Block::Bullets { items } => {
            let mut text = String::new();
            for (n, item) in items.iter().enumerate() {
                text.push_str(if n == 0 { "• " } else { "\n• " });
                text::mrkdwn_into(&mut text, item);
            }
            vec![section(text)]
        }
        Block::Actions { actions } => actions.chunks(limits::ACTIONS_ELEMENTS).map(actions_block).collect(),
        Block::Context { text } if text.is_blank() => vec![],
        Block::Context { text } => {
            vec![KitBlock::Context { elements: vec![mrkdwn(to_mrkdwn(text), limits::SECTION_TEXT)] }]
        }
        Block::Divider => vec![KitBlock::Divider],
    }
}

fn section(markdown: String) -> KitBlock {
    KitBlock::Section { text: mrkdwn(markdown, limits::SECTION_TEXT) }
}

fn fields_section(fields: &[Field]) -> KitBlock {
    let fields = fields
        .iter()
        .map(|f| {
            let mut text = String::new();
            emphasis_into(&mut text, '*', &f.label);
            text.push('\n');
            if f.value.is_blank() {
                text.push('—');
            } else {
                text::mrkdwn_into(&mut text, &f.value);
            }
            mrkdwn(text, limits::FIELD_TEXT)
        })
        .collect();
    KitBlock::Fields { fields }
}

fn actions_block(actions: &[Action]) -> KitBlock {
    let mut seen = Vec::new();
    let elements = actions
        .iter()
        .filter(|a| {
            // Slack refuses two elements with one action_id in a block.
            let fresh = !seen.contains(&a.id);
            seen.push(a.id);
            fresh
        })
        .map(button)
        .collect();
    KitBlock::Actions { elements }
}

fn button(action: &Action) -> Button {
    Button {
        text: plain_text(action.label.as_str(), limits::BUTTON_TEXT),
        action_id: action.id.as_str(),
        value: action.value.as_deref().map(|value| truncate(value, limits::BUTTON_VALUE)),
        style: match action.style {
            ActionStyle::Default => None,
            ActionStyle::Primary => Some("primary"),
            ActionStyle::Danger => Some("danger"),
        },
    }
}

/// The `view` object of a modal: `callback_id` is the form id, each input's
/// `block_id` and `action_id` are `Input.id`, `private_metadata` is the
/// form's metadata.
pub fn modal_view(form: &Form) -> Value {
    let blocks: Vec<Value> = form.inputs.iter().take(limits::MODAL_BLOCKS).map(input_block).collect();
    let mut view = Map::new();
    view.insert("type".into(), json!("modal"));
    view.insert("callback_id".into(), json!(form.id.as_str()));
    view.insert("title".into(), plain(&form.title, limits::MODAL_TITLE));
    view.insert("submit".into(), plain(&form.submit, limits::MODAL_TITLE));
    view.insert("close".into(), plain("Cancel", limits::MODAL_TITLE));
    if let Some(metadata) = &form.metadata {
        // Cutting metadata would corrupt it; the core keeps it short (an id).
        view.insert(
            "private_metadata".into(),
            json!(metadata.chars().take(limits::PRIVATE_METADATA).collect::<String>()),
        );
    }
    view.insert("blocks".into(), Value::Array(blocks));
    Value::Object(view)
}

fn input_block(input: &Input) -> Value {
    let mut block = Map::new();
    block.insert("type".into(), json!("input"));
    block.insert("block_id".into(), json!(input.id));
    block.insert("label".into(), plain(&input.label, limits::INPUT_LABEL));
    block.insert("optional".into(), json!(input.optional));
    if let Some(hint) = &input.hint {
        block.insert("hint".into(), plain(hint, limits::INPUT_LABEL));
    }
    if matches!(input.kind, InputKind::ReshapingSelect { .. }) {
        // A choice sends `block_actions` at once, so the view can be updated.
        block.insert("dispatch_action".into(), json!(true));
    }
    block.insert("element".into(), element(input));
    Value::Object(block)
}

fn element(input: &Input) -> Value {
    let mut element = Map::new();
    element.insert("action_id".into(), json!(input.id));
    match &input.kind {
        InputKind::Text { multiline, max_length, placeholder } => {
            element.insert("type".into(), json!("plain_text_input"));
            element.insert("multiline".into(), json!(multiline));
            let max = max_length.map(|m| m.min(limits::INPUT_MAX_LENGTH));
            if let Some(max) = max {
                element.insert("max_length".into(), json!(max));
            }
            if let Some(placeholder) = placeholder {
                element.insert("placeholder".into(), plain(placeholder, limits::PLACEHOLDER));
            }
            if let Some(initial) = input.initial.as_deref().filter(|s| !s.is_empty()) {
                let cap = max.unwrap_or(limits::INPUT_MAX_LENGTH) as usize;
                element.insert("initial_value".into(), json!(initial.chars().take(cap).collect::<String>()));
            }
        }
        InputKind::Select { options } | InputKind::ReshapingSelect { options } => {
            element.insert("type".into(), json!("static_select"));
            let options: Vec<&Choice> = options.iter().take(limits::SELECT_OPTIONS).collect();
            if let Some(initial) = input.initial.as_deref() {
                if let Some(choice) = options.iter().find(|c| c.value == initial) {
                    element.insert("initial_option".into(), option(choice));
                }
            }
            element.insert("options".into(), options.into_iter().map(option).collect());
        }
        InputKind::Number { min } => {
            element.insert("type".into(), json!("number_input"));
            element.insert("is_decimal_allowed".into(), json!(false));
            if let Some(min) = min {
                element.insert("min_value".into(), json!(min.to_string()));
            }
            if let Some(initial) = input.initial.as_deref().filter(|s| s.trim().parse::<u64>().is_ok()) {
                element.insert("initial_value".into(), json!(initial.trim()));
            }
        }
        InputKind::Checkbox { text } => {
            // One option whose value `true` comes back in `selected_options` when ticked.
            let only = option(&Choice { value: "true".into(), label: text.clone() });
            element.insert("type".into(), json!("checkboxes"));
            if input.initial.as_deref() == Some("true") {
                element.insert("initial_options".into(), json!([only.clone()]));
            }
            element.insert("options".into(), json!([only]));
        }
        InputKind::MultiSelect { options } => {
            element.insert("type".into(), json!("multi_static_select"));
            let options: Vec<&Choice> = options.iter().take(limits::SELECT_OPTIONS).collect();
            let chosen: Vec<&str> = input.initial.as_deref().unwrap_or_default().split(',').map(str::trim).collect();
            let initial: Vec<Value> =
                options.iter().filter(|c| chosen.contains(&c.value.as_str())).map(|c| option(c)).collect();
            if !initial.is_empty() {
                element.insert("initial_options".into(), Value::Array(initial));
            }
            element.insert("options".into(), options.into_iter().map(option).collect());
        }
        InputKind::User => {
            element.insert("type".into(), json!("users_select"));
            if let Some(user) = input.initial.as_deref().filter(|u| slack_id(u)) {
                element.insert("initial_user".into(), json!(user));
            }
        }
    }
    Value::Object(element)
}

fn option(choice: &Choice) -> Value {
    json!({
        "text": plain(&choice.label, limits::OPTION_TEXT),
        "value": choice.value.chars().take(limits::OPTION_VALUE).collect::<String>(),
    })
}

#[cfg(test)]
mod tests {
    use sima_core::model::RichText;

    use super::*;

    #[test]
    fn truncation_counts_characters_and_marks_the_cut() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo world", 5), "héll…");
        assert_eq!(truncate("ééééééé", 3).chars().count(), 3);
    }

    #[test]
    fn fallback_prefers_text_then_header() {
        let m = Message { text: RichText::new(), blocks: vec![Block::Divider, Block::Header { text: "INC-4".into() }] };
        assert_eq!(fallback_text(&m), "INC-4");
        let m = Message { text: "hello <!here>".into(), blocks: vec![] };
        assert_eq!(fallback_text(&m), "hello &lt;!here&gt;");
    }

    #[test]
    fn user_text_is_escaped_and_nodes_render_as_mrkdwn() {
        let user = sima_core::domain::UserRef::parse("U024BE7LH").unwrap();
        let text = RichText::new()
            .emoji("eyes")
            .bold(" Status ")
            .plain("<!channel> & <https://evil|Join>")
            .code("a<b")
            .link("https://x.test/?a=1&b=2|c", "open <it>")
            .mention(&user);
        assert_eq!(
            to_mrkdwn(&text),
            ":eyes:  *Status* &lt;!channel&gt; &amp; &lt;https://evil|Join&gt;`a&lt;b`\
             <https://x.test/?a=1&amp;b=2%7Cc|open &lt;it&gt;><@U024BE7LH>"
        );
    }

    #[test]
    fn cutting_never_leaves_half_an_entity_or_token() {
        assert_eq!(truncate_mrkdwn("abc &lt;def", 7), "abc …");
        assert_eq!(truncate_mrkdwn("ab <@U024BE7LH> cd", 8), "ab …");
        assert_eq!(truncate_mrkdwn("short", 8), "short");
    }
}
