//! `sima-confluence`: SIMA's post-mortems as pages of a Confluence Cloud
//! space, through the REST API v2 under `{url}/api/v2`.
//!
//! [`ConfluenceDocs`] implements `DocsPort`. Before creating a page it looks
//! the title up in the space (`GET /api/v2/pages?space-id=…&title=…`), so a
//! post-mortem retried after a timeout or a 5xx returns the page the first
//! attempt made instead of a second one; Confluence's "a page with this title
//! already exists" refusal is answered the same way. Other statuses map
//! through the core's one table, `PortError::from_http` (a 429 is
//! `RateLimited` with its `Retry-After`, a 5xx `Transient`, a 409 `Conflict`…).
//!
//! When the root cause, action items or fields change after the page is
//! written, `update_postmortem` reads the page's version
//! (`GET /api/v2/pages/{id}`) and writes the whole document as the next one
//! (`PUT /api/v2/pages/{id}`); a version conflict is read again and retried once.
//!
//! # Layout
//! - [`config`]: [`ConfluenceConfig`] (site, space, parent, credentials, [`HttpPolicy`]); the token never printed.
//! - `client`: the HTTP client: Basic or Bearer auth, timeouts, bounded retries on rate limits.
//! - [`render`]: the neutral `Document` as Confluence storage format (XHTML).
//! - `adapter`: [`ConfluenceDocs`], `impl DocsPort`: lookup by title, then create; updates at the next version.
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
