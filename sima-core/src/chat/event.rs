//! The neutral inbound events and replies.

use std::collections::BTreeMap;

use crate::domain::{RoomId, UserRef};
use crate::model::{ActionId, Form, FormId, FormTrigger, Message};

/// Something a person did in chat, parsed and authenticated by an adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A command typed in a room (`/incident status monitoring`).
    Command {
        /// Where it was typed.
        room: RoomId,
        /// Who typed it.
        user: UserRef,
        /// The text after the command, as typed: mentions as `@id`, rooms as
        /// `#name`, links as their URL.
        text: String,
        /// Opens a form for a few seconds, when the platform gives one.
        trigger: Option<FormTrigger>,
    },
    /// A button on one of SIMA's messages was pressed.
    ButtonPressed {
        /// Which button.
        action: ActionId,
        /// The button's value (the incident id).
        value: Option<String>,
        /// The room of the message, when the button was in one.
        room: Option<RoomId>,
        /// Who pressed it.
        user: UserRef,
        /// Opens a form for a few seconds, when the platform gives one.
        trigger: Option<FormTrigger>,
    },
    /// A form was submitted.
    FormSubmitted {
        /// Which form.
        form: FormId,
        /// Input values by input id; inputs left empty are absent.
        values: BTreeMap<String, String>,
        /// The form's metadata (the incident id), if any.
        metadata: Option<String>,
        /// Who submitted it.
        user: UserRef,
    },
    /// An input that reshapes its form ([`InputKind::ReshapingSelect`](crate::model::InputKind::ReshapingSelect))
    /// was changed while the form is open; answered with
    /// [`Reply::ReplaceForm`] (or [`Reply::Ack`] to keep the form as it is).
    FormChanged {
        /// Which form.
        form: FormId,
        /// The input that changed.
        input: String,
        /// Every input's value so far, by input id; empty ones are absent.
        values: BTreeMap<String, String>,
        /// The form's metadata, if any.
        metadata: Option<String>,
        /// Who changed it.
        user: UserRef,
    },
    /// A form was closed without submitting.
    FormClosed {
        /// Which form.
        form: FormId,
        /// The form's metadata, if any.
        metadata: Option<String>,
        /// Who closed it.
        user: UserRef,
    },
    /// Someone joined a room.
    Joined {
        /// The room.
        room: RoomId,
        /// Who joined.
        user: UserRef,
    },
    /// A message addressed to SIMA (a mention), read as a command.
    Mention {
        /// Where it was written.
        room: RoomId,
        /// Who wrote it.
        user: UserRef,
        /// The text after SIMA's own mention, as typed.
        text: String,
    },
}

/// What SIMA answers to an [`Inbound`] event, for the adapter to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Acknowledged, nothing to show (closes a submitted form).
    Ack,
    /// A message only the person who acted sees.
    Private(Message),
    /// A message everyone in the room sees.
    InRoom(Message),
    /// Keeps a submitted form open with these messages under its inputs, by input id.
    FormErrors(BTreeMap<String, String>),
    /// Replaces a submitted or changed form with another one.
    ReplaceForm(Form),
    /// Closes a submitted form and every form stacked under it.
    CloseForms,
    /// Handling failed for a reason that may pass (storage down): the
    /// platform should deliver the event again.
    Retry,
}

impl Reply {
    /// A private answer of plain text.
    pub fn private_text(text: impl Into<String>) -> Self {
        let text: String = text.into();
        Self::Private(Message { text: text.into(), blocks: Vec::new() })
    }

    /// An error under one form input.
    pub fn form_error(input: impl Into<String>, message: impl Into<String>) -> Self {
        Self::FormErrors(BTreeMap::from([(input.into(), message.into())]))
    }
}

/// Names one delivery of an [`Inbound`] event as its platform does (a Slack
/// `event_id`, a signed request's signature, a Teams activity id), prefixed
/// with the platform so that keys of different platforms never collide:
/// `slack:event:Ev0PV52K25`. A platform's redelivery carries the same key,
/// and the same key is acted on once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryKey(String);

impl DeliveryKey {
    /// The key `key` (`slack:event:Ev0PV52K25`).
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key as stored among the idempotency keys.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DeliveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
