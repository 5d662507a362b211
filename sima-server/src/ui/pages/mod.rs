//! The dashboard's pages, one per file.

pub(crate) mod followups;
pub(crate) mod incident;
pub(crate) mod list;
pub(crate) mod metrics;
