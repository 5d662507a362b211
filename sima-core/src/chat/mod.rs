//! Inbound chat, platform-free: what people do in a chat room
//! ([`Inbound`]), what SIMA answers ([`Reply`]), and the one trait a chat
//! adapter hands those events to ([`InboundHandler`]), with the
//! [`DeliveryKey`] that makes a redelivered event act once. A chat adapter
//! only authenticates its platform's requests, parses its wire format into
//! an [`Inbound`] and renders the [`Reply`] back; the engine's handler is
//! [`Engine::inbound`](crate::Engine::inbound).

mod answer;
mod event;

pub use answer::NOT_RECORDED;
pub use event::{DeliveryKey, Inbound, Reply};

use async_trait::async_trait;

/// Acts on what people do in chat. It must answer fast (chat platforms wait a
/// few seconds) and leave slow work to the effect worker; opening a form is
/// the one call made before answering, because its trigger expires.
#[async_trait]
pub trait InboundHandler: Send + Sync {
    /// Handles one authenticated inbound event.
    ///
    /// With a `delivery` key, the engine's handler acts on each key once: a
    /// repeated delivery is answered [`Reply::Ack`] without acting, and a
    /// delivery answered [`Reply::Retry`] is forgotten, so the platform's
    /// redelivery is handled again. When the key cannot be recorded (storage
    /// unavailable) nothing is done: the person who typed, pressed or
    /// submitted is told so ([`NOT_RECORDED`]), and a join or a mention is
    /// answered [`Reply::Retry`]. Without a key, every delivery is acted on.
    async fn handle(&self, inbound: Inbound, delivery: Option<DeliveryKey>) -> Reply;
}
