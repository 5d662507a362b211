//! Neutral messages and forms as Adaptive Cards, neutral rich text as the
//! Markdown subset that card text blocks show.
//!
//! Text people typed is always escaped: Markdown punctuation gets a
//! backslash, `&`, `<` and `>` become entities, so a summary reading
//! `<at>boss</at> **now**` shows exactly that and mentions or bolds nobody.
//! Mentions SIMA makes are `<at>Name</at>` with a matching `mention` entity
//! in the card's `msteams.entities`, which Teams needs to notify the person;
//! the name comes from [`Names`] (looked up before sending), else the id is
//! shown.
//!
//! Buttons in channel messages are `Action.Submit` marked `task/fetch`, so a
//! press arrives as an invoke SIMA answers in a dialog only the presser sees;
//! inside a dialog they are plain `Action.Submit` (Teams sends `task/submit`).

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};
use sima_core::domain::UserRef;
use sima_core::model::{
    emoji_char, Action, ActionStyle, Block, Field, Form, Inline, Input, InputKind, Message, RichText,
};

/// The attachment content type of an Adaptive Card.
pub const ADAPTIVE_CARD: &str = "application/vnd.microsoft.card.adaptive";
/// The Adaptive Card schema version used (Teams supports up to 1.5).
pub const CARD_VERSION: &str = "1.5";
/// The `data` key of a button that carries its `ActionId`.
pub const ACTION_KEY: &str = "sima_action";
/// The `data` key of a button that carries its value (the incident id).
pub const VALUE_KEY: &str = "sima_value";
/// The `data` key of a form's submit button that carries its `FormId`.
pub const FORM_KEY: &str = "sima_form";
/// The `data` key of a form's submit button that carries its metadata.
pub const METADATA_KEY: &str = "sima_metadata";
/// The `data` key of a dialog's submit button that names the dialog.
pub const DIALOG_KEY: &str = "sima_dialog";
/// The longest notification summary of an activity.
const MAX_SUMMARY: usize = 200;

/// How a mentioned person is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mentioned {
    /// A person, mentioned by their display name.
    Named(String),
    /// A person whose name is not known: mentioned, showing their id.
    Unnamed,
    /// An id that is no Teams user (an API caller's label): plain text, no mention.
    NotAPerson,
}

/// How to show each person a message mentions; people missing are [`Mentioned::Unnamed`].
pub type Names = HashMap<UserRef, Mentioned>;

/// Escapes text people typed for a card text block: shown as typed, never
/// interpreted as Markdown, HTML or a mention.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '~' | '#' | '|' | '{' | '}' | '!' => {
                out.push('\\');
                out.push(c);
            }
            // List markers only mean something at the start of a line.
            '-' | '+' if line_start => {
                out.push('\\');
                out.push(c);
            }
            '0'..='9' if line_start => {
                out.push(c);
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    out.push(d);
                }
                if chars.next_if_eq(&'.').is_some() {
                    out.push_str("\\.");
                }
            }
            _ => out.push(c),
        }
        line_start = c == '\n' || c == '\r' || (line_start && c == ' ');
    }
    out
}

