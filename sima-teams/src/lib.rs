//! `sima-teams` connects SIMA to Microsoft Teams both ways, written only
//! against `sima-core`'s public API.
//!
//! Outbound, [`TeamsChat`] implements the core's `ChatPort`: incident rooms
//! are standard channels of one team, created through Microsoft Graph and
//! found again on retry; messages are Adaptive Cards posted, replied to and
//! updated in place through the Bot Framework Connector as proactive
//! messages, mentions showing people's names (looked up in Graph, cached).
//! Calls on one team or channel are paced (4 a second by default), and a 429
//! maps to `PortError::RateLimited` with its `Retry-After`, which the core's
//! worker waits out.
//!
//! Inbound, [`router()`] is an axum `Router` whose `POST /messages` checks
//! the Bot Framework's signed token, then the activity's tenant, team and
//! Connector (`serviceUrl`), reads it into the core's neutral
//! `sima_core::chat::Inbound` events, hands them to the core's
//! `InboundHandler` (`Engine::inbound`) keyed by the activity's id, so a
//! redelivery or replay acts once, and answers: in the thread for typed
//! commands, in a dialog (task module) for buttons.
//!
//! What Teams cannot do degrades as the core expects: pins are
//! `PortError::Unsupported` (the runbook skips them); a message for one
//! person (the welcome) is posted in the room mentioning them; inviting into
//! a standard channel succeeds without a call (the whole team is in it);
//! forms open as dialogs from buttons, and as cards with inputs in the
//! thread from typed commands; rooms are archived only when `archive_rooms`
//! is on (it needs one more Graph permission).
//!
//! # Layout
//! - [`config`]: [`TeamsConfig`], every base URL overridable, the secret never printed.
//! - `token`: OAuth2 client-credentials tokens, cached per scope until shortly before expiry.
//! - `pacing`: at most a few calls a second on one team or channel.
//! - `client`: Graph and Connector calls: bearer tokens, timeouts, pacing, bounded retries on rate limits.
//! - `dto`: Graph and Bot Framework wire types (crate-private).
//! - [`error`]: [`TeamsError`] and its mapping into `PortError` (statuses through `PortError::from_http`).
//! - `naming`: legal, unique channel names.
//! - `names`: people's display names for mentions, from Graph and inbound activities, cached.
//! - `refs`: Teams conversation and activity ids inside `MessageRef` and `FormTrigger`.
//! - [`render`]: neutral `Message` and `Form` to Adaptive Cards, rich text to escaped card Markdown.
//! - `dialogs`: forms opened as dialogs, kept to show their mistakes.
//! - `adapter`: `impl ChatPort for TeamsChat`.
//! - [`auth`]: [`BotAuthenticator`], RS256 tokens checked against the published keys.
//! - `tenancy`: only activities of the configured tenant, team and Connector; team thread ids looked up.
//! - [`activity`]: activities and invokes to neutral events ([`parse_activity`]).
//! - `answers`: SIMA's replies in the thread, or as the answer of an invoke.
//! - [`mod@router`]: the axum route and its [`TeamsState`].

pub mod activity;
mod adapter;
mod answers;
pub mod auth;
mod client;
pub mod config;
mod dialogs;
mod dto;
pub mod error;
mod names;
mod naming;
mod pacing;
mod refs;
pub mod render;
pub mod router;
mod tenancy;
mod token;

pub use activity::{parse_activity, Invoke, ParseError, TeamsActivity};
pub use adapter::TeamsChat;
pub use auth::{AuthError, BotAuthenticator, BotClaims};
pub use config::TeamsConfig;
pub use error::TeamsError;
pub use naming::legal_channel_name;
pub use router::{router, TeamsState};
pub use sima_core::{HttpPolicy, Secret};
