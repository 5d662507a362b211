//! Slack requests handled by the chat-facing use cases.

use std::sync::Arc;

use async_trait::async_trait;
use sima_core::messages::warning;
use sima_core::model::Message;
use sima_core::ports::ChatPort;
use sima_core::service::{Conversation, ServiceError, Submission};
use sima_slack::{SlackHandler, SlackInbound, SlackReply};

/// Implements [`SlackHandler`] with a [`Conversation`].
pub struct ChatHandler {
    conversation: Conversation,
    chat: Arc<dyn ChatPort>,
}

impl ChatHandler {
    /// A handler answering through `conversation`; `chat` posts answers to mentions.
    pub fn new(conversation: Conversation, chat: Arc<dyn ChatPort>) -> Self {
        Self { conversation, chat }
    }
}

/// What a person may read of an error: storage details stay in the log.
fn shown(error: &ServiceError) -> String {
    match error {
        ServiceError::Store(_) => "storage unavailable".to_owned(),
        other => other.to_string(),
    }
}

fn reply(result: Result<Option<Message>, ServiceError>) -> SlackReply {
    match result {
        Ok(Some(message)) => SlackReply::Ephemeral(message),
        Ok(None) => SlackReply::Ack,
        Err(error) => {
            tracing::error!(%error, "could not handle a Slack request");
            SlackReply::Ephemeral(warning(format!("SIMA could not record this ({}); please try again.", shown(&error))))
        }
    }
}

#[async_trait]
impl SlackHandler for ChatHandler {
    async fn handle(&self, inbound: SlackInbound) -> SlackReply {
        let c = &self.conversation;
        match inbound {
            SlackInbound::SlashCommand(cmd) => {
                reply(c.command(&cmd.channel, &cmd.user, &cmd.text, Some(cmd.trigger)).await)
            }
            SlackInbound::BlockAction(action) => {
                let Some(room) = action.channel.clone() else {
                    return SlackReply::ephemeral_text("This button works in a channel.");
                };
                reply(c.action(action.action, action.value.as_deref(), &room, &action.user, Some(action.trigger)).await)
            }
            SlackInbound::ViewSubmission(view) => {
                match c.submit(view.form, &view.values, view.metadata.as_deref(), &view.user).await {
                    Ok(Submission::Accepted(_)) => SlackReply::Ack,
                    Ok(Submission::Invalid(errors)) => SlackReply::Errors(errors),
                    Err(error) => {
                        tracing::error!(%error, "could not handle a form submission");
                        SlackReply::error(
                            "summary",
                            format!("SIMA could not save this ({}); please try again.", shown(&error)),
                        )
                    }
                }
            }
            SlackInbound::ViewClosed(_) => SlackReply::Ack,
            SlackInbound::MemberJoined { user, channel, .. } => match c.joined(&channel, &user).await {
                Ok(_) => SlackReply::Ack,
                Err(error) => {
                    tracing::error!(%error, "could not record a join");
                    SlackReply::Retry
                }
            },
            SlackInbound::AppMention { user, channel, text, .. } => {
                // The text starts with the bot's own mention (`@U0BOT help`).
                let command = match text.trim_start().strip_prefix('@') {
                    Some(rest) => rest.split_once(char::is_whitespace).map_or("", |(_, command)| command),
                    None => text.as_str(),
                };
                let command = command.trim().to_owned();
                if let Ok(Some(message)) = c.command(&channel, &user, &command, None).await {
                    let chat = self.chat.clone();
                    tokio::spawn(async move {
                        if let Err(error) = chat.post_ephemeral(&channel, &user, &message).await {
                            tracing::warn!(%error, "could not answer a mention");
                        }
                    });
                }
                SlackReply::Ack
            }
        }
    }
}
