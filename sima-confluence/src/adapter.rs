//! `ConfluenceDocs`: the [`DocsPort`] over Confluence Cloud's REST API v2.

use async_trait::async_trait;
use serde_json::{json, Value};
use sima_core::domain::DocRef;
use sima_core::model::Document;
use sima_core::ports::{DocsPort, PortError};
use tracing::{info, instrument};

use crate::client::ConfluenceClient;
use crate::config::ConfluenceConfig;
use crate::error::ConfluenceError;
use crate::render::storage_format;

/// Writes post-mortems into one Confluence space, under one parent page if set.
#[derive(Debug, Clone)]
pub struct ConfluenceDocs {
    client: ConfluenceClient,
    space_id: String,
    parent_id: Option<String>,
    /// Where page links start when Confluence does not name its site: the configured `url`.
    wiki_url: String,
}

impl ConfluenceDocs {
    /// Builds the adapter.
    ///
    /// # Errors
    /// [`ConfluenceError::Config`] if `url` is not a URL or the HTTP client cannot be built.
    pub fn new(config: ConfluenceConfig) -> Result<Self, ConfluenceError> {
        let client = ConfluenceClient::new(&config)?;
        let wiki_url = config.url.trim_end_matches('/').to_owned();
        Ok(Self { client, space_id: config.space_id, parent_id: config.parent_id, wiki_url })
    }

    /// The page's id and its link; `base` is the site's wiki base when the
    /// answer named it outside the page (a list's `_links.base`).
    fn doc_ref(&self, page: &Value, base: Option<&str>) -> Result<DocRef, ConfluenceError> {
        let id = page["id"].as_str().filter(|id| !id.is_empty());
        let id = id.ok_or_else(|| ConfluenceError::Decode("the page has no id".into()))?;
        // API v2 names the site's wiki in `_links.base`, which an OAuth 2.0
        // base URL (`api.atlassian.com`) is not.
        let base = page["_links"]["base"].as_str().or(base).filter(|base| base.starts_with("https://"));
        let base = base.unwrap_or(&self.wiki_url).trim_end_matches('/');
        let url = match page["_links"]["webui"].as_str() {
            Some(path) => format!("{base}{path}"),
            None => format!("{base}/pages/viewpage.action?pageId={id}"),
        };
        Ok(DocRef { id: id.to_owned(), url })
    }

    /// The current page titled `title` in the space, if there is one: the
    /// one under the configured parent first (titles are unique in a space,
    /// so another one would refuse the create all the same).
    async fn find(&self, title: &str) -> Result<Option<DocRef>, ConfluenceError> {
        let answer = self.client.find_pages(&self.space_id, title).await?;
        let results = answer["results"].as_array().map(Vec::as_slice).unwrap_or_default();
        let titled = || results.iter().filter(|page| page["title"].as_str() == Some(title));
        let under_parent = titled()
            .find(|page| self.parent_id.as_deref().is_some_and(|parent| page["parentId"].as_str() == Some(parent)));
        let Some(page) = under_parent.or_else(|| titled().next()) else { return Ok(None) };
        self.doc_ref(page, answer["_links"]["base"].as_str()).map(Some)
    }
}

#[async_trait]
impl DocsPort for ConfluenceDocs {
    #[instrument(skip_all, fields(number = %document.properties.number), err)]
    async fn create_postmortem(&self, document: &Document) -> Result<DocRef, PortError> {
        // A retry after a timeout or a 5xx may follow a page that was created.
        if let Some(existing) = self.find(&document.title).await? {
            info!(page = %existing.id, "the post-mortem page exists already");
            return Ok(existing);
        }
        let mut page = json!({
            "spaceId": self.space_id,
            "status": "current",
            "title": document.title,
            "body": { "representation": "storage", "value": storage_format(document) },
        });
        if let Some(parent) = &self.parent_id {
            page["parentId"] = json!(parent);
        }
        match self.client.create_page(&page).await {
            Ok(created) => Ok(self.doc_ref(&created, None)?),
            // Created between the lookup and the create (or the lookup did
            // not see it yet): Confluence refuses a second page with this title.
            Err(error) if error.is_duplicate_title() => match self.find(&document.title).await? {
                Some(existing) => Ok(existing),
                None => Err(error.into()),
            },
            Err(error) => Err(error.into()),
        }
    }
}
