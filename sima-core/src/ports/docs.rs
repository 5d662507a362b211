//! The documents platform: post-mortems, written on resolution and
//! rewritten when the root cause, action items or fields change later.

use async_trait::async_trait;

use super::PortError;
use crate::domain::DocRef;
use crate::model::Document;

/// A documents platform (Notion, Confluence, a folder of Markdown files…).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DocsPort: Send + Sync {
    /// Creates the post-mortem page. Adapters MUST NOT create a second page
    /// for the same incident number when retried after an unknown outcome.
    ///
    /// # Errors
    /// `Invalid` if the platform refuses the document; `Unauthorized` for bad
    /// credentials; `RateLimited`/`Transient` when busy or unreachable.
    async fn create_postmortem(&self, document: &Document) -> Result<DocRef, PortError>;

    /// Rewrites the post-mortem `doc` (made by [`create_postmortem`](Self::create_postmortem))
    /// with the whole of `document`, so running it again changes nothing more.
    /// The default answers `Unsupported`: the page stays as first written.
    ///
    /// # Errors
    /// `Unsupported` where the platform cannot rewrite a page; `NotFound` if
    /// the page is gone (deleted by a person); `Invalid` if the platform
    /// refuses the document; `Unauthorized` for bad credentials;
    /// `RateLimited`/`Transient` when busy, unreachable or edited meanwhile.
    async fn update_postmortem(&self, doc: &DocRef, document: &Document) -> Result<(), PortError> {
        let _ = (doc, document);
        Err(PortError::Unsupported("updating a post-mortem".into()))
    }
}
