//! The paging platform: wake the on-call.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::PortError;
use crate::domain::{PageRef, Severity};

/// A link shown on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Label (`Incident channel`).
    pub label: String,
    /// Target.
    pub url: String,
}

/// An alert for an on-call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Identifies the alert: triggering twice with one key raises one alert.
    pub dedup_key: String,
    /// Who is paged: the domain slug, mapped by the adapter to its routing.
    pub service: String,
    /// One line.
    pub summary: String,
    /// Incident severity; adapters map it to their scale.
    pub severity: Severity,
    /// When the incident was declared.
    pub timestamp: DateTime<Utc>,
    /// Links (incident room first).
    pub links: Vec<Link>,
    /// Extra facts (number, impact, reporter, description).
    pub details: BTreeMap<String, String>,
}

/// A paging platform (PagerDuty, Opsgenie…).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PagingPort: Send + Sync {
    /// Raises (or re-raises, idempotently by `dedup_key`) an alert.
    ///
    /// # Errors
    /// `Invalid` if the platform refuses the event (never retried);
    /// `RateLimited`/`Transient` when busy or unreachable.
    async fn trigger(&self, page: &Page) -> Result<PageRef, PortError>;

    /// Acknowledges the alert with this key.
    ///
    /// # Errors
    /// As [`PagingPort::trigger`].
    async fn acknowledge(&self, page: &PageRef) -> Result<(), PortError>;

    /// Resolves the alert with this key.
    ///
    /// # Errors
    /// As [`PagingPort::trigger`].
    async fn resolve(&self, page: &PageRef) -> Result<(), PortError>;
}
