//! Milestones for the metrics. They are read from the snapshot columns,
//! which the core folds from the events and which are written in the same
//! transaction as the events; the `incident_milestones` view recomputes them
//! from the log for BI tools, and the tests check both agree.

use sima_core::domain::IncidentId;
use sima_core::ports::sql::{milestones_query, MilestoneColumns};
use sima_core::ports::{IncidentFilter, MilestoneRow, PortError};
use uuid::Uuid;

use crate::db::Db;
use crate::error::{corrupt, port_error};
use crate::incidents::{bind_filter, filter_sql};
use crate::time::parse_opt;

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

/// Milestones of the incidents matching `filter` (`limit` ignored), by number.
pub(crate) async fn milestones(db: &Db, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
    let sql = milestones_query(&filter_sql(filter));
    let rows: Vec<Row> = bind_filter(sqlx::query_as(&sql), filter).fetch_all(&db.pool).await.map_err(port_error)?;
    rows.into_iter().map(to_row).collect()
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
