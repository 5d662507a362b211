//! [`Conversation`] answering inbound chat events.

use async_trait::async_trait;

use super::{Inbound, InboundHandler, Reply};
use crate::messages::warning;
use crate::model::Message;
use crate::service::{Conversation, ServiceError, Submission};

/// What a person is told when storage cannot be reached: nothing was
/// recorded, so trying again is safe.
pub const NOT_RECORDED: &str = "SIMA could not record this yet (storage unavailable); please try again in a moment.";

impl Reply {
    /// The private answer when storage cannot be reached ([`NOT_RECORDED`]).
    pub fn not_recorded() -> Self {
        Self::Private(warning(NOT_RECORDED))
    }
}

/// What a person may read of an error: storage details stay in the log.
fn shown(error: &ServiceError) -> String {
    match error {
        ServiceError::Store(_) => "storage unavailable".to_owned(),
        other => other.to_string(),
    }
}

fn reply(result: Result<Option<Message>, ServiceError>) -> Reply {
    match result {
        Ok(Some(message)) => Reply::Private(message),
        Ok(None) => Reply::Ack,
        Err(error @ ServiceError::Store(_)) => {
            tracing::error!(%error, "could not handle a chat request: storage unavailable");
            Reply::not_recorded()
        }
        Err(error) => {
            tracing::error!(%error, "could not handle a chat request");
            Reply::Private(warning(format!("SIMA could not record this ({}); please try again.", shown(&error))))
        }
    }
}

#[async_trait]
impl InboundHandler for Conversation {
    async fn handle(&self, inbound: Inbound) -> Reply {
        match inbound {
            Inbound::Command { room, user, text, trigger } => reply(self.command(&room, &user, &text, trigger).await),
            Inbound::ButtonPressed { action, value, room, user, trigger } => {
                let Some(room) = room else {
                    return Reply::private_text("This button works in a channel.");
                };
                reply(self.action(action, value.as_deref(), &room, &user, trigger).await)
            }
            Inbound::FormSubmitted { form, values, metadata, user } => {
                match self.submit(form, &values, metadata.as_deref(), &user).await {
                    Ok(Submission::Accepted(_)) => Reply::Ack,
                    Ok(Submission::Invalid(errors)) => Reply::FormErrors(errors),
                    Err(error @ ServiceError::Store(_)) => {
                        tracing::error!(%error, "could not handle a form submission: storage unavailable");
                        Reply::form_error("summary", NOT_RECORDED)
                    }
                    Err(error) => {
                        tracing::error!(%error, "could not handle a form submission");
                        Reply::form_error(
                            "summary",
                            format!("SIMA could not save this ({}); please try again.", shown(&error)),
                        )
                    }
                }
            }
            Inbound::FormClosed { .. } => Reply::Ack,
            Inbound::Joined { room, user } => match self.joined(&room, &user).await {
                Ok(()) => Reply::Ack,
                Err(error) => {
                    tracing::error!(%error, "could not record a join");
                    Reply::Retry
                }
            },
            Inbound::Mention { room, user, text } => {
                if let Ok(Some(message)) = self.command(&room, &user, &text, None).await {
                    if let Err(error) = self.chat().post_ephemeral(&room, &user, &message).await {
                        tracing::warn!(%error, "could not answer a mention");
                    }
                }
                Reply::Ack
            }
        }
    }
}
