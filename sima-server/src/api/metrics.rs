//! `GET /api/v1/metrics?from&to&domain&severity`.

use axum::extract::{Query, State};
use axum::Json;
use serde_json::{json, Value};
use sima_core::Stat;

use super::query::FilterQuery;
use crate::error::ApiError;
use crate::state::AppState;

fn stat(s: &Stat) -> Value {
    json!({ "count": s.count, "mean": s.mean, "median": s.median, "p90": s.p90, "missing": s.missing })
}

/// MTTA, MTTR (recovery and repair) and MTTD in seconds.
pub(super) async fn report(
    State(state): State<AppState>,
    query: Result<Query<FilterQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let mut filter = query.parse()?;
    if filter.status.is_some() || filter.limit.is_some() || query.cursor()?.is_some() {
        return Err(ApiError::invalid("metrics filter on `from`, `to`, `domain` and `severity` only"));
    }
    filter.limit = None;
    let r = state.service.metrics(&filter).await?;
    Ok(Json(json!({
        "mtta": stat(&r.mtta),
        "mttr_recovery": stat(&r.mttr_recovery),
        "mttr_repair": stat(&r.mttr_repair),
        "mttd": stat(&r.mttd),
        "incidents": r.incidents,
        "false_positives": r.false_positives,
    })))
}
