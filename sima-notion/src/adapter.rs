//! `NotionDocs`: the [`DocsPort`] over the Notion API.
//!
//! Creating a page is not idempotent, so `create_postmortem` is written as
//! "make sure the page exists and holds the whole body":
//! 1. look the page up in the data source by its incident-number property;
//! 2. if there is none, create it with the properties and the first request's
//!    worth of blocks;
//! 3. if there is one, count its top-level blocks (rendering is deterministic
//!    and blocks are only ever appended in order, so the count says how far a
//!    previous attempt got);
//! 4. append the blocks not there yet, at most 100 per request.
//!
//! A 5xx or a timeout while creating or appending is returned as `Transient`
//! without being retried in process; the caller's retry runs these steps
//! again and resumes instead of duplicating.

use std::sync::{Arc, Once};

use async_trait::async_trait;
use sima_core::domain::DocRef;
use sima_core::model::Document;
use sima_core::ports::{DocsPort, PortError};
use tracing::{debug, info, instrument, warn};

use crate::client::NotionClient;
use crate::config::NotionConfig;
use crate::dto::{
    AppendBlockChildrenRequest, BlockObject, CreatePageRequest, DataSourceParent, ObjectRef, PropertyFilter,
    QueryDataSourceRequest, TextFilter,
};
use crate::error::NotionError;
use crate::render;

/// Writes post-mortems as pages of a Notion data source.
#[derive(Debug, Clone)]
pub struct NotionDocs {
    config: NotionConfig,
    client: NotionClient,
    /// Says once that private post-mortems go to the normal data source.
    no_private_data_source: Arc<Once>,
}

impl NotionDocs {
    /// Builds the adapter.
    ///
    /// # Errors
    /// [`NotionError::Client`] if the HTTP client cannot be built (TLS setup).
    pub fn new(config: NotionConfig) -> Result<Self, NotionError> {
        let client = NotionClient::new(&config)?;
        Ok(Self { config, client, no_private_data_source: Arc::new(Once::new()) })
    }

    /// The data source `document` goes to, and is looked up in: a private
    /// incident's goes to the private data source when one is configured.
    fn data_source_for(&self, document: &Document) -> &str {
        if document.private {
            if let Some(private) = self.config.private_data_source_id.as_deref() {
                return private;
            }
            self.no_private_data_source.call_once(|| {
                warn!(
                    "no private data source is configured (notion.private_data_source_id): private incidents' \
                     post-mortems go to the normal data source, readable by whoever may read it"
                );
            });
        }
        &self.config.data_source_id
    }

    /// The configuration in use.
    pub fn config(&self) -> &NotionConfig {
        &self.config
    }

    /// The live post-mortem page of incident `number` in `data_source_id`, if one exists.
    async fn find(&self, data_source_id: &str, number: &str) -> Result<Option<ObjectRef>, NotionError> {
        let query = QueryDataSourceRequest {
            filter: PropertyFilter {
                property: self.config.properties.number.clone(),
                rich_text: TextFilter { equals: number.to_owned() },
            },
            page_size: 10,
        };
        let found = self.client.query_data_source(data_source_id, &query).await?;
        Ok(found.results.into_iter().find(|result| result.object == "page" && !result.in_trash))
    }

    /// How many top-level blocks the page holds.
    async fn count_blocks(&self, page_id: &str) -> Result<usize, NotionError> {
        let mut count = 0;
        let mut cursor: Option<String> = None;
        loop {
            let list = self.client.list_block_children(page_id, cursor.as_deref()).await?;
            count += list.results.len();
            match list.next_cursor {
                Some(next) if list.has_more => cursor = Some(next),
                _ => return Ok(count),
            }
        }
    }

    async fn create(
        &self,
        data_source_id: &str,
        document: &Document,
        first: &[BlockObject],
    ) -> Result<ObjectRef, NotionError> {
        let request = CreatePageRequest {
            parent: DataSourceParent { data_source_id: data_source_id.to_owned() },
            properties: render::properties(&document.title, &document.properties, &self.config.properties),
            children: first.to_vec(),
        };
        self.client.create_page(&request).await
    }

    async fn append(&self, page_id: &str, blocks: &[BlockObject]) -> Result<(), NotionError> {
        for chunk in render::chunks(blocks) {
            let request = AppendBlockChildrenRequest { children: chunk.to_vec() };
            self.client.append_block_children(page_id, &request).await?;
        }
        Ok(())
    }

    async fn ensure(&self, document: &Document) -> Result<DocRef, NotionError> {
        let number = document.properties.number.as_str();
        let blocks = render::blocks(&document.blocks);
        let data_source_id = self.data_source_for(document);
        let existing = if number.is_empty() {
            warn!("post-mortem without an incident number: it cannot be looked up before creating");
            None
        } else {
            self.find(data_source_id, number).await?
        };
        let (page, present) = match existing {
            Some(page) => {
                let present = self.count_blocks(&page.id).await?;
                info!(page = %page.id, present, expected = blocks.len(), "post-mortem page already exists");
                (page, present)
            }
            None => {
                let first = render::chunks(&blocks).first().copied().unwrap_or_default();
                let page = self.create(data_source_id, document, first).await?;
                debug!(page = %page.id, blocks = first.len(), "post-mortem page created");
                (page, first.len())
            }
        };
        if let Some(missing) = blocks.get(present..).filter(|rest| !rest.is_empty()) {
            self.append(&page.id, missing).await?;
        } else if present > blocks.len() {
            warn!(page = %page.id, present, expected = blocks.len(), "page holds more blocks than rendered; left as is");
        }
        let url = page.url.clone().unwrap_or_else(|| format!("https://www.notion.so/{}", page.id.replace('-', "")));
        Ok(DocRef { id: page.id, url })
    }
}

#[async_trait]
impl DocsPort for NotionDocs {
    #[instrument(skip_all, fields(number = %document.properties.number), err)]
    async fn create_postmortem(&self, document: &Document) -> Result<DocRef, PortError> {
        Ok(self.ensure(document).await?)
    }
}