/// A link target safe inside `(…)`, or `None` for schemes a card must not open.
fn link_target(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Escapes a display name for the inside of `<at>…</at>`: shown as it is.
fn name_text(name: &str) -> String {
    name.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// One person a card mentions: who, and the text between `<at>` and `</at>`.
struct Mention {
    user: UserRef,
    shown: String,
    name: String,
}

/// Renders one message or form, collecting the people it mentions.
#[derive(Default)]
struct Renderer<'a> {
    names: Option<&'a Names>,
    /// Buttons go in a dialog: plain `Action.Submit`, no `task/fetch`.
    in_dialog: bool,
    mentions: Vec<Mention>,
    separate_next: bool,
}

impl Renderer<'_> {
    fn rich(&mut self, text: &RichText) -> String {
        text.inlines().iter().map(|inline| self.inline(inline)).collect()
    }

    fn mention(&mut self, user: &UserRef) -> String {
        let name = match self.names.and_then(|names| names.get(user)) {
            Some(Mentioned::NotAPerson) => return escape(&format!("@{user}")),
            Some(Mentioned::Named(name)) => name.clone(),
            Some(Mentioned::Unnamed) | None => user.as_str().to_owned(),
        };
        let shown = name_text(&name);
        let text = format!("<at>{shown}</at>");
        if !self.mentions.iter().any(|m| m.user == *user) {
            self.mentions.push(Mention { user: user.clone(), shown, name });
        }
        text
    }

    fn inline(&mut self, inline: &Inline) -> String {
        match inline {
            Inline::Plain(t) => escape(t),
            Inline::Bold(t) if t.trim().is_empty() => escape(t),
            Inline::Bold(t) => format!("**{}**", escape(t)),
            Inline::Italic(t) if t.trim().is_empty() => escape(t),
            Inline::Italic(t) => format!("_{}_", escape(t)),
            // Card text has no code spans; commands read well as bold.
            Inline::Code(t) if t.trim().is_empty() => escape(t),
            Inline::Code(t) => format!("**{}**", escape(t)),
            Inline::Link { url, text } => {
                let shown = if text.is_empty() { url } else { text };
                match link_target(url) {
                    Some(target) => format!("[{}]({target})", escape(shown)),
                    None => escape(shown),
                }
            }
            Inline::Mention(user) => self.mention(user),
            Inline::Room(room) => {
                let shown = escape(&format!("#{}", room.name));
                match link_target(&room.url) {
                    Some(target) => format!("[{shown}]({target})"),
                    None => shown,
                }
            }
            Inline::Emoji(name) => emoji_char(name).unwrap_or_default().to_owned(),
        }
    }

    /// Adds `element` to `body`, with a separator line above it after a divider.
    fn push(&mut self, body: &mut Vec<Value>, mut element: Value) {
        if std::mem::take(&mut self.separate_next) {
            element["separator"] = json!(true);
        }
        body.push(element);
    }

    fn block(&mut self, body: &mut Vec<Value>, block: &Block) {
        let element = match block {
            Block::Header { text } => {
                json!({ "type": "TextBlock", "text": self.rich(text), "size": "Large", "weight": "Bolder", "wrap": true })
            }
            Block::Text { text } => json!({ "type": "TextBlock", "text": self.rich(text), "wrap": true }),
            Block::Fields { fields } => {
                let facts: Vec<Value> = fields.iter().map(|f| self.fact(f)).collect();
                json!({ "type": "FactSet", "facts": facts })
            }
            Block::Bullets { items } => {
                let lines: Vec<String> = items.iter().map(|item| format!("- {}", self.rich(item))).collect();
                json!({ "type": "TextBlock", "text": lines.join("\r"), "wrap": true })
            }
            Block::Actions { actions } => {
                let actions: Vec<Value> = actions.iter().map(|a| button(a, self.in_dialog)).collect();
                json!({ "type": "ActionSet", "actions": actions })
            }
            Block::Context { text } => {
                json!({ "type": "TextBlock", "text": self.rich(text), "isSubtle": true, "size": "Small", "wrap": true })
            }
            Block::Divider => {
                self.separate_next = true;
                return;
            }
        };
        self.push(body, element);
    }

    fn fact(&mut self, field: &Field) -> Value {
        json!({ "title": escape(&field.label), "value": self.rich(&field.value) })
    }

    fn card(self, body: Vec<Value>, actions: Vec<Value>) -> Value {
        let entities: Vec<Value> = self
            .mentions
            .iter()
            .map(|m| {
                json!({
                    "type": "mention",
                    "text": format!("<at>{}</at>", m.shown),
                    "mentioned": { "id": m.user.as_str(), "name": m.name },
                })
            })
            .collect();
        json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION,
            "body": body,
            "actions": actions,
            "msteams": { "width": "Full", "entities": entities },
        })
    }
}

