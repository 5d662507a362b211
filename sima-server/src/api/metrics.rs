//! `GET /api/v1/metrics?from&to&domain&severity&type`.

use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde::Serialize;
use sima_core::ports::{IncidentFilter, MilestoneRow};
use sima_core::{compute_metrics, MetricsReport, ServiceError, Stat};
use utoipa::ToSchema;

use super::query::MetricsQuery;
use crate::error::{ApiError, ErrorBody};
use crate::guard::visibility::Viewer;
use crate::guard::Caller;
use crate::state::AppState;

/// One metric over the incidents considered, in seconds.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Stat)]
pub(super) struct StatView {
    /// Incidents the metric covers.
    count: usize,
    /// Mean (null when `count` is 0).
    #[schema(required = true)]
    mean: Option<f64>,
    /// Median (null when `count` is 0).
    #[schema(required = true)]
    median: Option<f64>,
    /// 90th percentile (null when `count` is 0).
    #[schema(required = true)]
    p90: Option<f64>,
    /// Incidents left out because a milestone was missing.
    missing: usize,
}

impl From<&Stat> for StatView {
    fn from(s: &Stat) -> Self {
        Self { count: s.count, mean: s.mean, median: s.median, p90: s.p90, missing: s.missing }
    }
}

/// MTTA, MTTR (recovery and repair) and MTTD over a period.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Metrics)]
pub(super) struct MetricsView {
    /// Mean time to acknowledge (declared → acknowledged).
    mtta: StatView,
    /// Mean time to recover (started → resolved).
    mttr_recovery: StatView,
    /// Mean time to repair (acknowledged → mitigated).
    mttr_repair: StatView,
    /// Mean time to declare (started → declared).
    mttd: StatView,
    /// Incidents considered (false positives excluded).
    incidents: usize,
    /// False positives left out.
    false_positives: usize,
}

impl From<&MetricsReport> for MetricsView {
    fn from(r: &MetricsReport) -> Self {
        Self {
            mtta: StatView::from(&r.mtta),
            mttr_recovery: StatView::from(&r.mttr_recovery),
            mttr_repair: StatView::from(&r.mttr_repair),
            mttd: StatView::from(&r.mttd),
            incidents: r.incidents,
            false_positives: r.false_positives,
        }
    }
}

/// Incident metrics.
///
/// MTTA, MTTR (recovery and repair) and MTTD in seconds, over the incidents
/// declared from `from` to `to`. With `type`, over the incidents of that
/// type the caller may see (the read token: public ones only).
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "get_metrics",
    tag = "metrics",
    params(
        ("from" = Option<String>, Query, format = DateTime, description = "Declared at or after (RFC 3339)"),
        ("to" = Option<String>, Query, format = DateTime, description = "Declared before (RFC 3339)"),
        ("domain" = Option<String>, Query, description = "Only this domain"),
        ("severity" = Option<String>, Query, description = "Only this severity (`sev1`…`sev4`)"),
        ("type" = Option<String>, Query, max_length = 40, example = "security",
            description = "Only incidents of this type (one of `[[incident_types]]`)"),
    ),
    responses(
        (status = 200, description = "The metrics", body = MetricsView),
        (status = 400, description = "A filter is invalid, an unknown type, or not one of these five", body = ErrorBody),
    ),
)]
pub(super) async fn report(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<MetricsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<MetricsView>, ApiError> {
    let Query(query) = query?;
    let (filter, incident_type) = query.parse(&state.service.config().schema)?;
    let report = match incident_type {
        None => state.service.metrics(&filter).await?,
        Some(name) => of_type(&state, &Viewer::of(caller), &filter, &name).await?,
    };
    Ok(Json(MetricsView::from(&report)))
}

/// The metrics of the incidents of `filter` of type `name` that `viewer`
/// may see: a type filter never tells who cannot see a private incident
/// that it exists, nor its type.
async fn of_type(
    state: &AppState,
    viewer: &Viewer,
    filter: &IncidentFilter,
    name: &str,
) -> Result<MetricsReport, ServiceError> {
    Ok(compute_metrics(&rows_of_type(state, viewer, filter, name).await?))
}

/// The milestones of the incidents of `filter` of type `name` that `viewer`
/// may see, in the order the metrics read them (the dashboard's too).
///
/// # Errors
/// The store failed.
pub(crate) async fn rows_of_type(
    state: &AppState,
    viewer: &Viewer,
    filter: &IncidentFilter,
    name: &str,
) -> Result<Vec<MilestoneRow>, ServiceError> {
    let incidents = viewer.list(state, filter).await?;
    Ok(incidents.iter().filter(|i| i.incident_type() == Some(name)).map(MilestoneRow::from).collect())
}
