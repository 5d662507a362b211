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

/// Where a form opens: the conversation (thread) an activity came from.
#[derive(Serialize, Deserialize)]
struct TriggerData {
    room: String,
    conversation: String,
    #[serde(default)]
    activity: Option<String>,
}

/// A trigger that opens forms in the thread of an inbound activity.
pub(crate) fn form_trigger(room: &RoomId, conversation: &str, activity: Option<&str>) -> Option<FormTrigger> {
    let data = TriggerData {
        room: room.as_str().to_owned(),
        conversation: conversation.to_owned(),
        activity: activity.map(str::to_owned),
    };
    serde_json::to_string(&data).ok().map(FormTrigger)
}

/// The room, conversation and activity of a trigger made by [`form_trigger`].
pub(crate) fn form_trigger_conversation(trigger: &FormTrigger) -> Result<(RoomId, String, Option<String>), TeamsError> {
    let data: TriggerData =
        serde_json::from_str(&trigger.0).map_err(|_| TeamsError::Reference(format!("form trigger {:?}", trigger.0)))?;
    Ok((RoomId::new(data.room), data.conversation, data.activity))
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
        let trigger = form_trigger(&RoomId::new("19:r"), "19:r;messageid=1", Some("2")).unwrap();
        let (room, conversation, activity) = form_trigger_conversation(&trigger).unwrap();
        assert_eq!(
            (room.as_str(), conversation.as_str(), activity.as_deref()),
            ("19:r", "19:r;messageid=1", Some("2"))
        );
        assert!(form_trigger_conversation(&FormTrigger("12345.678".into())).is_err());
    }
}
