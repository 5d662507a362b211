//! `sima-linear`: SIMA's action items as issues of one Linear team, through
//! Linear's GraphQL API, and Linear's webhooks read back as ticket changes.
//!
//! [`LinearTracker`] implements `TrackerPort`. Every issue is created with an
//! id SIMA derives from the team and the action item's `FollowUpKey`
//! ([`issue_id`]), so `find` is a single `issue(id:)` lookup and a create
//! retried after a lost answer finds the issue the first attempt made (Linear
//! refuses a second issue with the same id; the adapter then answers the
//! existing one). Closing and reopening pick the team's workflow states by
//! type: the first `completed` one, else the first `unstarted` (or `backlog`).
//!
//! Linear reports most failures as GraphQL errors in an HTTP 200 or 400
//! answer; they map by their `extensions` (`RATELIMITED` → `RateLimited`,
//! `AUTHENTICATION_ERROR`/`FORBIDDEN` → `Unauthorized`, the rest `Invalid`),
//! and bare HTTP statuses through the core's one table,
//! `PortError::from_http`.
//!
//! [`webhook`] checks `Linear-Signature` and the payload's age, and reads
//! `Issue` events as `TicketChange`s for the server's `POST /webhooks/linear`.
//!
//! # Layout
//! - [`config`]: [`LinearConfig`] (API key, team, endpoint, webhook secret, [`HttpPolicy`]); secrets never printed.
//! - `client`: the GraphQL client: the API key header, timeouts, retries on rate limits, error reading.
//! - `dto`: the GraphQL documents and the answer shapes.
//! - [`key`]: [`issue_id`], the issue id derived from the action item.
//! - [`render`]: a `TicketDraft` as a title and an escaped Markdown description.
//! - `adapter`: [`LinearTracker`], `impl TrackerPort`.
//! - [`webhook`]: [`verify_signature`], [`check_timestamp`], [`parse_webhook`].
//! - [`error`]: [`LinearError`] and its mapping into `PortError`.

mod adapter;
mod client;
pub mod config;
mod dto;
pub mod error;
pub mod key;
pub mod render;
pub mod webhook;

pub use adapter::LinearTracker;
pub use config::{HttpPolicy, LinearConfig, Secret, DEFAULT_API_URL};
pub use error::{GraphQlErrorKind, LinearError};
pub use key::issue_id;
pub use webhook::{check_timestamp, parse_webhook, verify_signature, WebhookError, SIGNATURE_HEADER};
