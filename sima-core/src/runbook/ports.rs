//! [`Ports`]: the outbound platforms the runbook acts on.

use std::sync::Arc;

use crate::ports::{ChatPort, Clock, DocsPort, PagingPort, StatusPagePort, TrackerPort};

/// The outbound platforms effects act on.
#[derive(Clone)]
pub(crate) struct Ports {
    /// Chat.
    pub(crate) chat: Arc<dyn ChatPort>,
    /// Paging.
    pub(crate) pager: Arc<dyn PagingPort>,
    /// Documents.
    pub(crate) docs: Arc<dyn DocsPort>,
    /// The issue tracker, if one is configured.
    pub(crate) tracker: Option<Arc<dyn TrackerPort>>,
    /// The hosted status page public updates are pushed to, if one is configured.
    pub(crate) status_page: Option<Arc<dyn StatusPagePort>>,
    /// Where time comes from (how long the status page went without an update).
    pub(crate) clock: Arc<dyn Clock>,
}
