//! `ConfluenceDocs`: the [`DocsPort`] over Confluence Cloud's REST API v2.

use async_trait::async_trait;
use serde_json::{json, Value};
use sima_core::domain::DocRef;
use sima_core::model::Document;
use sima_core::ports::{DocsPort, PortError};
use tracing::instrument;

use crate::client::ConfluenceClient;
use crate::config::ConfluenceConfig;
use crate::error::ConfluenceError;
use crate::render::storage_format;

/// Writes post-mortems into one Confluence space.
#[derive(Debug, Clone)]
pub struct ConfluenceDocs {
    client: ConfluenceClient,
    space_id: String,
    /// Where page links start when Confluence does not name its site: `{base_url}/wiki`.
    wiki_url: String,
}

impl ConfluenceDocs {
    /// Builds the adapter.
    ///
    /// # Errors
    /// [`ConfluenceError::Config`] if `base_url` is not a URL or the HTTP client cannot be built.
    pub fn new(config: ConfluenceConfig) -> Result<Self, ConfluenceError> {
        let client = ConfluenceClient::new(&config)?;
        let wiki_url = format!("{}/wiki", config.base_url.trim_end_matches('/'));
        Ok(Self { client, space_id: config.space_id, wiki_url })
    }

    /// The page's id and its link, from the created page.
    fn doc_ref(&self, page: &Value) -> Result<DocRef, ConfluenceError> {
        let id = page["id"].as_str().filter(|id| !id.is_empty());
        let id = id.ok_or_else(|| ConfluenceError::Decode("the created page has no id".into()))?;
        // API v2 names the site's wiki in `_links.base`, which an OAuth 2.0
        // base URL (`api.atlassian.com`) is not.
        let base = page["_links"]["base"].as_str().filter(|base| base.starts_with("https://"));
        let base = base.unwrap_or(&self.wiki_url).trim_end_matches('/');
        let url = match page["_links"]["webui"].as_str() {
            Some(path) => format!("{base}{path}"),
            None => format!("{base}/pages/viewpage.action?pageId={id}"),
        };
        Ok(DocRef { id: id.to_owned(), url })
    }
}

#[async_trait]
impl DocsPort for ConfluenceDocs {
    #[instrument(skip_all, fields(number = %document.properties.number), err)]
    async fn create_postmortem(&self, document: &Document) -> Result<DocRef, PortError> {
        let page = json!({
            "spaceId": self.space_id,
            "status": "current",
            "title": document.title,
            "body": { "representation": "storage", "value": storage_format(document) },
        });
        let created = self.client.create_page(&page).await?;
        Ok(self.doc_ref(&created)?)
    }
}
