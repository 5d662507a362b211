//! [`Ports`]: the outbound platforms the runbook acts on.

use std::sync::Arc;

use crate::ports::{ChatPort, DocsPort, PagingPort};

/// The outbound platforms effects act on.
#[derive(Clone)]
pub(crate) struct Ports {
    /// Chat.
    pub(crate) chat: Arc<dyn ChatPort>,
    /// Paging.
    pub(crate) pager: Arc<dyn PagingPort>,
    /// Documents.
    pub(crate) docs: Arc<dyn DocsPort>,
}
