//! The documents platform: post-mortems.

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
}
