//! Bot Framework activities to the core's neutral inbound events.
//!
//! - a `message` with text is a command: the bot's own `<at>…</at>` mention
//!   is removed, then a leading command word (`incident`) if present; other
//!   people's mentions become `@id`. Text not addressed to the bot (no
//!   mention of it, outside a personal chat) is ignored;
//! - a `message` with a `value` and no text is an Adaptive Card
//!   `Action.Submit`: a form submission when its data names a form
//!   (`sima_form`), else a button press (`sima_action`);
//! - an `invoke` is a card action Teams waits an answer for, in the HTTP
//!   response: `task/fetch` (a button asking for a dialog) and `task/submit`
//!   (a dialog sent) carry the same data as an `Action.Submit`, and so does
//!   `adaptiveCard/action` (a Universal Action, `Action.Execute`);
//! - a `conversationUpdate` with `membersAdded` is one join per person, the
//!   bot itself left out.
//!
//! A press of a SIMA button this version no longer knows is flagged
//! ([`TeamsActivity::stale_button`]), so that it is answered, not dropped.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};
use sima_core::chat::Inbound;
use sima_core::domain::{RoomId, UserRef};
use sima_core::model::{ActionId, FormId};
use thiserror::Error;

use crate::refs::form_trigger;
use crate::render::{ACTION_KEY, DIALOG_KEY, FORM_KEY, METADATA_KEY, VALUE_KEY};

/// Why an activity could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The body is not a Bot Framework activity.
    #[error("not a Bot Framework activity: {0}")]
    Json(String),
    /// The sender's id is not a user id SIMA accepts.
    #[error("unusable sender id {0:?}")]
    User(String),
}

/// A channel account (`from`, `recipient`, `membersAdded`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Account {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    aad_object_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConversationAccount {
    #[serde(default)]
    id: String,
    #[serde(default)]
    conversation_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Entity {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    mentioned: Option<Account>,
}

/// The fields of an activity SIMA reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Activity {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    service_url: Option<String>,
    #[serde(default)]
    from: Account,
    #[serde(default)]
    recipient: Account,
    #[serde(default)]
    conversation: ConversationAccount,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    value: Option<Value>,
    #[serde(default)]
    entities: Vec<Entity>,
    #[serde(default)]
    channel_data: Option<Value>,
    #[serde(default)]
    members_added: Vec<Account>,
}

/// An invoke: a card action Teams waits to be answered in the HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invoke {
    /// `task/fetch`: a button asks for a dialog.
    TaskFetch,
    /// `task/submit`: a dialog was sent; the id of the dialog SIMA opened, if any.
    TaskSubmit {
        /// The `sima_dialog` its submit button carried.
        dialog: Option<String>,
    },
    /// `adaptiveCard/action`: a Universal Action (`Action.Execute`).
    CardAction,
    /// Another invoke, which SIMA does not answer.
    Other(String),
}

/// One authenticated activity, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamsActivity {
    /// The activity id (with the conversation, the idempotency key).
    pub id: String,
    /// The channel it happened in (or the chat, outside channels).
    pub room: RoomId,
    /// The conversation (thread) to answer in.
    pub conversation: String,
    /// What people did, for the core.
    pub events: Vec<Inbound>,
    /// The invoke this activity is, when Teams waits for its answer.
    pub invoke: Option<Invoke>,
    /// The Connector URL the activity names; checked, never called.
    pub service_url: Option<String>,
    /// The people it names (who sent it, who joined) with the display names Teams gave them.
    pub people: Vec<(UserRef, String)>,
    /// A press of a SIMA button (or form) this version does not know.
    pub stale_button: bool,
}

