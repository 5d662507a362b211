//! The SQL views, read for the testkit's [`SqlViews`] contract: the metrics
//! view against the core's computation, the timeline against the logs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::testkit::views::{MetricsViewRow, SqlViews, TimelineRow, TIMELINE_QUERY};
use sima_core::Durations;

use crate::helpers::TestDb;

#[derive(sqlx::FromRow, Debug)]
struct MetricsRow {
    id: String,
    number: i64,
    incident: String,
    domain: String,
    severity: String,
    status: String,
    declared_at: Option<String>,
    started_at: Option<String>,
    acknowledged_at: Option<String>,
    mitigated_at: Option<String>,
    resolved_at: Option<String>,
    tta_seconds: Option<f64>,
    ttr_recovery_seconds: Option<f64>,
    ttr_repair_seconds: Option<f64>,
    ttd_seconds: Option<f64>,
}

/// Parses a time the view returns.
fn time(text: &Option<String>) -> Option<DateTime<Utc>> {
    text.as_deref().map(|t| DateTime::parse_from_rfc3339(t).expect("RFC 3339").with_timezone(&Utc))
}

#[async_trait]
impl SqlViews for TestDb {
    async fn metrics_rows(&self) -> Vec<MetricsViewRow> {
        let rows: Vec<MetricsRow> = sqlx::query_as("SELECT * FROM incident_metrics ORDER BY number")
            .fetch_all(self.store.pool())
            .await
            .expect("query incident_metrics");
        rows.into_iter()
            .map(|row| {
                // Stored times have exactly three fractional digits, so text order is time order.
                let n = &row.incident;
                assert!(row.declared_at.as_deref().is_some_and(|t| t.len() == 24 && t.ends_with('Z')), "{n}");
                MetricsViewRow {
                    id: row.id.parse().expect("an incident id"),
                    number: row.number as u64,
                    incident: row.incident.clone(),
                    domain: row.domain,
                    severity: row.severity,
                    status: row.status,
                    declared_at: time(&row.declared_at),
                    started_at: time(&row.started_at),
                    acknowledged_at: time(&row.acknowledged_at),
                    mitigated_at: time(&row.mitigated_at),
                    resolved_at: time(&row.resolved_at),
                    durations: Durations {
                        tta: row.tta_seconds,
                        ttr_recovery: row.ttr_recovery_seconds,
                        ttr_repair: row.ttr_repair_seconds,
                        ttd: row.ttd_seconds,
                    },
                }
            })
            .collect()
    }

    async fn timeline_rows(&self) -> Vec<TimelineRow> {
        sqlx::query_as(TIMELINE_QUERY).fetch_all(self.store.pool()).await.expect("query incident_timeline")
    }
}
