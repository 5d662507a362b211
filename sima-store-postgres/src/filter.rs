//! The filter of `list` and `milestones` as SQL over `incidents` aliased `i`,
//! and its bind values.

use chrono::{DateTime, Utc};
use sima_core::ports::IncidentFilter;

/// Filters shared by `list` and `milestones`, as bind values.
pub(crate) struct FilterArgs {
    pub(crate) status: Option<&'static str>,
    pub(crate) domain: Option<String>,
    pub(crate) severity: Option<&'static str>,
    pub(crate) from: Option<DateTime<Utc>>,
    pub(crate) to: Option<DateTime<Utc>>,
}

impl From<&IncidentFilter> for FilterArgs {
    fn from(f: &IncidentFilter) -> Self {
        Self {
            status: f.status.map(|s| s.as_str()),
            domain: f.domain.as_ref().map(|d| d.as_str().to_owned()),
            severity: f.severity.map(|s| s.as_str()),
            from: f.from,
            to: f.to,
        }
    }
}

/// The `WHERE` clause over `incidents` aliased `i`, binding `$1`..`$5`.
pub(crate) const FILTER_SQL: &str = "($1::text IS NULL OR i.status = $1)
    AND ($2::text IS NULL OR i.domain = $2)
    AND ($3::text IS NULL OR i.severity = $3)
    AND ($4::timestamptz IS NULL OR i.declared_at >= $4)
    AND ($5::timestamptz IS NULL OR i.declared_at < $5)";