/// Reads an activity; `command` is the optional leading command word.
///
/// # Errors
/// [`ParseError`] for bodies that are not activities or name unusable senders.
pub fn parse_activity(body: &[u8], command: &str) -> Result<TeamsActivity, ParseError> {
    let activity: Activity = serde_json::from_slice(body).map_err(|e| ParseError::Json(e.to_string()))?;
    let room = room_of(&activity);
    let mut read = TeamsActivity {
        id: activity.id.clone(),
        room: room.clone(),
        conversation: activity.conversation.id.clone(),
        events: Vec::new(),
        invoke: None,
        service_url: activity.service_url.clone(),
        people: std::iter::once(&activity.from).chain(&activity.members_added).filter_map(named).collect(),
        stale_button: false,
    };
    match activity.kind.as_str() {
        "message" => read.events = message_events(&activity, &room, command, &mut read.stale_button)?,
        "invoke" => {
            let (invoke, data) = invoke_of(&activity);
            let dialog =
                matches!(invoke, Invoke::TaskFetch | Invoke::TaskSubmit { .. }).then_some(activity.id.as_str());
            if let Some(data) = data {
                read.events = submitted(&activity, data, &room, dialog, &mut read.stale_button)?.into_iter().collect();
            }
            read.invoke = Some(invoke);
        }
        "conversationUpdate" => {
            read.events = activity
                .members_added
                .iter()
                .filter(|m| m.id != activity.recipient.id)
                .filter_map(|m| user_of(m).ok())
                .map(|user| Inbound::Joined { room: room.clone(), user })
                .collect();
        }
        _ => {}
    }
    Ok(read)
}

/// Which invoke `activity` is, and the card data it carries.
fn invoke_of(activity: &Activity) -> (Invoke, Option<&Map<String, Value>>) {
    let value = activity.value.as_ref();
    let data = |pointer: &str| value.and_then(|v| v.pointer(pointer)).and_then(Value::as_object);
    match activity.name.as_deref().unwrap_or_default() {
        "task/fetch" => (Invoke::TaskFetch, data("/data")),
        "task/submit" => {
            let data = data("/data");
            let dialog = data.and_then(|d| d.get(DIALOG_KEY)).and_then(Value::as_str).map(str::to_owned);
            (Invoke::TaskSubmit { dialog }, data)
        }
        "adaptiveCard/action" => (Invoke::CardAction, data("/action/data")),
        other => (Invoke::Other(other.to_owned()), None),
    }
}

/// The channel of the activity: `channelData.channel.id`, else the
/// conversation without its thread part.
fn room_of(activity: &Activity) -> RoomId {
    let channel = activity.channel_data.as_ref().and_then(|d| d.pointer("/channel/id")).and_then(Value::as_str);
    let id = channel.unwrap_or_else(|| {
        let id = activity.conversation.id.as_str();
        id.split_once(";messageid=").map_or(id, |(channel, _)| channel)
    });
    RoomId::new(id)
}

/// A person and the display name Teams gave them, when it gave one.
fn named(account: &Account) -> Option<(UserRef, String)> {
    let name = account.name.as_deref().map(str::trim).filter(|n| !n.is_empty())?;
    Some((user_of(account).ok()?, name.to_owned()))
}

/// A person's id: their Entra object id when Teams gives it (short, stable,
/// what Graph uses), else their Teams id.
fn user_of(account: &Account) -> Result<UserRef, ParseError> {
    let id = account.aad_object_id.as_deref().filter(|id| !id.is_empty()).unwrap_or(&account.id);
    UserRef::parse(id).map_err(|_| ParseError::User(id.to_owned()))
}

fn message_events(
    activity: &Activity,
    room: &RoomId,
    command: &str,
    stale: &mut bool,
) -> Result<Vec<Inbound>, ParseError> {
    let text = activity.text.as_deref().unwrap_or_default();
    if text.trim().is_empty() {
        return match activity.value.as_ref().and_then(Value::as_object) {
            Some(data) => submitted(activity, data, room, None, stale).map(|e| e.into_iter().collect()),
            None => Ok(Vec::new()),
        };
    }
    let user = user_of(&activity.from)?;
    let (text, addressed) = command_text(activity, text);
    let personal = activity.conversation.conversation_type.as_deref() == Some("personal");
    let text = match strip_word(&text, command) {
        Some(rest) => rest.to_owned(),
        None if addressed || personal => text,
        None => return Ok(Vec::new()),
    };
    let trigger = form_trigger(room, &activity.conversation.id, None, None);
    Ok(vec![Inbound::Command { room: room.clone(), user, text, trigger }])
}

