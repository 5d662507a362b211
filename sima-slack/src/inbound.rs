//! What Slack sends SIMA, parsed, and the neutral core event each request stands for.

use std::collections::BTreeMap;

use sima_core::chat::Inbound;
use sima_core::domain::{MessageRef, RoomId, UserRef};
use sima_core::model::{ActionId, FormId, FormTrigger};

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
    /// An input of an open modal that reshapes it was changed (a
    /// `block_actions` from a modal).
    ViewChanged(ViewChange),
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

/// A change to an input of an open modal that reshapes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewChange {
    /// Which form (from `callback_id`).
    pub form: FormId,
    /// The input that changed (its `action_id`).
    pub input: String,
    /// Every input's value so far by `block_id`; empty ones are absent.
    pub values: BTreeMap<String, String>,
    /// The form's metadata (`private_metadata`), if not empty.
    pub metadata: Option<String>,
    /// Who changed it.
    pub user: UserRef,
    /// Slack's id of the view, for `views.update`.
    pub view_id: String,
    /// The view's version, for `views.update` (empty if Slack sent none).
    pub hash: String,
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

impl SlackInbound {
    /// The neutral event this request stands for, for the core's
    /// [`InboundHandler`](sima_core::chat::InboundHandler).
    pub fn into_core(self) -> Inbound {
        match self {
            Self::SlashCommand(c) => {
                Inbound::Command { room: c.channel, user: c.user, text: c.text, trigger: Some(c.trigger) }
            }
            Self::BlockAction(a) => Inbound::ButtonPressed {
                action: a.action,
                value: a.value,
                room: a.channel,
                user: a.user,
                trigger: Some(a.trigger),
            },
            Self::ViewSubmission(v) => {
                Inbound::FormSubmitted { form: v.form, values: v.values, metadata: v.metadata, user: v.user }
            }
            Self::ViewClosed(v) => Inbound::FormClosed { form: v.form, metadata: v.metadata, user: v.user },
            Self::ViewChanged(v) => Inbound::FormChanged {
                form: v.form,
                input: v.input,
                values: v.values,
                metadata: v.metadata,
                user: v.user,
            },
            Self::MemberJoined { user, channel, .. } => Inbound::Joined { room: channel, user },
            Self::AppMention { user, channel, text, .. } => {
                Inbound::Mention { room: channel, user, text: without_leading_mention(&text) }
            }
        }
    }
}

/// An `app_mention`'s text without the bot's own mention it starts with
/// (`@U0BOT help` → `help`).
fn without_leading_mention(text: &str) -> String {
    let command = match text.trim_start().strip_prefix('@') {
        Some(rest) => rest.split_once(char::is_whitespace).map_or("", |(_, command)| command),
        None => text,
    };
    command.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mention_reaches_the_core_without_the_bots_own_mention() {
        assert_eq!(without_leading_mention("@U0BOT status monitoring"), "status monitoring");
        assert_eq!(without_leading_mention("  @U0BOT"), "");
        assert_eq!(without_leading_mention("help me"), "help me");
    }
}