/// A button as an `Action.Submit` whose `data` carries its `ActionId` and
/// value; outside a dialog, marked `task/fetch` so that its answer opens in a
/// dialog.
fn button(action: &Action, in_dialog: bool) -> Value {
    let mut data = Map::new();
    if !in_dialog {
        data.insert("msteams".to_owned(), json!({ "type": "task/fetch" }));
    }
    data.insert(ACTION_KEY.to_owned(), json!(action.id.as_str()));
    if let Some(value) = &action.value {
        data.insert(VALUE_KEY.to_owned(), json!(value));
    }
    let mut button = json!({ "type": "Action.Submit", "title": action.label, "data": data });
    match action.style {
        ActionStyle::Primary => button["style"] = json!("positive"),
        ActionStyle::Danger => button["style"] = json!("destructive"),
        ActionStyle::Default => {}
    }
    button
}

/// Rich text as card Markdown (mentions as `<at>id</at>`, without their entities).
pub fn rich_text(text: &RichText) -> String {
    Renderer::default().rich(text)
}

/// A message as an Adaptive Card: header, fields as a fact set, bullets,
/// context, dividers as separators, buttons as `Action.Submit`; mentions
/// show ids.
pub fn message_card(message: &Message) -> Value {
    render_message(message, Renderer::default())
}

/// [`message_card`], mentions showing the names in `names`.
pub fn message_card_with_names(message: &Message, names: &Names) -> Value {
    render_message(message, Renderer { names: Some(names), ..Renderer::default() })
}

/// [`message_card_with_names`] for the inside of a dialog (its buttons send `task/submit`).
pub fn dialog_message_card(message: &Message, names: &Names) -> Value {
    render_message(message, Renderer { names: Some(names), in_dialog: true, ..Renderer::default() })
}

/// The people `message` mentions, in order.
pub fn mentioned(message: &Message) -> Vec<UserRef> {
    let mut renderer = Renderer::default();
    let _ = render_body(message, &mut renderer);
    renderer.mentions.into_iter().map(|m| m.user).collect()
}

fn render_body(message: &Message, renderer: &mut Renderer<'_>) -> Vec<Value> {
    let mut body = Vec::new();
    if message.blocks.is_empty() {
        let text = json!({ "type": "TextBlock", "text": renderer.rich(&message.text), "wrap": true });
        renderer.push(&mut body, text);
    }
    for block in &message.blocks {
        renderer.block(&mut body, block);
    }
    body
}

fn render_message(message: &Message, mut renderer: Renderer<'_>) -> Value {
    let body = render_body(message, &mut renderer);
    renderer.card(body, Vec::new())
}

