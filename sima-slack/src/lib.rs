//! `sima-slack` connects SIMA to Slack both ways. Outbound, [`SlackChat`]
//! implements the core's `ChatPort` over the Slack Web API: it creates incident
//! channels, posts and updates Block Kit messages, pins them and opens modals.
//! Inbound, [`router()`] is an axum `Router` with `/commands`, `/interactions` and
//! `/events` that checks Slack's v0 request signatures, parses slash commands,
//! interactivity payloads and Events API deliveries into the core's neutral
//! `sima_core::chat::Inbound` events (through [`SlackInbound`]), hands them to
//! the core's `InboundHandler` (`Engine::inbound`) with a delivery key (an
//! event's `event_id`, a request's signature) so that repeated event
//! deliveries and replayed requests act once, and renders its neutral `Reply`
//! as Slack expects.
//! [`SocketMode`] receives the same requests over Socket Mode WebSockets
//! instead (no public URL needed) and hands them to the same pipeline.
//!
//! # Layout
//! - [`config`]: [`SlackConfig`], its [`HttpPolicy`], and [`Secret`], which never prints its value.
//! - `client`: the Web API client: bearer auth, timeouts, bounded retries on rate limits.
//! - `dto`: Slack wire types, named after API methods (crate-private).
//! - [`error`]: [`SlackError`] and its mapping into `PortError`: Slack's error codes, and
//!   HTTP statuses through `PortError::from_http`.
//! - `naming`: legal, unique channel names.
//! - [`render`]: neutral `Message` and `Form` to Block Kit, within Slack's limits.
//! - `adapter`: `impl ChatPort for SlackChat`.
//! - [`signature`]: v0 request signatures.
//! - [`inbound`]: [`SlackInbound`] and its neutral core event.
//! - [`parse`]: request bodies (raw or already decoded JSON) to [`SlackInbound`].
//! - `pipeline`: parse → handler (with the delivery key) → answer, whatever the transport.
//! - `state`: [`SlackState`], what the routes and Socket Mode share.
//! - [`router`](mod@router): the axum routes.
//! - [`socket`]: [`SocketMode`], the same requests over Socket Mode.

#![forbid(unsafe_code)]

mod adapter;
mod client;
pub mod config;
mod dto;
pub mod error;
pub mod inbound;
mod naming;
pub mod parse;
mod pipeline;
pub mod render;
pub mod router;
pub mod signature;
pub mod socket;
mod state;

pub use adapter::SlackChat;
pub use config::{HttpPolicy, Secret, SlackConfig};
pub use error::SlackError;
pub use inbound::{BlockAction, SlackInbound, SlashCommand, ViewChange, ViewClosed, ViewSubmission};
pub use naming::legal_channel_name;
pub use parse::{
    parse_command, parse_command_json, parse_event, parse_event_json, parse_interaction, parse_interaction_json,
    EventsRequest, ParseError,
};
pub use router::{router, SlackState};
pub use signature::{sign, SignatureError, SignatureVerifier};
pub use socket::{SocketConfig, SocketError, SocketMode};
