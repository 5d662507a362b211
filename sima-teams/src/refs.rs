//! How Teams message and conversation ids travel inside the core's neutral
//! `MessageRef` and `FormTrigger`.
//!
//! A channel message is addressed by its thread's conversation id
//! (`19:…@thread.tacv2;messageid=1700000000000`) and its activity id. The
//! core's `MessageRef.ts` holds both as `{conversation}|{activity}`; Teams
//! ids never contain `|`.

use serde::{Deserialize, Serialize};
use sima_core::domain::{MessageRef, RoomId};
use sima_core::model::FormTrigger;

use crate::error::TeamsError;

/// The separator of the conversation and activity ids in a `MessageRef.ts`.
const SEPARATOR: char = '|';
/// What marks the thread in a channel conversation id.
const MESSAGE_ID: &str = ";messageid=";

/// One message in a channel thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ThreadRef {
    /// The thread's conversation id.
    pub(crate) conversation: String,
    /// The message's activity id.
    pub(crate) activity: String,
}

impl ThreadRef {
    /// The root of a thread the Connector just created: its conversation id,
    /// and its activity id (read from the conversation id when not given).
    pub(crate) fn of_new_thread(conversation: String, activity: Option<String>) -> Result<Self, TeamsError> {
        let from_id = conversation.split_once(MESSAGE_ID).map(|(_, id)| id.to_owned());
        let Some(activity) = activity.filter(|a| !a.is_empty()).or(from_id) else {
            return Err(TeamsError::Decode {
                what: "connector: post",
                detail: "the answer names no activity id".into(),
            });
        };
        let conversation = if conversation.contains(MESSAGE_ID) {
            conversation
        } else {
            format!("{conversation}{MESSAGE_ID}{activity}")
        };
        Ok(Self { conversation, activity })
    }

    /// Reads a `MessageRef.ts` this adapter wrote.
    pub(crate) fn parse(ts: &str) -> Result<Self, TeamsError> {
        match ts.rsplit_once(SEPARATOR) {
            Some((conversation, activity)) if !conversation.is_empty() && !activity.is_empty() => {
                Ok(Self { conversation: conversation.to_owned(), activity: activity.to_owned() })
            }
            _ => Err(TeamsError::Reference(format!("message {ts:?}"))),
        }
    }

    /// The neutral reference of this message in `room`.
    pub(crate) fn into_message_ref(self, room: RoomId) -> MessageRef {
        MessageRef { room, ts: format!("{}{SEPARATOR}{}", self.conversation, self.activity) }
    }
}

/// Where a form opens: the conversation (thread) an activity came from, or
/// the dialog an invoke waits for.
#[derive(Serialize, Deserialize)]
struct TriggerData {
    room: String,
    conversation: String,
    #[serde(default)]
    activity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dialog: Option<String>,
}

/// Where a form opens, read from its trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormPlace {
    /// The channel (or chat).
    pub(crate) room: RoomId,
    /// The thread to post the form card in.
    pub(crate) conversation: String,
    /// The message to answer, if any.
    pub(crate) reply_to: Option<String>,
    /// The invoke waiting for a dialog: the form is its answer, not a post.
    pub(crate) dialog: Option<String>,
}

/// A trigger that opens forms in the thread of an inbound activity, or, with
/// `dialog`, as the dialog that answers the invoke `dialog`.
pub(crate) fn form_trigger(
    room: &RoomId,
    conversation: &str,
    activity: Option<&str>,
    dialog: Option<&str>,
) -> Option<FormTrigger> {
    let data = TriggerData {
        room: room.as_str().to_owned(),
        conversation: conversation.to_owned(),
        activity: activity.map(str::to_owned),
        dialog: dialog.map(str::to_owned),
    };
    serde_json::to_string(&data).ok().map(FormTrigger)
}

/// Where a trigger made by [`form_trigger`] opens its form.
pub(crate) fn form_place(trigger: &FormTrigger) -> Result<FormPlace, TeamsError> {
    let data: TriggerData =
        serde_json::from_str(&trigger.0).map_err(|_| TeamsError::Reference(format!("form trigger {:?}", trigger.0)))?;
    Ok(FormPlace {
        room: RoomId::new(data.room),
        conversation: data.conversation,
        reply_to: data.activity,
        dialog: data.dialog.filter(|d| !d.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_refs_round_trip() {
        let thread = ThreadRef::of_new_thread("19:a@thread.tacv2;messageid=17".into(), Some("17".into())).unwrap();
        let reference = thread.clone().into_message_ref(RoomId::new("19:a@thread.tacv2"));
        assert_eq!(reference.ts, "19:a@thread.tacv2;messageid=17|17");
        assert_eq!(ThreadRef::parse(&reference.ts).unwrap(), thread);
        let bare = ThreadRef::of_new_thread("19:a@thread.tacv2".into(), Some("5".into())).unwrap();
        assert_eq!(bare.conversation, "19:a@thread.tacv2;messageid=5");
        let derived = ThreadRef::of_new_thread("19:a@thread.tacv2;messageid=9".into(), None).unwrap();
        assert_eq!(derived.activity, "9");
        assert!(ThreadRef::of_new_thread("19:a".into(), None).is_err());
        assert!(ThreadRef::parse("1700000000.000100").is_err());
    }

    #[test]
    fn triggers_round_trip_and_foreign_ones_are_refused() {
        let trigger = form_trigger(&RoomId::new("19:r"), "19:r;messageid=1", Some("2"), None).unwrap();
        let place = form_place(&trigger).unwrap();
        assert_eq!(
            (place.room.as_str(), place.conversation.as_str(), place.reply_to.as_deref(), place.dialog),
            ("19:r", "19:r;messageid=1", Some("2"), None)
        );
        let dialog = form_trigger(&RoomId::new("19:r"), "19:r;messageid=1", None, Some("f:9")).unwrap();
        assert_eq!(form_place(&dialog).unwrap().dialog.as_deref(), Some("f:9"));
        assert!(form_place(&FormTrigger("12345.678".into())).is_err());
    }
}
