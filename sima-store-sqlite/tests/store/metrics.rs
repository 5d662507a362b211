//! The SQL views against the core's computation.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::future::join_all;
use sima_core::domain::{EventKind, Incident};
use sima_core::ports::{IncidentFilter, IncidentStore, Incidents, MilestoneRow};
use sima_core::testkit::contract::{generated, write_history};
use sima_core::{compute_metrics as compute, Durations};

use crate::helpers::TestDb;

const INCIDENTS: u64 = 1_000;

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

async fn write_generated(store: &dyn IncidentStore, count: u64) -> BTreeMap<u64, Incident> {
    let mut snapshots = BTreeMap::new();
    let ids: Vec<u64> = (0..count).collect();
    for chunk in ids.chunks(8) {
        let written = join_all(chunk.iter().map(|n| async move { write_history(store, &generated(*n)).await })).await;
        for incident in written {
            snapshots.insert(incident.number().value(), incident);
        }
    }
    snapshots
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_metrics_equals_the_core_for_1000_generated_incidents() {
    let db = TestDb::create().await;
    let snapshots = write_generated(&db.store, INCIDENTS).await;
    assert_eq!(snapshots.len() as u64, INCIDENTS);

    let rows: Vec<MetricsRow> = sqlx::query_as("SELECT * FROM incident_metrics ORDER BY number")
        .fetch_all(db.store.pool())
        .await
        .expect("query incident_metrics");
    assert_eq!(rows.len() as u64, INCIDENTS, "one row per incident");
    let mut with_each = [0usize; 4];
    for row in &rows {
        let incident = &snapshots[&(row.number as u64)];
        let m = incident.milestones();
        let d = Durations::of(&m);
        let n = &incident.number();
        assert_eq!(row.id, incident.id().to_string(), "{n}");
        assert_eq!(row.incident, n.to_string());
        assert_eq!(
            (row.domain.as_str(), row.severity.as_str(), row.status.as_str()),
            (incident.domain().as_str(), incident.severity().as_str(), incident.status().as_str()),
            "{n}"
        );
        assert_eq!(time(&row.declared_at), Some(m.declared_at), "{n} declared_at");
        assert_eq!(time(&row.started_at), Some(m.started_at), "{n} started_at");
        assert_eq!(time(&row.acknowledged_at), m.acknowledged_at, "{n} acknowledged_at");
        assert_eq!(time(&row.mitigated_at), m.mitigated_at, "{n} mitigated_at");
        assert_eq!(time(&row.resolved_at), m.resolved_at, "{n} resolved_at");
        // Stored times have exactly three fractional digits, so text order is time order.
        assert!(row.declared_at.as_deref().is_some_and(|t| t.len() == 24 && t.ends_with('Z')), "{n}");
        assert_eq!(row.tta_seconds, d.tta, "{n} tta");
        assert_eq!(row.ttr_recovery_seconds, d.ttr_recovery, "{n} ttr_recovery");
        assert_eq!(row.ttr_repair_seconds, d.ttr_repair, "{n} ttr_repair");
        assert_eq!(row.ttd_seconds, d.ttd, "{n} ttd");
        for (count, value) in with_each.iter_mut().zip([d.tta, d.ttr_recovery, d.ttr_repair, d.ttd]) {
            *count += usize::from(value.is_some());
        }
    }
    // The generated set must exercise every column, or the comparison proves little.
    assert!(with_each.iter().all(|c| *c > 100 && *c < INCIDENTS as usize + 1), "{with_each:?}");
    let reopened = snapshots
        .values()
        .filter(|i| i.milestones().mitigated_at.is_some() && i.milestones().resolved_at.is_none())
        .count();
    assert!(reopened > 10, "some incidents were mitigated and not (or no longer) resolved: {reopened}");

    let mut stored = db.store.milestones(&IncidentFilter::default()).await.expect("milestones");
    stored.sort_by_key(|r| r.number);
    let expected: Vec<MilestoneRow> = snapshots.values().map(MilestoneRow::from).collect();
    assert_eq!(stored, expected);
    assert_eq!(compute(&stored), compute(&expected));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_timeline_has_one_row_per_event() {
    let db = TestDb::create().await;
    let snapshots = write_generated(&db.store, 30).await;
    let mut expected = 0usize;
    let mut transitions = Vec::new();
    for incident in snapshots.values() {
        let events = db.store.events(incident.id()).await.expect("events");
        expected += events.len();
        for e in events {
            if let EventKind::StatusChanged { from, to, .. } = e.kind {
                transitions.push((incident.number().to_string(), e.seq as i64, from.to_string(), to.to_string()));
            }
        }
    }
    let (count,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM incident_timeline").fetch_one(db.store.pool()).await.unwrap();
    assert_eq!(count as usize, expected);
    let rows: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT incident, seq, status_from, status_to FROM incident_timeline WHERE kind = 'status_changed' ORDER BY number, seq",
    )
    .fetch_all(db.store.pool())
    .await
    .unwrap();
    transitions.sort_by_key(|t| (t.0.trim_start_matches("INC-").parse::<u64>().unwrap(), t.1));
    assert!(!rows.is_empty());
    assert_eq!(rows, transitions);
}
