//! Aggregates over many incidents.

use serde::Serialize;

use super::Durations;
use crate::domain::Status;
use crate::ports::MilestoneRow;

/// One aggregated metric, in seconds. `mean`, `median` and `p90` are `None`
/// when `count` is 0. The median of an even count is the mean of the two
/// middle values; p90 is the nearest-rank value (rank ⌈0.9·n⌉), like SQL's
/// `percentile_disc(0.9)`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Stat {
    /// Incidents the metric covers.
    pub count: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// Incidents left out because a milestone was missing.
    pub missing: usize,
}

impl Stat {
    /// Aggregates values; `missing` counts the incidents that had none.
    pub fn of(mut values: Vec<f64>, missing: usize) -> Self {
        let n = values.len();
        if n == 0 {
            return Self { missing, ..Self::default() };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let p90_index = (n * 9).div_ceil(10).max(1) - 1;
        let (lower, p90, _) = values.select_nth_unstable_by(p90_index, f64::total_cmp);
        let p90 = *p90;
        // Everything left of the p90 is at most p90, and the median sits there too.
        let mid = n / 2;
        let (below, upper_mid) = if mid == p90_index {
            (lower, p90)
        } else {
            let (below, upper_mid, _) = lower.select_nth_unstable_by(mid, f64::total_cmp);
            (below, *upper_mid)
        };
        let median = if n % 2 == 1 {
            upper_mid
        } else {
            let lower_mid = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lower_mid + upper_mid) / 2.0
        };
        Self { count: n, mean: Some(mean), median: Some(median), p90: Some(p90), missing }
    }
}

/// MTTA, MTTR (recovery and repair) and MTTD over a set of incidents.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct MetricsReport {
    /// Mean time to acknowledge.
    pub mtta: Stat,
    /// Mean time to recover (started → resolved).
    pub mttr_recovery: Stat,
    /// Mean time to repair (acknowledged → mitigated).
    pub mttr_repair: Stat,
    /// Mean time to declare (started → declared).
    pub mttd: Stat,
    /// Incidents considered (false positives excluded).
    pub incidents: usize,
    /// False positives left out.
    pub false_positives: usize,
}

/// Computes the report over `rows` (already filtered by period, domain, severity).
pub fn compute(rows: &[MilestoneRow]) -> MetricsReport {
    let mut columns: [Vec<f64>; 4] = Default::default();
    let mut false_positives = 0;
    for row in rows {
        if row.status == Status::FalsePositive {
            false_positives += 1;
            continue;
        }
        let d = Durations::of(&row.milestones);
        for (column, value) in columns.iter_mut().zip([d.tta, d.ttr_recovery, d.ttr_repair, d.ttd]) {
            if let Some(v) = value {
                column.push(v);
            }
        }
    }
    let incidents = rows.len() - false_positives;
    let [tta, recovery, repair, ttd] = columns.map(|c| {
        let missing = incidents - c.len();
        Stat::of(c, missing)
    });
    MetricsReport { mtta: tta, mttr_recovery: recovery, mttr_repair: repair, mttd: ttd, incidents, false_positives }
}
