//! [`Conversation`] answering inbound chat events, each delivery once.

use async_trait::async_trait;

use super::conversation::Submission;
use super::{Conversation, ServiceError};
use crate::chat::{DeliveryKey, Inbound, InboundHandler, Reply, NOT_RECORDED};
use crate::messages::warning;
use crate::model::Message;

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

/// The answer to `inbound` when its delivery could not be recorded, so
/// nothing was done: a person waiting is told; a join or a mention is left
/// for the platform to deliver again.
fn unrecorded(inbound: &Inbound) -> Reply {
    match inbound {
        Inbound::Command { .. } | Inbound::ButtonPressed { .. } => Reply::not_recorded(),
        Inbound::FormSubmitted { .. } => Reply::form_error("summary", NOT_RECORDED),
        Inbound::FormClosed { .. } | Inbound::FormChanged { .. } => Reply::Ack,
        Inbound::Joined { .. } | Inbound::Mention { .. } => Reply::Retry,
    }
}

impl Conversation {
    /// Acts on one inbound event.
    async fn answer(&self, inbound: Inbound) -> Reply {
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
            Inbound::FormChanged { form, values, metadata, .. } => {
                self.reshaped(form, &values, metadata).map_or(Reply::Ack, Reply::ReplaceForm)
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

#[async_trait]
impl InboundHandler for Conversation {
    async fn handle(&self, inbound: Inbound, delivery: Option<DeliveryKey>) -> Reply {
        let Some(key) = delivery else { return self.answer(inbound).await };
        match self.service().remember_delivery(&key).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::debug!(delivery = %key, "repeated delivery ignored");
                return Reply::Ack;
            }
            Err(error) => {
                tracing::error!(%error, delivery = %key, "could not record a delivery; nothing was done");
                return unrecorded(&inbound);
            }
        }
        let reply = self.answer(inbound).await;
        if reply == Reply::Retry {
            // Keep the key only for handled deliveries, so the redelivery is not ignored.
            if let Err(error) = self.service().forget_delivery(&key).await {
                tracing::error!(%error, delivery = %key, "could not forget a delivery that failed");
            }
            tracing::warn!(delivery = %key, "delivery not handled; the platform will deliver it again");
        }
        reply
    }
}
