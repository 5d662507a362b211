//! An example of a custom adapter: post-mortems as Confluence pages instead
//! of Notion pages. Implement one port, render the neutral model, map the
//! platform's errors to `PortError`; the core never changes. It is laid out
//! like every SIMA adapter, so it doubles as a template for your own.
//!
//! HTTP statuses map through the core's one table, `PortError::from_http`
//! (a 429 is `RateLimited` with its `Retry-After`, a 5xx `Transient`, a 409
//! `Conflict`…); Confluence documents no status that means something else.
//!
//! # Layout
//! - [`config`]: [`ConfluenceConfig`] (site, space, credentials, [`HttpPolicy`]); the token never printed.
//! - `client`: the HTTP client: Basic or Bearer auth, timeouts, bounded retries on rate limits.
//! - [`render`]: the neutral `Document` as Confluence storage format (XHTML).
//! - `adapter`: [`ConfluenceDocs`], `impl DocsPort` over Confluence Cloud's REST API v2.
//! - [`error`]: [`ConfluenceError`] and its mapping into `PortError`.

mod adapter;
mod client;
pub mod config;
pub mod error;
pub mod render;

pub use adapter::ConfluenceDocs;
pub use config::{ConfluenceConfig, HttpPolicy, Secret};
pub use error::ConfluenceError;
pub use render::{rich_xhtml, storage_format};
