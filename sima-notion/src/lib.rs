//! `sima-notion` writes SIMA's post-mortems as pages of a Notion data source.
//! [`NotionDocs`] implements SIMA's [`DocsPort`](sima_core::ports::DocsPort): it
//! renders the neutral `Document` into page properties and blocks within
//! Notion's limits (2000 characters per text, 100 blocks per request, two
//! levels of nesting) and never creates a second page for one incident number.
//! Notion's wire types stay inside this crate.
//!
//! # Layout
//! - [`config`]: [`NotionConfig`] (API URL, token, data source, property names, retries).
//! - `client`: the HTTP client: bearer token, `Notion-Version`, timeouts, bounded retries.
//! - `dto`: Notion wire types (`CreatePageRequest`, `AppendBlockChildrenRequest`…).
//! - `render`: a neutral `Document` to properties and blocks, cut to Notion's limits.
//! - `adapter`: [`NotionDocs`], the `DocsPort` implementation (look up, create, resume appends).
//! - [`error`]: [`NotionError`] and its mapping into `PortError` (statuses through
//!   `PortError::from_http`, except Notion's 409 `conflict_error`, which may pass).

#![forbid(unsafe_code)]

mod adapter;
mod client;
pub mod config;
mod dto;
pub mod error;
mod render;

pub use adapter::NotionDocs;
pub use config::{HttpPolicy, NotionConfig, PropertyNames, Secret, DEFAULT_API_URL, NOTION_VERSION};
pub use error::NotionError;
