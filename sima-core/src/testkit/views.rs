//! The contract for a store's SQL views: the `incident_metrics` view must
//! give, for the same incidents, the numbers the core computes in memory
//! (docs/architecture.md#metric-spec-v1), and `incident_timeline` one row per event. A store's
//! tests read their views through [`SqlViews`]; the checks are the same for all.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::future::join_all;

use super::contract::{generated, write_history};
use crate::domain::{EventKind, Incident, IncidentId};
use crate::metrics::{compute, Durations};
use crate::ports::{IncidentFilter, IncidentStore, MilestoneRow};

/// How many generated incidents the check writes.
const INCIDENTS: u64 = 1_000;

/// One row of a store's `incident_metrics` view, in core types.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsViewRow {
    /// The incident's id.
    pub id: IncidentId,
    /// Its number, as a number.
    pub number: u64,
    /// Its number as people read it (`INC-7`).
    pub incident: String,
    /// Its domain.
    pub domain: String,
    /// Its severity.
    pub severity: String,
    /// Its status.
    pub status: String,
    /// When it was declared.
    pub declared_at: Option<DateTime<Utc>>,
    /// When impact began.
    pub started_at: Option<DateTime<Utc>>,
    /// When it was first acknowledged.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When it was first mitigated.
    pub mitigated_at: Option<DateTime<Utc>>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// TTA, TTR (recovery and repair) and TTD, in seconds.
    pub durations: Durations,
}

/// A row of `incident_timeline` as [`TIMELINE_QUERY`] reads it: incident
/// (`INC-7`), `seq`, `kind`, `status_from`, `status_to`.
pub type TimelineRow = (String, i64, String, Option<String>, Option<String>);

/// The query [`SqlViews::timeline_rows`] runs; both SQL dialects read it.
pub const TIMELINE_QUERY: &str =
    "SELECT incident, seq, kind, status_from, status_to FROM incident_timeline ORDER BY number, seq";

/// A store's SQL views, read by its own tests.
#[async_trait]
pub trait SqlViews: Send + Sync {
    /// Every row of `incident_metrics`, by number.
    async fn metrics_rows(&self) -> Vec<MetricsViewRow>;

    /// Every row of `incident_timeline`, read with [`TIMELINE_QUERY`].
    async fn timeline_rows(&self) -> Vec<TimelineRow>;
}

/// The future of the view check, borrowing the store and its view.
pub type ViewCheckFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>;

/// Writes `count` generated histories, eight at a time; the snapshots by number.
pub async fn write_generated(store: &dyn IncidentStore, count: u64) -> BTreeMap<u64, Incident> {
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

/// The view gives, row by row, the milestones and durations the core
/// computes, and the store's milestones give the core's aggregates.
pub async fn metrics_view_equals_the_core(store: &dyn IncidentStore, view: &dyn SqlViews) {
    let snapshots = write_generated(store, INCIDENTS).await;
    assert_eq!(snapshots.len() as u64, INCIDENTS);
    let rows = view.metrics_rows().await;
    assert_eq!(rows.len() as u64, INCIDENTS, "one row per incident");
    let mut with_each = [0usize; 4];
    for row in &rows {
        let incident = &snapshots[&row.number];
        let m = incident.milestones();
        let d = Durations::of(&m);
        let n = incident.number();
        let expected = MetricsViewRow {
            id: incident.id(),
            number: n.value(),
            incident: n.to_string(),
            domain: incident.domain().as_str().to_owned(),
            severity: incident.severity().as_str().to_owned(),
            status: incident.status().as_str().to_owned(),
            declared_at: Some(m.declared_at),
            started_at: Some(m.started_at),
            acknowledged_at: m.acknowledged_at,
            mitigated_at: m.mitigated_at,
            resolved_at: m.resolved_at,
            durations: d,
        };
        assert_eq!(row, &expected, "{n}");
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

    let mut stored = store.milestones(&IncidentFilter::default()).await.expect("milestones");
    stored.sort_by_key(|r| r.number);
    let expected: Vec<MilestoneRow> = snapshots.values().map(MilestoneRow::from).collect();
    assert_eq!(stored, expected);
    assert_eq!(compute(&stored), compute(&expected));
}

/// `incident_timeline` has one row per event, and its status changes are
/// those of the logs.
pub async fn timeline_has_one_row_per_event(store: &dyn IncidentStore, views: &dyn SqlViews) {
    let snapshots = write_generated(store, 30).await;
    let mut expected = 0usize;
    let mut transitions = Vec::new();
    for incident in snapshots.values() {
        let events = store.events(incident.id()).await.expect("events");
        expected += events.len();
        for e in events {
            if let EventKind::StatusChanged { from, to, .. } = e.kind {
                let (from, to) = (Some(from.to_string()), Some(to.to_string()));
                transitions.push((incident.number().to_string(), e.seq as i64, "status_changed".to_owned(), from, to));
            }
        }
    }
    let all = views.timeline_rows().await;
    assert_eq!(all.len(), expected);
    let rows: Vec<TimelineRow> = all.into_iter().filter(|row| row.2 == "status_changed").collect();
    transitions.sort_by_key(|t| (t.0.trim_start_matches("INC-").parse::<u64>().unwrap_or_default(), t.1));
    assert!(!rows.is_empty());
    assert_eq!(rows, transitions);
}
