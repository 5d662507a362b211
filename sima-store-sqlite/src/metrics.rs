//! Milestones for the metrics. They are read from the snapshot columns,
//! which the core folds from the events and which are written in the same
//! transaction as the events; the `incident_milestones` view recomputes them
//! from the log for BI tools, and the tests check both agree.
//!
//! The rows come back as one JSON array built by SQLite, not row by row:
//! sqlx-sqlite hands each row from its worker thread to the caller through a
//! channel (several microseconds a row), which made reading 100,000
//! incidents take about half a second; one value takes one hand-over. The
//! scan itself reads the covering index `incidents_milestones`.
//!
//! The counts by status and severity behind `/metrics` are counted by SQLite
//! from the index `incidents_status_number`: a few rows come back, however
//! many incidents there are.

use sima_core::domain::IncidentId;
use sima_core::ports::{IncidentCounts, IncidentFilter, MilestoneRow, PortError};
use sima_store_sql::{milestones_query, MilestoneColumns, INCIDENT_COUNTS_QUERY};
use uuid::Uuid;

use crate::db::Db;
use crate::error::{corrupt, port_error};
use crate::filter::{bind_filter, filter_sql};
use crate::time::parse_opt;

/// One incident's columns, in the order of [`milestones_query`].
type Row = (
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The milestones query's rows as one JSON array of arrays.
fn as_one_json_array(query: &str) -> String {
    format!(
        "SELECT json_group_array(json_array(id, number, domain, severity, status, \
         declared_at, started_at, acknowledged_at, mitigated_at, resolved_at)) FROM ({query})"
    )
}

/// Milestones of the incidents matching `filter` (`limit` ignored), by number.
pub(crate) async fn milestones(db: &Db, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
    let sql = as_one_json_array(&milestones_query(&filter_sql(filter)));
    let (json,): (String,) = bind_filter(sqlx::query_as(&sql), filter).fetch_one(&db.pool).await.map_err(port_error)?;
    let rows: Vec<Row> = serde_json::from_str(&json).map_err(|e| corrupt("milestones", e))?;
    let mut rows = rows.into_iter().map(to_row).collect::<Result<Vec<_>, _>>()?;
    // An aggregate's input order is SQLite's to choose; the port promises
    // numbers in order (already so in practice, so this costs one pass).
    rows.sort_by_key(|row| row.number);
    Ok(rows)
}

/// Incidents by status and severity.
pub(crate) async fn incident_counts(db: &Db) -> Result<IncidentCounts, PortError> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as(INCIDENT_COUNTS_QUERY).fetch_all(&db.pool).await.map_err(port_error)?;
    sima_store_sql::incident_counts(rows)
}

fn to_row(row: Row) -> Result<MilestoneRow, PortError> {
    let (id, number, domain, severity, status, declared, started, acknowledged, mitigated, resolved) = row;
    let mut times = [None; 5];
    for (time, text) in times.iter_mut().zip([declared, started, acknowledged, mitigated, resolved]) {
        *time = parse_opt(text.as_deref())?;
    }
    let id = IncidentId::from_uuid(Uuid::parse_str(&id).map_err(|e| corrupt("id", e))?);
    MilestoneRow::try_from(MilestoneColumns { id, number, domain, severity, status, times })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::list_sql;
    use crate::test_plans::{fresh_store, plan};
    use chrono::{TimeZone, Utc};
    use sima_core::domain::{Severity, Status};

    #[tokio::test]
    async fn the_metrics_and_list_scans_read_indexes_not_the_snapshots() {
        let (store, _dir) = fresh_store().await;
        let everything = IncidentFilter::default();
        let narrow = IncidentFilter {
            severity: Some(Severity::Sev1),
            from: Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()),
            ..Default::default()
        };
        for filter in [&everything, &narrow] {
            let milestones = plan(&store, &milestones_query(&filter_sql(filter)), filter).await;
            assert!(milestones.contains("COVERING INDEX incidents_milestones"), "{filter:?}: {milestones}");
        }
        assert!(plan(&store, &list_sql(&narrow), &narrow).await.contains("USING INDEX incidents_milestones"));
        let open = IncidentFilter { status: Some(Status::Investigating), ..narrow };
        assert!(plan(&store, &list_sql(&open), &open).await.contains("USING INDEX incidents_status_number"));
    }

    #[tokio::test]
    async fn the_counts_read_an_index_not_the_snapshots() {
        let (store, _dir) = fresh_store().await;
        let explain = format!("EXPLAIN QUERY PLAN {INCIDENT_COUNTS_QUERY}");
        let steps: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&explain).fetch_all(store.pool()).await.expect("a plan");
        let steps: Vec<String> = steps.into_iter().map(|(.., detail)| detail).collect();
        assert!(steps.iter().any(|s| s.contains("COVERING INDEX")), "{steps:?}");
    }

    #[tokio::test]
    async fn no_incident_reads_as_no_row() {
        let (store, _dir) = fresh_store().await;
        assert_eq!(milestones(&store.db, &IncidentFilter::default()).await.expect("milestones"), vec![]);
    }
}
