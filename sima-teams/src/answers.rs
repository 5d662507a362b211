//! SIMA's replies, rendered for Teams.
//!
//! - A message (a typed command, an `Action.Submit` message): the reply is
//!   posted in the activity's thread, through the configured Connector.
//!   Channels have no private messages, so a private reply is posted there too.
//! - A `task/fetch` or `task/submit` invoke (a button, a dialog): the reply is
//!   the invoke's answer, shown in a dialog only the person who acted sees:
//!   an opened form, a message card, the form again with its mistakes shown,
//!   or nothing (the dialog closes).
//! - An `adaptiveCard/action` invoke (`Action.Execute`): the reply is posted
//!   in the thread, and the invoke is answered with a short message.
//!
//! Nothing is dropped in silence: a press of a button SIMA no longer knows,
//! or of a card that is not SIMA's, is answered too.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sima_core::chat::{Inbound, Reply, NOT_RECORDED};
use sima_core::model::{Block, Form, Message, RichText};

use crate::activity::{Invoke, TeamsActivity};
use crate::adapter::TeamsChat;
use crate::render::{dialog_card, dialog_message_card, ADAPTIVE_CARD};

/// The answer to a press of a button this version does not know.
pub(crate) const STALE_BUTTON: &str =
    "This button belongs to an older SIMA card and does nothing any more: use the incident card's buttons, \
     or type @SIMA incident help.";
/// The answer to a dialog or button of a card that is not SIMA's.
const NOT_OURS: &str = "This card is not one of SIMA's: nothing was done.";
/// The title of dialogs that show a message.
const DIALOG_TITLE: &str = "SIMA";

/// Answers `activity` with the core's `replies`, one per event.
pub(crate) async fn answer(chat: &TeamsChat, activity: &TeamsActivity, replies: Vec<Reply>) -> Response {
    match &activity.invoke {
        None => in_thread(chat, activity, replies).await,
        Some(Invoke::TaskFetch | Invoke::TaskSubmit { .. }) => dialog(chat, activity, replies).await,
        Some(Invoke::CardAction) => card_action(chat, activity, replies).await,
        Some(Invoke::Other(name)) => {
            (StatusCode::BAD_REQUEST, format!("SIMA does not answer the invoke {name:?}")).into_response()
        }
    }
}

/// Posts the replies in the activity's thread; 503 (deliver again) when the
/// core asks for it.
async fn in_thread(chat: &TeamsChat, activity: &TeamsActivity, replies: Vec<Reply>) -> Response {
    let (room, conversation) = (&activity.room, activity.conversation.as_str());
    if activity.stale_button {
        chat.answer(room, conversation, &text(STALE_BUTTON)).await;
    }
    let mut retry = false;
    for reply in replies {
        match reply {
            Reply::Private(message) | Reply::InRoom(message) => chat.answer(room, conversation, &message).await,
            Reply::FormErrors(errors) => chat.answer(room, conversation, &form_errors(&errors)).await,
            Reply::ReplaceForm(form) => chat.answer_form(room, conversation, &form).await,
            Reply::Ack | Reply::CloseForms => {}
            Reply::Retry => retry = true,
        }
    }
    if retry {
        return (StatusCode::SERVICE_UNAVAILABLE, "not handled; retry").into_response();
    }
    StatusCode::OK.into_response()
}