/// The data of one of SIMA's card actions (`Action.Submit`, a dialog's
/// submit, `Action.Execute`); forms it opens answer the invoke `dialog` when
/// given, else go to the thread. Data of other cards carries no event; data
/// naming a button or form SIMA does not know sets `stale`.
fn submitted(
    activity: &Activity,
    data: &Map<String, Value>,
    room: &RoomId,
    dialog: Option<&str>,
    stale: &mut bool,
) -> Result<Option<Inbound>, ParseError> {
    let text = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_owned);
    let user = user_of(&activity.from)?;
    if let Some(form) = text(FORM_KEY) {
        let Some(form) = FormId::parse(&form) else {
            *stale = true;
            return Ok(None);
        };
        let values: BTreeMap<String, String> = data
            .iter()
            .filter(|(key, _)| !key.starts_with("sima_") && key.as_str() != "msteams")
            .filter_map(|(key, value)| match value {
                Value::String(s) if !s.trim().is_empty() => Some((key.clone(), s.clone())),
                Value::Number(n) => Some((key.clone(), n.to_string())),
                _ => None,
            })
            .collect();
        return Ok(Some(Inbound::FormSubmitted { form, values, metadata: text(METADATA_KEY), user }));
    }
    let Some(action) = text(ACTION_KEY) else { return Ok(None) };
    let Some(action) = ActionId::parse(&action) else {
        *stale = true;
        return Ok(None);
    };
    Ok(Some(Inbound::ButtonPressed {
        action,
        value: text(VALUE_KEY),
        room: Some(room.clone()),
        user,
        trigger: form_trigger(room, &activity.conversation.id, None, dialog),
    }))
}

/// The text without the bot's mention, other mentions as `@id`, tags and
/// entities decoded; and whether the bot was mentioned.
fn command_text(activity: &Activity, text: &str) -> (String, bool) {
    let mut text = text.to_owned();
    let mut addressed = false;
    for entity in activity.entities.iter().filter(|e| e.kind == "mention") {
        let (Some(shown), Some(mentioned)) = (&entity.text, &entity.mentioned) else { continue };
        if mentioned.id == activity.recipient.id {
            addressed |= text.contains(shown.as_str());
            text = text.replacen(shown.as_str(), " ", 1);
        } else if let Ok(user) = user_of(mentioned) {
            text = text.replace(shown.as_str(), &format!("@{user}"));
        }
    }
    (decode_html(&strip_tags(&text)).split_whitespace().collect::<Vec<_>>().join(" "), addressed)
}

/// `rest` if `text` starts with the word `word` (any case), else `None`.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    let rest = text.get(word.len()..)?;
    (head.eq_ignore_ascii_case(word) && (rest.is_empty() || rest.starts_with(' '))).then(|| rest.trim())
}

/// Removes HTML tags Teams wraps text in (`<p>`, `<div>`).
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Decodes the entities Teams uses in message text.
fn decode_html(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_words_are_whole_words() {
        assert_eq!(strip_word("incident status monitoring", "incident"), Some("status monitoring"));
        assert_eq!(strip_word("Incident", "incident"), Some(""));
        assert_eq!(strip_word("incidents", "incident"), None);
        assert_eq!(strip_word("inc", "incident"), None);
    }

    #[test]
    fn tags_are_dropped_and_entities_decoded() {
        assert_eq!(decode_html(&strip_tags("<p>a &amp; b &lt;c&gt;</p>")).trim(), "a & b <c>");
    }
}
