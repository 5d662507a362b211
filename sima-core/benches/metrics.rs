//! Aggregating MTTA, MTTR (recovery and repair) and MTTD over 1,000,000
//! incidents' milestones.

use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_main, Criterion};
use sima_core::compute_metrics as compute;
use sima_core::domain::{Domain, IncidentId, IncidentNumber, Milestones, Severity, Status};
use sima_core::ports::MilestoneRow;

fn rows(n: u64) -> Vec<MilestoneRow> {
    let base: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("valid time");
    let domain = Domain::parse("api").expect("valid domain");
    (1..=n)
        .map(|i| {
            // A cheap deterministic spread of durations.
            let x = i.wrapping_mul(2_654_435_761) % 10_000;
            let declared = base + Duration::seconds(i as i64 * 60);
            let started = declared - Duration::seconds((x % 900) as i64);
            let acknowledged = (x % 10 != 0).then(|| declared + Duration::seconds((x % 1800) as i64));
            let mitigated = acknowledged.filter(|_| x % 7 != 0).map(|a| a + Duration::seconds(x as i64));
            let resolved = mitigated.filter(|_| x % 5 != 0).map(|m| m + Duration::seconds((x % 3600) as i64));
            MilestoneRow {
                id: IncidentId::new(),
                number: IncidentNumber::new(i).expect("positive"),
                domain: domain.clone(),
                severity: Severity::ALL[(x % 4) as usize],
                status: if x % 50 == 0 { Status::FalsePositive } else { Status::Resolved },
                milestones: Milestones {
                    declared_at: declared,
                    started_at: started,
                    acknowledged_at: acknowledged,
                    mitigated_at: mitigated,
                    resolved_at: resolved,
                },
            }
        })
        .collect()
}

fn aggregate(c: &mut Criterion) {
    let rows = rows(1_000_000);
    let mut group = c.benchmark_group("metrics");
    group.sample_size(20);
    group.bench_function("compute over 1,000,000 incidents", |b| b.iter(|| compute(std::hint::black_box(&rows))));
    group.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::aggregate);
}
criterion_main!(group::benches);
