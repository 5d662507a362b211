//! The durations of one incident.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::Milestones;

/// Per-incident durations in seconds; `None` when a milestone is missing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Durations {
    /// Time to acknowledge: acknowledged − declared.
    pub tta: Option<f64>,
    /// Time to recover: resolved − started.
    pub ttr_recovery: Option<f64>,
    /// Time to repair: mitigated − acknowledged.
    pub ttr_repair: Option<f64>,
    /// Time to declare: declared − started.
    pub ttd: Option<f64>,
}

fn seconds(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Option<f64> {
    to.map(|to| (to - from).num_milliseconds() as f64 / 1000.0)
}

impl Durations {
    /// The durations of an incident with these milestones.
    pub fn of(m: &Milestones) -> Self {
        Self {
            tta: seconds(m.declared_at, m.acknowledged_at),
            ttr_recovery: seconds(m.started_at, m.resolved_at),
            ttr_repair: m.acknowledged_at.and_then(|ack| seconds(ack, m.mitigated_at)),
            ttd: seconds(m.started_at, Some(m.declared_at)),
        }
    }
}
