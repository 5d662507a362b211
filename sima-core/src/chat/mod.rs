//! Inbound chat, platform-free: what people do in a chat room
//! ([`Inbound`]), what SIMA answers ([`Reply`]), and the one trait a chat
//! adapter hands those events to ([`InboundHandler`]). A chat adapter only
//! authenticates its platform's requests, parses its wire format into an
//! [`Inbound`] and renders the [`Reply`] back; [`Conversation`](crate::service::Conversation)
//! implements the handler.

mod answer;
mod event;

pub use answer::NOT_RECORDED;
pub use event::{Inbound, Reply};

use async_trait::async_trait;

/// Acts on what people do in chat. It must answer fast (chat platforms wait a
/// few seconds) and leave slow work to the effect worker; opening a form is
/// the one call made before answering, because its trigger expires.
#[async_trait]
pub trait InboundHandler: Send + Sync {
    /// Handles one authenticated, de-duplicated inbound event.
    async fn handle(&self, inbound: Inbound) -> Reply;
}
