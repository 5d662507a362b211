//! The filter of `list` and `milestones` as SQL over `incidents` aliased `i`,
//! and its bind values.

use sima_core::ports::IncidentFilter;
use sqlx::sqlite::SqliteArguments;
use sqlx::Sqlite;

use crate::time::ts_opt;

/// The incidents matching `f`, newest first, at most `?6` of them (-1: all).
pub(crate) fn list_sql(f: &IncidentFilter) -> String {
    format!("SELECT snapshot FROM incidents i WHERE {} ORDER BY i.number DESC LIMIT ?6", filter_sql(f))
}

/// The `WHERE` clause over `incidents` aliased `i` for `f`, binding
/// `?1`..`?5`. A criterion the filter leaves open is written `?n IS NULL`
/// (true once bound), never `(?n IS NULL OR …)`: SQLite can then use an index
/// on every criterion that is set (status, period).
pub(crate) fn filter_sql(f: &IncidentFilter) -> String {
    let criteria = [
        (f.status.is_some(), "i.status = ?1", "?1 IS NULL"),
        (f.domain.is_some(), "i.domain = ?2", "?2 IS NULL"),
        (f.severity.is_some(), "i.severity = ?3", "?3 IS NULL"),
        (f.from.is_some(), "i.declared_at >= ?4", "?4 IS NULL"),
        (f.to.is_some(), "i.declared_at < ?5", "?5 IS NULL"),
    ];
    let terms: Vec<&str> = criteria.iter().map(|(set, term, open)| if *set { *term } else { *open }).collect();
    terms.join(" AND ")
}

/// Binds a filter's `?1`..`?5`.
pub(crate) fn bind_filter<'q, O>(
    query: sqlx::query::QueryAs<'q, Sqlite, O, SqliteArguments<'q>>,
    f: &IncidentFilter,
) -> sqlx::query::QueryAs<'q, Sqlite, O, SqliteArguments<'q>> {
    query
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.domain.as_ref().map(|d| d.as_str().to_owned()))
        .bind(f.severity.map(|s| s.as_str()))
        .bind(ts_opt(f.from))
        .bind(ts_opt(f.to))
}
