//! `ConfluenceDocs`: the [`DocsPort`] over Confluence Cloud's REST API v2:
//! a lookup by title before each create, and updates at the next version.

use std::sync::{Arc, Once};

use async_trait::async_trait;
use serde_json::{json, Value};
use sima_core::domain::DocRef;
use sima_core::model::Document;
use sima_core::ports::{DocsPort, PortError};
use tracing::{info, instrument, warn};

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
    /// The parent of private incidents' pages, if one is configured.
    private_parent_id: Option<String>,
    /// Says once that private post-mortems go under the normal parent.
    no_private_parent: Arc<Once>,
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
        Ok(Self {
            client,
            space_id: config.space_id,
            parent_id: config.parent_id,
            private_parent_id: config.private_parent_id,
            no_private_parent: Arc::new(Once::new()),
            wiki_url,
        })
    }

    /// The parent `document` goes under, and whether only pages under it
    /// count as its page: a private incident's goes under the private parent
    /// when one is configured, and is never taken for a page elsewhere.
    fn destination(&self, document: &Document) -> (Option<&str>, bool) {
        if document.private {
            if let Some(private) = self.private_parent_id.as_deref() {
                return (Some(private), true);
            }
            self.no_private_parent.call_once(|| {
                warn!(
                    "no private parent page is configured (confluence.private_parent_id): private incidents' \
                     post-mortems go under the normal parent, readable by whoever may read the space"
                );
            });
        }
        (self.parent_id.as_deref(), false)
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
    /// one under `parent` first (titles are unique in a space, so another
    /// one would refuse the create all the same), and only that one when
    /// `only_under_parent`.
    async fn find(
        &self,
        title: &str,
        parent: Option<&str>,
        only_under_parent: bool,
    ) -> Result<Option<DocRef>, ConfluenceError> {
        let answer = self.client.find_pages(&self.space_id, title).await?;
        let results = answer["results"].as_array().map(Vec::as_slice).unwrap_or_default();
        let titled = || results.iter().filter(|page| page["title"].as_str() == Some(title));
        let under_parent = titled().find(|page| parent.is_some_and(|parent| page["parentId"].as_str() == Some(parent)));
        let elsewhere = || if only_under_parent { None } else { titled().next() };
        let Some(page) = under_parent.or_else(elsewhere) else { return Ok(None) };
        self.doc_ref(page, answer["_links"]["base"].as_str()).map(Some)
    }
}

#[async_trait]
impl DocsPort for ConfluenceDocs {
    #[instrument(skip_all, fields(number = %document.properties.number), err)]
    async fn create_postmortem(&self, document: &Document) -> Result<DocRef, PortError> {
        let (parent, only_under_parent) = self.destination(document);
        // A retry after a timeout or a 5xx may follow a page that was created.
        if let Some(existing) = self.find(&document.title, parent, only_under_parent).await? {
            info!(page = %existing.id, "the post-mortem page exists already");
            return Ok(existing);
        }
        let mut page = json!({
            "spaceId": self.space_id,
            "status": "current",
            "title": document.title,
            "body": { "representation": "storage", "value": storage_format(document) },
        });
        if let Some(parent) = parent {
            page["parentId"] = json!(parent);
        }
        match self.client.create_page(&page).await {
            Ok(created) => Ok(self.doc_ref(&created, None)?),
            // Created between the lookup and the create (or the lookup did
            // not see it yet): Confluence refuses a second page with this title.
            Err(error) if error.is_duplicate_title() => {
                match self.find(&document.title, parent, only_under_parent).await? {
                    Some(existing) => Ok(existing),
                    None => Err(error.into()),
                }
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Reads the page's version, then writes the whole document as the next
    /// one. Someone saving the page in between makes Confluence answer 409:
    /// the version is read again and the write tried once more, then the
    /// conflict is `Transient` (the worker tries later). A page a person
    /// deleted answers 404, which is `NotFound`.
    #[instrument(skip_all, fields(number = %document.properties.number, page = %doc.id), err)]
    async fn update_postmortem(&self, doc: &DocRef, document: &Document) -> Result<(), PortError> {
        let value = storage_format(document);
        let mut conflicts = 0;
        loop {
            let current = self.client.get_page(&doc.id).await?;
            let version = current["version"]["number"].as_u64();
            let next = version
                .and_then(|v| v.checked_add(1))
                .ok_or_else(|| ConfluenceError::Decode("the page has no usable version number".into()))?;
            let page = json!({
                "id": doc.id,
                "status": "current",
                "title": document.title,
                "body": { "representation": "storage", "value": value },
                "version": { "number": next, "message": VERSION_MESSAGE },
            });
            match self.client.update_page(&doc.id, &page).await {
                Ok(_) => {
                    info!(version = next, "the post-mortem page is updated");
                    return Ok(());
                }
                Err(error) if error.is_version_conflict() && conflicts == 0 => {
                    info!(%error, "the page changed meanwhile; reading its version again");
                    conflicts += 1;
                }
                Err(error) if error.is_version_conflict() => return Err(PortError::Transient(error.to_string())),
                Err(error) => return Err(error.into()),
            }
        }
    }
}

/// What the page history says of SIMA's updates.
const VERSION_MESSAGE: &str = "Updated by SIMA: the incident's root cause, action items or fields changed";
