//! `sima-jira`: SIMA's action items as issues of a Jira Cloud project,
//! through the REST API v3 under `{url}/rest/api/3`, and Jira's webhooks
//! read back as ticket changes.
//!
//! [`JiraTracker`] implements `TrackerPort`. Each issue carries the item's
//! key as a label (`sima-inc-7-2`); before creating one the adapter searches
//! the project for that label (`POST /rest/api/3/search/jql`), so an item
//! retried after a timeout or a 5xx returns the issue the first attempt made.
//! Closing and reopening fire the workflow transition whose target status
//! is in the `done` category (or out of it). Statuses map through the core's
//! one table, `PortError::from_http` (a 429 is `RateLimited` with its
//! `Retry-After`, a 5xx `Transient`…).
//!
//! # Layout
//! - [`config`]: [`JiraConfig`] (site, credentials, project, issue type, webhook secret, [`HttpPolicy`]).
//! - `client`: the HTTP client: Basic auth, timeouts, bounded retries.
//! - `dto`: Jira's wire types, and an issue read as a `Ticket`.
//! - `render`: the one-line summary, the JQL, the description in Atlassian Document Format.
//! - `adapter`: [`JiraTracker`], `impl TrackerPort`.
//! - [`webhook`]: [`verify_signature`] (`X-Hub-Signature`) and [`parse_webhook`].
//! - [`error`]: [`JiraError`] and its mapping into `PortError`.

mod adapter;
mod client;
pub mod config;
mod dto;
pub mod error;
mod render;
pub mod webhook;

pub use adapter::JiraTracker;
pub use config::{HttpPolicy, JiraConfig, Secret};
pub use error::JiraError;
pub use webhook::{parse_webhook, verify_signature, WebhookError, SIGNATURE_HEADER};
