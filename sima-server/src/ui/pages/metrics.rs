//! `GET /ui/metrics`: the metric spec's numbers for a period and filter (the
//! same computation as `GET /api/v1/metrics`), with charts per week.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Extension;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use maud::{html, Markup};
use sima_core::domain::Severity;
use sima_core::ports::MilestoneRow;
use sima_core::{compute_metrics, human_duration, Durations, MetricsReport, SeverityDescriptions, Stat};

use crate::api::metrics::rows_of_type;
use crate::state::AppState;
use crate::ui::access::SignedIn;
use crate::ui::charts::{bars, time_unit, Series};
use crate::ui::field_filter::{type_select, FieldFilter};
use crate::ui::filters::PageQuery;
use crate::ui::layout::{page, PageError};
use crate::ui::pages::list::filter_form_with;
use crate::ui::visibility::viewer;

/// The most weeks drawn (the latest ones).
const WEEKS: usize = 26;

/// Time to recover, in buckets: upper bound in seconds and label.
const RECOVERY_BUCKETS: [(f64, &str); 6] = [
    (900.0, "< 15m"),
    (3600.0, "15m–1h"),
    (4.0 * 3600.0, "1h–4h"),
    (86_400.0, "4h–1d"),
    (7.0 * 86_400.0, "1d–7d"),
    (f64::INFINITY, "≥ 7d"),
];

/// Age of open incidents, in buckets: upper bound in seconds and label.
const AGE_BUCKETS: [(f64, &str); 5] = [
    (3600.0, "< 1h"),
    (86_400.0, "1h–1d"),
    (7.0 * 86_400.0, "1d–7d"),
    (30.0 * 86_400.0, "7d–30d"),
    (f64::INFINITY, "≥ 30d"),
];

