//! What Slack sends SIMA, in neutral terms, and what SIMA answers.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sima_core::domain::{MessageRef, RoomId, UserRef};
use sima_core::model::{ActionId, Form, FormId, FormTrigger, Message};

/// A request from Slack, parsed and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackInbound {
    /// A slash command (`/incident status monitoring`).
    SlashCommand(SlashCommand),
    /// A button press on one of SIMA's messages.
    BlockAction(BlockAction),
    /// A submitted modal.
    ViewSubmission(ViewSubmission),
    /// A modal closed without submitting (sent when `notify_on_close` is set).
    ViewClosed(ViewClosed),
    /// Someone joined a channel the bot is in.
    MemberJoined {
        /// Who joined.
        user: UserRef,
        /// The channel.
        channel: RoomId,
        /// Who invited them, if someone did.
        inviter: Option<UserRef>,
    },
    /// Someone mentioned the bot.
    AppMention {
        /// Who wrote.
        user: UserRef,
        /// Where.
        channel: RoomId,
        /// The message text as typed, mention included (`@U0BOT help`).
        text: String,
        /// The message, to reply in its thread.
        message: MessageRef,
    },
}

/// A slash command invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    /// The command (`/incident`).
    pub command: String,
    /// Everything after the command, trimmed, as typed: Slack's entities
    /// decoded, mentions as `@U…`, rooms as `#name`, links as their URL.
    pub text: String,
    /// Who typed it.
    pub user: UserRef,
    /// Where it was typed.
    pub channel: RoomId,
    /// The channel's name as Slack sent it.
    pub channel_name: Option<String>,
    /// The workspace.
    pub team: Option<String>,
    /// Opens a modal within 3 seconds (`views.open`).
    pub trigger: FormTrigger,
    /// Where delayed answers may be posted for 30 minutes.
    pub response_url: Option<String>,
}

/// A press of one of SIMA's buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockAction {
    /// Which button.
    pub action: ActionId,
    /// The button's value (the incident id).
    pub value: Option<String>,
    /// Who pressed it.
    pub user: UserRef,
    /// The channel of the message, when the button was in a message.
    pub channel: Option<RoomId>,
    /// The message the button was on.
    pub message: Option<MessageRef>,
    /// Opens a modal within 3 seconds.
    pub trigger: FormTrigger,
    /// Where answers to the press may be posted.
    pub response_url: Option<String>,
}

/// A submitted modal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewSubmission {
    /// Which form (from `callback_id`).
    pub form: FormId,
    /// Input values by `block_id`; inputs left empty are absent.
    pub values: BTreeMap<String, String>,
    /// The form's metadata (`private_metadata`), if not empty.
    pub metadata: Option<String>,
    /// Who submitted it.
    pub user: UserRef,
    /// Slack's id of the view.
    pub view_id: String,
}

/// A modal closed without submitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewClosed {
    /// Which form.
    pub form: FormId,
    /// The form's metadata, if not empty.
    pub metadata: Option<String>,
    /// Who closed it.
    pub user: UserRef,
}

/// What to answer Slack, in the HTTP response itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackReply {
    /// An empty 200: acknowledged, nothing to show (closes a submitted modal).
    Ack,
    /// A message only the requester sees.
    Ephemeral(Message),
    /// A message everyone in the channel sees.
    InChannel(Message),
    /// Keeps the modal open with these messages under the inputs, by `block_id`.
    Errors(BTreeMap<String, String>),
    /// Replaces the submitted modal with another form.
    UpdateView(Form),
    /// Closes the modal and every modal stacked under it.
    Clear,
    /// Handling failed for a reason that may pass (storage down): an event's
    /// id is forgotten and Slack is answered 500, so it delivers it again.
    Retry,
}

impl SlackReply {
    /// An ephemeral answer of plain text.
    pub fn ephemeral_text(text: impl Into<String>) -> Self {
        let text: String = text.into();
        Self::Ephemeral(Message { text: text.into(), blocks: Vec::new() })
    }

    /// An error for one modal input.
    pub fn error(block_id: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Errors(BTreeMap::from([(block_id.into(), message.into())]))
    }
}

/// Acts on what Slack sends. The server implements it with the incident
/// service; it must answer fast (Slack waits 3 seconds) and leave slow work
/// to the effect worker. Opening a modal (`ChatPort::open_form`) is the one
/// call to make before answering, because a trigger expires after 3 seconds.
#[async_trait]
pub trait SlackHandler: Send + Sync {
    /// Handles one verified, de-duplicated request.
    async fn handle(&self, inbound: SlackInbound) -> SlackReply;
}
