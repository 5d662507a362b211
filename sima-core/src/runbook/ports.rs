//! [`Ports`]: the outbound platforms the runbook acts on.

use std::sync::Arc;

use crate::ports::{ChatPort, DocsPort, PagingPort};

/// The outbound platforms effects act on.
#[derive(Clone)]
pub struct Ports {
    /// Chat.
    pub chat: Arc<dyn ChatPort>,
    /// Paging.
    pub pager: Arc<dyn PagingPort>,
    /// Documents.
    pub docs: Arc<dyn DocsPort>,
}