/// Answers a `task/fetch` or `task/submit` invoke with a dialog, a message,
/// or nothing (the dialog closes).
async fn dialog(chat: &TeamsChat, activity: &TeamsActivity, replies: Vec<Reply>) -> Response {
    let dialogs = chat.dialogs();
    if activity.stale_button {
        return task_message(STALE_BUTTON);
    }
    // A form the core opened while handling this invoke is its answer.
    if let Some(form) = dialogs.form(&activity.id) {
        return form_dialog(&form, &activity.id, &BTreeMap::new(), &BTreeMap::new());
    }
    let submitting = matches!(activity.invoke, Some(Invoke::TaskSubmit { .. }));
    if activity.events.is_empty() {
        return if submitting { StatusCode::OK.into_response() } else { task_message(NOT_OURS) };
    }
    let reply = replies.into_iter().find(|r| *r != Reply::Ack).unwrap_or(Reply::Ack);
    match reply {
        Reply::Private(message) | Reply::InRoom(message) => {
            let names = chat.names(&message).await;
            task_continue(DIALOG_TITLE, dialog_message_card(&message, &names))
        }
        Reply::FormErrors(errors) => {
            let open = match &activity.invoke {
                Some(Invoke::TaskSubmit { dialog: Some(id) }) => dialogs.form(id).map(|form| (id.clone(), form)),
                _ => None,
            };
            match open {
                Some((id, form)) => form_dialog(&form, &id, &errors, &submitted_values(activity)),
                None => task_message(&errors_text(&errors)),
            }
        }
        Reply::ReplaceForm(form) => {
            dialogs.open(&activity.id, form.clone());
            form_dialog(&form, &activity.id, &BTreeMap::new(), &BTreeMap::new())
        }
        Reply::Ack | Reply::CloseForms if submitting => StatusCode::OK.into_response(),
        Reply::Ack | Reply::CloseForms => task_message("Done."),
        Reply::Retry => task_message(NOT_RECORDED),
    }
}

/// Posts the replies of an `Action.Execute` in the thread and answers the
/// invoke with a short message.
async fn card_action(chat: &TeamsChat, activity: &TeamsActivity, replies: Vec<Reply>) -> Response {
    let shown = if activity.stale_button {
        STALE_BUTTON.to_owned()
    } else if activity.events.is_empty() {
        NOT_OURS.to_owned()
    } else if replies.contains(&Reply::Retry) {
        NOT_RECORDED.to_owned()
    } else {
        replies
            .iter()
            .find_map(|reply| match reply {
                Reply::Private(message) | Reply::InRoom(message) => Some(message.text.to_string()),
                Reply::FormErrors(errors) => Some(errors_text(errors)),
                _ => None,
            })
            .unwrap_or_else(|| "Done.".to_owned())
    };
    let replies = replies.into_iter().filter(|r| *r != Reply::Retry).collect();
    let _ = in_thread(chat, activity, replies).await;
    let answer = json!({ "statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": shown });
    Json(answer).into_response()
}

/// The values of the form the activity submitted.
fn submitted_values(activity: &TeamsActivity) -> BTreeMap<String, String> {
    activity
        .events
        .iter()
        .find_map(|event| match event {
            Inbound::FormSubmitted { values, .. } => Some(values.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

fn form_dialog(
    form: &Form,
    dialog: &str,
    errors: &BTreeMap<String, String>,
    values: &BTreeMap<String, String>,
) -> Response {
    task_continue(&form.title, dialog_card(form, dialog, errors, values))
}

/// A dialog showing `card`.
fn task_continue(title: &str, card: Value) -> Response {
    let card = json!({ "contentType": ADAPTIVE_CARD, "content": card });
    Json(json!({ "task": { "type": "continue", "value": { "title": title, "width": "medium", "card": card } } }))
        .into_response()
}

/// A small dialog showing `text`.
fn task_message(text: &str) -> Response {
    Json(json!({ "task": { "type": "message", "value": text } })).into_response()
}

fn text(text: &str) -> Message {
    Message { text: text.into(), blocks: Vec::new() }
}

fn errors_text(errors: &BTreeMap<String, String>) -> String {
    let listed: Vec<String> = errors.iter().map(|(input, error)| format!("{input}: {error}")).collect();
    format!("Please fix the form and send it again. {}", listed.join("; "))
}

/// Form errors as a message: the form stays in the thread, to fix and send again.
fn form_errors(errors: &BTreeMap<String, String>) -> Message {
    let text = RichText::new().emoji("warning").plain("Please fix the form and send it again.");
    let items = errors.iter().map(|(input, error)| RichText::new().bold(input).plain(": ").plain(error)).collect();
    Message { text: text.clone(), blocks: vec![Block::Text { text }, Block::Bullets { items }] }
}
