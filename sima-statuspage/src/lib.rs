//! `sima-statuspage`: SIMA's public updates as incidents of an Atlassian
//! Statuspage page, through the manage API (REST v1, `https://api.statuspage.io/v1`).
//!
//! [`StatuspagePage`] implements `StatusPagePort`. Component names (SIMA's
//! `[[status.components]]`) are mapped to Statuspage ids through the page's
//! component list, read at most every five minutes. The first push of an
//! incident creates it with SIMA's number in its `metadata`; before creating,
//! the adapter looks among the page's unresolved incidents for one carrying
//! that number, so a push retried after a timeout or a 5xx updates the
//! incident the lost attempt made instead of making a second one. Later
//! pushes `PATCH` it; a `resolved` one puts its components back to operational.
//!
//! # Layout
//! - [`config`]: [`StatuspageConfig`] (API URL, key, page id, [`HttpPolicy`]); the key never printed.
//! - `client`: the HTTP client: `Authorization: OAuth <key>`, timeouts, bounded retries on rate limits.
//! - `dto`: Statuspage's wire types.
//! - [`render`]: user text escaped for Statuspage's Markdown and HTML.
//! - `adapter`: [`StatuspagePage`], `impl StatusPagePort`.
//! - [`error`]: [`StatuspageError`] and its mapping into `PortError`.

mod adapter;
mod client;
pub mod config;
mod dto;
pub mod error;
pub mod render;

pub use adapter::{StatuspagePage, COMPONENT_CACHE_TTL};
pub use config::{HttpPolicy, Secret, StatuspageConfig, DEFAULT_API_URL};
pub use error::StatuspageError;