/// The Monday that starts the week of `at`.
fn week_of(at: DateTime<Utc>) -> NaiveDate {
    let day = at.date_naive();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// How many of `values` fall in each bucket.
fn histogram(values: impl Iterator<Item = f64>, buckets: &[(f64, &str)]) -> Vec<f64> {
    let mut counts = vec![0.0; buckets.len()];
    for v in values {
        if let Some(i) = buckets.iter().position(|(upper, _)| v < *upper) {
            counts[i] += 1.0;
        }
    }
    counts
}

/// The charts of `rows`, as of `now`; the rows are put in order of
/// declaration so that each week is one slice of them.
fn charts(rows: &mut [MilestoneRow], now: DateTime<Utc>, names: &SeverityDescriptions) -> Markup {
    rows.sort_by_key(|row| row.milestones.declared_at);
    let weeks: Vec<(NaiveDate, &[MilestoneRow])> = rows
        .chunk_by(|a, b| week_of(a.milestones.declared_at) == week_of(b.milestones.declared_at))
        .map(|week| (week_of(week[0].milestones.declared_at), week))
        .collect();
    let latest = &weeks[weeks.len().saturating_sub(WEEKS)..];
    let labels: Vec<String> = latest.iter().map(|(w, _)| w.format("%m-%d").to_string()).collect();
    let reports: Vec<MetricsReport> = latest.iter().map(|(_, rows)| compute_metrics(rows)).collect();
    let longest = reports.iter().flat_map(|r| [&r.mtta, &r.mttr_recovery, &r.mttr_repair]).filter_map(|s| s.mean);
    let (unit, seconds) = time_unit(longest.fold(0.0, f64::max));
    let per_week = |name, class, f: fn(&MetricsReport) -> &Stat| Series {
        name,
        class,
        values: reports.iter().map(|r| f(r).mean.unwrap_or(0.0) / seconds).collect(),
    };
    let mttx = [
        per_week("MTTA", "mtta", |r| &r.mtta),
        per_week("MTTR (recovery)", "recovery", |r| &r.mttr_recovery),
        per_week("MTTR (repair)", "repair", |r| &r.mttr_repair),
    ];
    let by_severity: Vec<Series> = Severity::ALL
        .iter()
        .map(|s| Series {
            name: names.label(*s),
            class: s.as_str(),
            values: latest.iter().map(|(_, rows)| rows.iter().filter(|r| r.severity == *s).count() as f64).collect(),
        })
        .collect();
    let recovery = histogram(rows.iter().filter_map(|r| Durations::of(&r.milestones).ttr_recovery), &RECOVERY_BUCKETS);
    let ages = histogram(
        rows.iter().filter(|r| r.status.is_active()).map(|r| (now - r.milestones.declared_at).num_seconds() as f64),
        &AGE_BUCKETS,
    );
    let names = |buckets: &[(f64, &str)]| buckets.iter().map(|(_, l)| (*l).to_owned()).collect::<Vec<_>>();
    html! {
        h2 { "MTTA and MTTR per week" }
        (bars("mttx-per-week", &labels, &mttx, false, unit))
        h2 { "Incidents per week by severity" }
        (bars("incidents-per-week", &labels, &by_severity, true, "incidents"))
        h2 { "Time to recover" }
        (bars("recovery-distribution", &names(&RECOVERY_BUCKETS), &[Series { name: "incidents", class: "recovery", values: recovery }], false, "incidents"))
        h2 { "Open incidents by age" }
        (bars("open-by-age", &names(&AGE_BUCKETS), &[Series { name: "open incidents", class: "open", values: ages }], false, "incidents"))
    }
}

/// The numbers of `GET /api/v1/metrics`, as a table.
fn numbers(report: &MetricsReport) -> Markup {
    let stats = [
        ("mtta", "MTTA", &report.mtta),
        ("mttr_recovery", "MTTR (recovery)", &report.mttr_recovery),
        ("mttr_repair", "MTTR (repair)", &report.mttr_repair),
        ("mttd", "MTTD", &report.mttd),
    ];
    let cell = |value: Option<f64>| html! { td data-seconds=(value.map_or_else(String::new, |v| v.to_string())) { (human_duration(value)) } };
    html! {
        table.numbers {
            thead { tr { th { "Metric" } th { "Incidents" } th { "Mean" } th { "Median" } th { "p90" } th { "Missing" } } }
            tbody {
                @for (key, name, s) in stats {
                    tr data-metric=(key) {
                        th { (name) }
                        td data-count=(s.count) { (s.count) }
                        (cell(s.mean)) (cell(s.median)) (cell(s.p90))
                        td { (s.missing) }
                    }
                }
            }
        }
        p.totals { span id="incidents" { (report.incidents) } " incidents, " span id="false-positives" { (report.false_positives) } " false positives." }
    }
}

/// `GET /ui/metrics`. With `type`, over the incidents of that type the
/// viewer may see, as `GET /api/v1/metrics?type=` counts them.
pub(crate) async fn show(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Markup, PageError> {
    let mut query = PageQuery::read(query)?;
    query.status.clear();
    query.cursor.clear();
    let now = state.service.now();
    let filter = query.filter(now)?;
    let schema = &state.service.config().schema;
    let wanted = FieldFilter::parse(&query.incident_type, "", schema)?;
    let mut rows = match wanted.incident_type() {
        None => state.service.milestones(&filter).await?,
        Some(name) => {
            let viewer = viewer(&state.settings, signed_in.as_ref().map(|Extension(s)| s));
            rows_of_type(&state, &viewer, &filter, name).await?
        }
    };
    // In the order the API reads them, so that the sums are the same to the last digit.
    let report = compute_metrics(&rows);
    let names = state.settings.severity_names();
    Ok(page(
        "Metrics",
        html! {
            (filter_form_with("/ui/metrics", &query, false, &names, type_select(schema, &query.incident_type)))
            (numbers(&report))
            (charts(&mut rows, now, &names))
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_and_buckets_count() {
        let sunday = DateTime::parse_from_rfc3339("2026-03-08T23:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(week_of(sunday).to_string(), "2026-03-02");
        assert_eq!(
            histogram([10.0, 899.0, 900.0, 1e9].into_iter(), &RECOVERY_BUCKETS),
            vec![2.0, 1.0, 0.0, 0.0, 0.0, 1.0]
        );
    }
}
