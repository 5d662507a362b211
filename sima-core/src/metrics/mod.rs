//! Metric spec v1 (docs/architecture.md#metric-spec-v1): per-incident durations from
//! milestones, and count / mean / median / p90 aggregates over many incidents.
//!
//! Durations are in seconds (millisecond precision). `false_positive`
//! incidents are excluded; an incident without a milestone a metric needs is
//! left out of that metric and counted in its `missing`.

mod aggregate;
mod durations;

pub use aggregate::{compute, MetricsReport, Stat};
pub use durations::Durations;

#[cfg(test)]
mod tests;
