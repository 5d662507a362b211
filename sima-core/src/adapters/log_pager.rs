//! Paging that logs what it would send.

use async_trait::async_trait;
use tracing::info;

use crate::domain::PageRef;
use crate::ports::{Page, PagingPort, PortError};

/// Logs every page and returns its reference.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogPager;

#[async_trait]
impl PagingPort for LogPager {
    async fn trigger(&self, page: &Page) -> Result<PageRef, PortError> {
        info!(service = %page.service, dedup_key = %page.dedup_key, severity = %page.severity, summary = %page.summary, "paging (log-only): trigger");
        Ok(PageRef { dedup_key: page.dedup_key.clone(), service: page.service.clone() })
    }

    async fn acknowledge(&self, page: &PageRef) -> Result<(), PortError> {
        info!(dedup_key = %page.dedup_key, "paging (log-only): acknowledge");
        Ok(())
    }

    async fn resolve(&self, page: &PageRef) -> Result<(), PortError> {
        info!(dedup_key = %page.dedup_key, "paging (log-only): resolve");
        Ok(())
    }
}
