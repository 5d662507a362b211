//! Every formula on hand-computed timelines.

use super::*;
use crate::domain::tests::{declared, run, t};
use crate::domain::{Command, FieldEdit, Status};
use crate::ports::MilestoneRow;

fn status(to: Status) -> Command {
    Command::ChangeStatus { to, message: None }
}

fn row_after(steps: &[(Command, i64)]) -> MilestoneRow {
    let mut incident = declared(t(0));
    for (command, minute) in steps {
        run(&mut incident, command.clone(), t(*minute)).unwrap();
    }
    MilestoneRow::from(&incident)
}

#[test]
fn one_incident_gives_each_duration() {
    // declared 10:00, started backdated to 09:50, ack 10:05, monitoring 10:25, resolved 10:40.
    let row = row_after(&[
        (Command::Edit(FieldEdit::StartedAt(t(-10))), 1),
        (status(Status::Investigating), 5),
        (status(Status::Monitoring), 25),
        (status(Status::Resolved), 40),
    ]);
    let d = Durations::of(&row.milestones);
    assert_eq!(d.tta, Some(300.0));
    assert_eq!(d.ttr_recovery, Some(3000.0));
    assert_eq!(d.ttr_repair, Some(1200.0));
    assert_eq!(d.ttd, Some(600.0));
}

#[test]
fn reopened_incident_uses_first_mitigation_and_last_resolution() {
    let row = row_after(&[
        (status(Status::Investigating), 2),
        (status(Status::Resolved), 10),
        (status(Status::Investigating), 15),
        (status(Status::Monitoring), 30),
        (status(Status::Resolved), 45),
    ]);
    let d = Durations::of(&row.milestones);
    assert_eq!(d.tta, Some(120.0));
    assert_eq!(d.ttr_repair, Some(480.0), "mitigated at the first resolution, 10:10");
    assert_eq!(d.ttr_recovery, Some(2700.0), "resolved at the last resolution, 10:45");
}

#[test]
fn while_reopened_recovery_is_missing() {
    let row = row_after(&[(status(Status::Resolved), 10), (status(Status::Investigating), 15)]);
    let d = Durations::of(&row.milestones);
    assert_eq!(d.ttr_recovery, None);
    assert_eq!(d.tta, Some(600.0), "resolving straight from open acknowledges too");
    assert_eq!(d.ttr_repair, Some(0.0));
}

#[test]
fn aggregates_exclude_false_positives_and_count_missing_milestones() {
    let rows = vec![
        row_after(&[(status(Status::Investigating), 1), (status(Status::Resolved), 11)]),
        row_after(&[(status(Status::Investigating), 3), (status(Status::Resolved), 23)]),
        row_after(&[(status(Status::Investigating), 5)]),
        row_after(&[(status(Status::Investigating), 10), (status(Status::Resolved), 70)]),
        row_after(&[]),
        row_after(&[(status(Status::FalsePositive), 1)]),
    ];
    let report = compute(&rows);
    assert_eq!((report.incidents, report.false_positives), (5, 1));
    // TTA: 60, 180, 300, 600 (one open incident missing).
    assert_eq!(report.mtta.count, 4);
    assert_eq!(report.mtta.missing, 1);
    assert_eq!(report.mtta.mean, Some(285.0));
    assert_eq!(report.mtta.median, Some(240.0));
    assert_eq!(report.mtta.p90, Some(600.0));
    // Recovery: 660, 1380, 4200.
    assert_eq!(report.mttr_recovery.count, 3);
    assert_eq!(report.mttr_recovery.missing, 2);
    assert_eq!(report.mttr_recovery.mean, Some(2080.0));
    assert_eq!(report.mttr_recovery.median, Some(1380.0));
    assert_eq!(report.mttr_recovery.p90, Some(4200.0));
    // Repair: 600, 1200, 3600.
    assert_eq!(report.mttr_repair.mean, Some(1800.0));
    // Detection: all zero (no backdating).
    assert_eq!((report.mttd.count, report.mttd.mean), (5, Some(0.0)));
}

#[test]
fn stats_follow_the_documented_definitions() {
    let stat = Stat::of((1..=10).map(f64::from).collect(), 0);
    assert_eq!((stat.mean, stat.median, stat.p90), (Some(5.5), Some(5.5), Some(9.0)));
    let stat = Stat::of((1..=11).map(f64::from).collect(), 0);
    assert_eq!((stat.median, stat.p90), (Some(6.0), Some(10.0)));
    let one = Stat::of(vec![42.0], 3);
    assert_eq!((one.count, one.median, one.p90, one.missing), (1, Some(42.0), Some(42.0), 3));
    let none = Stat::of(vec![], 2);
    assert_eq!((none.count, none.mean, none.missing), (0, None, 2));
}

proptest::proptest! {
    #[test]
    fn stats_equal_a_full_sort(values in proptest::collection::vec(-1e6f64..1e6, 1..200)) {
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        let p90 = sorted[(n * 9).div_ceil(10) - 1];
        let stat = Stat::of(values, 0);
        proptest::prop_assert_eq!(stat.median, Some(median));
        proptest::prop_assert_eq!(stat.p90, Some(p90));
    }
}
