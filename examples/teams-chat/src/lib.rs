//! `teams-chat` connects SIMA to Microsoft Teams both ways, written only
//! against `sima-core`'s public API: the model for a chat adapter of your own.
//!
//! Outbound, [`TeamsChat`] implements the core's `ChatPort`: incident rooms
//! are standard channels created through Microsoft Graph; messages are
//! Adaptive Cards posted, replied to and updated through the Bot Framework
//! Connector as proactive messages. Inbound, [`router()`] is an axum `Router`
//! whose `POST /messages` checks the Bot Framework's signed token and the
//! activity's tenant and team, reads activities into the core's neutral
//! `sima_core::chat::Inbound` events, hands them to the core's
//! `InboundHandler` (`Engine::inbound`) keyed by the activity's id, so a
//! redelivery acts once, and posts its `Reply` in the activity's thread.
//!
//! What Teams cannot do degrades as the core expects: pins and ephemeral
//! messages are `PortError::Unsupported` (the runbook skips them); inviting
//! into a standard channel succeeds without a call (the whole team is in
//! it); forms are cards with inputs posted in the thread, because Teams
//! opens dialogs only in answer to an invoke; rooms are archived only when
//! `archive_rooms` is on (it needs one more Graph permission).
//!
//! # Layout
//! - [`config`]: [`TeamsConfig`], every base URL overridable, the secret never printed.
//! - `token`: OAuth2 client-credentials tokens, cached per scope until shortly before expiry.
//! - `client`: Graph and Connector calls: bearer tokens, timeouts, bounded retries on rate limits.
//! - `dto`: Graph and Bot Framework wire types (crate-private).
//! - [`error`]: [`TeamsError`] and its mapping into `PortError` (statuses through `PortError::from_http`).
//! - `naming`: legal, unique channel names.
//! - `refs`: Teams conversation and activity ids inside `MessageRef` and `FormTrigger`.
//! - [`render`]: neutral `Message` and `Form` to Adaptive Cards, rich text to escaped card Markdown.
//! - `adapter`: `impl ChatPort for TeamsChat`.
//! - [`auth`]: [`BotAuthenticator`], RS256 tokens checked against the published keys.
//! - `tenancy`: only activities of the configured tenant, and in channels of the configured team.
//! - [`activity`]: activities to neutral events ([`parse_activity`]).
//! - [`mod@router`]: the axum route and its [`TeamsState`].

pub mod activity;
mod adapter;
pub mod auth;
mod client;
pub mod config;
mod dto;
pub mod error;
mod naming;
mod refs;
pub mod render;
pub mod router;
mod tenancy;
mod token;

pub use activity::{parse_activity, ParseError, TeamsActivity};
pub use adapter::TeamsChat;
pub use auth::{AuthError, BotAuthenticator, BotClaims};
pub use config::TeamsConfig;
pub use error::TeamsError;
pub use naming::legal_channel_name;
pub use router::{router, TeamsState};
pub use sima_core::{HttpPolicy, Secret};
