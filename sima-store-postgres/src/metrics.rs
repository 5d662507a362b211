//! Milestones for the metrics. They are read from the snapshot columns,
//! which the core folds from the events and which are written in the same
//! transaction as the events; the `incident_milestones` view recomputes them
//! from the log for BI tools, and the tests check both agree. The counts by
//! status and severity behind `/metrics` are counted by PostgreSQL: a few
//! rows come back, however many incidents there are.

use chrono::{DateTime, Utc};
use sima_core::domain::IncidentId;
use sima_core::ports::{IncidentCounts, IncidentFilter, MilestoneRow, PortError};
use sima_store_sql::{milestones_query, MilestoneColumns, INCIDENT_COUNTS_QUERY};
use sqlx::postgres::PgPool;
use uuid::Uuid;

use crate::error::port_error;
use crate::filter::{FilterArgs, FILTER_SQL};

type Row = (
    Uuid,
    i64,
    String,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// Incidents by status and severity.
pub(crate) async fn incident_counts(pool: &PgPool) -> Result<IncidentCounts, PortError> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as(INCIDENT_COUNTS_QUERY).fetch_all(pool).await.map_err(port_error)?;
    sima_store_sql::incident_counts(rows)
}

/// Milestones of the incidents matching `filter` (`limit` ignored), by number.
pub(crate) async fn milestones(pool: &PgPool, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
    let args = FilterArgs::from(filter);
    let sql = milestones_query(FILTER_SQL);
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(args.status)
        .bind(args.domain)
        .bind(args.severity)
        .bind(args.from)
        .bind(args.to)
        .fetch_all(pool)
        .await
        .map_err(port_error)?;
    rows.into_iter().map(to_row).collect()
}

fn to_row(row: Row) -> Result<MilestoneRow, PortError> {
    let (id, number, domain, severity, status, declared, started, acknowledged, mitigated, resolved) = row;
    let times = [declared, started, acknowledged, mitigated, resolved];
    MilestoneRow::try_from(MilestoneColumns { id: IncidentId::from_uuid(id), number, domain, severity, status, times })
}
