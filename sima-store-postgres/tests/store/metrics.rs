//! The SQL views, read for the testkit's [`SqlViews`] contract: the metrics
//! view against the core's computation, the timeline against the logs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::domain::IncidentId;
use sima_core::testkit::views::{MetricsViewRow, SqlViews, TimelineRow, TIMELINE_QUERY};
use sima_core::Durations;
use uuid::Uuid;

use crate::helpers::TestDb;

#[derive(sqlx::FromRow, Debug)]
struct MetricsRow {
    id: Uuid,
    number: i64,
    incident: String,
    domain: String,
    severity: String,
    status: String,
    declared_at: Option<DateTime<Utc>>,
    started_at: Option<DateTime<Utc>>,
    acknowledged_at: Option<DateTime<Utc>>,
    mitigated_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    tta_seconds: Option<f64>,
    ttr_recovery_seconds: Option<f64>,
    ttr_repair_seconds: Option<f64>,
    ttd_seconds: Option<f64>,
}

#[async_trait]
impl SqlViews for TestDb {
    async fn metrics_rows(&self) -> Vec<MetricsViewRow> {
        let rows: Vec<MetricsRow> = sqlx::query_as("SELECT * FROM incident_metrics ORDER BY number")
            .fetch_all(self.store.pool())
            .await
            .expect("query incident_metrics");
        rows.into_iter()
            .map(|row| MetricsViewRow {
                id: IncidentId::from_uuid(row.id),
                number: row.number as u64,
                incident: row.incident,
                domain: row.domain,
                severity: row.severity,
                status: row.status,
                declared_at: row.declared_at,
                started_at: row.started_at,
                acknowledged_at: row.acknowledged_at,
                mitigated_at: row.mitigated_at,
                resolved_at: row.resolved_at,
                durations: Durations {
                    tta: row.tta_seconds,
                    ttr_recovery: row.ttr_recovery_seconds,
                    ttr_repair: row.ttr_repair_seconds,
                    ttd: row.ttd_seconds,
                },
            })
            .collect()
    }

    async fn timeline_rows(&self) -> Vec<TimelineRow> {
        sqlx::query_as(TIMELINE_QUERY).fetch_all(self.store.pool()).await.expect("query incident_timeline")
    }
}