/// The plain-text notification summary of a message.
pub fn summary(message: &Message) -> String {
    let text = message.text.to_string();
    match text.char_indices().nth(MAX_SUMMARY) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// A form as an Adaptive Card with inputs; its submit button's `data`
/// carries the `FormId` and metadata.
pub fn form_card(form: &Form) -> Value {
    render_form(form, None, &BTreeMap::new(), &BTreeMap::new())
}

/// A form in a dialog: [`form_card`] whose submit also names the dialog
/// (`sima_dialog`), with `values` filled in and each of `errors` shown in red
/// under its input (by input id), to fix and send again.
pub fn dialog_card(
    form: &Form,
    dialog: &str,
    errors: &BTreeMap<String, String>,
    values: &BTreeMap<String, String>,
) -> Value {
    render_form(form, Some(dialog), errors, values)
}

fn render_form(
    form: &Form,
    dialog: Option<&str>,
    errors: &BTreeMap<String, String>,
    values: &BTreeMap<String, String>,
) -> Value {
    let mut renderer = Renderer::default();
    let mut body = Vec::new();
    let title =
        json!({ "type": "TextBlock", "text": escape(&form.title), "size": "Medium", "weight": "Bolder", "wrap": true });
    renderer.push(&mut body, title);
    let known: Vec<&str> = form.inputs.iter().map(|i| i.id.as_str()).collect();
    for (input, error) in errors.iter().filter(|(input, _)| !known.contains(&input.as_str())) {
        let shown = format!("{}: {}", escape(input), escape(error));
        renderer.push(&mut body, json!({ "type": "TextBlock", "text": shown, "color": "Attention", "wrap": true }));
    }
    for input in &form.inputs {
        let mut element = input_element(input);
        if let Some(value) = values.get(&input.id) {
            element["value"] = json!(value);
        }
        renderer.push(&mut body, element);
        if let Some(error) = errors.get(&input.id) {
            let error = json!({ "type": "TextBlock", "text": escape(error), "color": "Attention", "size": "Small", "wrap": true, "spacing": "None" });
            renderer.push(&mut body, error);
        }
        if let Some(hint) = &input.hint {
            let hint = json!({ "type": "TextBlock", "text": escape(hint), "isSubtle": true, "size": "Small", "wrap": true, "spacing": "None" });
            renderer.push(&mut body, hint);
        }
    }
    let mut data = Map::new();
    data.insert(FORM_KEY.to_owned(), json!(form.id.as_str()));
    if let Some(metadata) = &form.metadata {
        data.insert(METADATA_KEY.to_owned(), json!(metadata));
    }
    if let Some(dialog) = dialog {
        data.insert(DIALOG_KEY.to_owned(), json!(dialog));
    }
    let submit = json!({ "type": "Action.Submit", "title": form.submit, "style": "positive", "data": data });
    renderer.card(body, vec![submit])
}

fn input_element(input: &Input) -> Value {
    let mut element = match &input.kind {
        InputKind::Text { multiline, max_length, placeholder } => {
            let mut text = json!({ "type": "Input.Text", "isMultiline": multiline });
            if let Some(max) = max_length {
                text["maxLength"] = json!(max);
            }
            if let Some(placeholder) = placeholder {
                text["placeholder"] = json!(placeholder);
            }
            text
        }
        InputKind::Select { options } | InputKind::ReshapingSelect { options } => {
            let choices: Vec<Value> = options.iter().map(|o| json!({ "title": o.label, "value": o.value })).collect();
            json!({ "type": "Input.ChoiceSet", "style": "compact", "choices": choices })
        }
        InputKind::MultiSelect { options } => {
            // Adaptive Cards submit the chosen values joined by commas, as the core reads them.
            let choices: Vec<Value> = options.iter().map(|o| json!({ "title": o.label, "value": o.value })).collect();
            json!({ "type": "Input.ChoiceSet", "style": "compact", "isMultiSelect": true, "choices": choices })
        }
        InputKind::User => json!({ "type": "Input.Text", "placeholder": "A user's id or @mention" }),
        InputKind::Number { min } => {
            let mut number = json!({ "type": "Input.Number" });
            if let Some(min) = min {
                number["min"] = json!(min);
            }
            number
        }
        InputKind::Checkbox { text } => {
            json!({ "type": "Input.Toggle", "title": text, "valueOn": "true", "valueOff": "false", "value": "false" })
        }
    };
    element["id"] = json!(input.id);
    element["label"] = json!(input.label);
    element["isRequired"] = json!(!input.optional);
    if let Some(initial) = &input.initial {
        element["value"] = json!(initial);
    }
    element
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markdown_html_and_list_markers() {
        assert_eq!(escape("a & b"), "a &amp; b");
        assert_eq!(escape("<at>x</at>"), "&lt;at&gt;x&lt;/at&gt;");
        assert_eq!(escape("**x** [y](z)"), "\\*\\*x\\*\\* \\[y\\]\\(z\\)");
        assert_eq!(escape("- item\n12. next"), "\\- item\n12\\. next");
        assert_eq!(escape("well-known 3.5"), "well-known 3.5");
    }

    #[test]
    fn unsafe_links_are_shown_not_linked() {
        let text = RichText::new().link("javascript:alert(1)", "click").link("https://a.example/x y", "ok");
        assert_eq!(rich_text(&text), "click[ok](https://a.example/x%20y)");
    }
}
