//! `GET /metrics` as Prometheus reads it: every name it served before with
//! its type, the build, the process and the store, a well-formed exposition,
//! and one registry per server.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::helpers::{wait_at_most, Options, TestApp};

/// One sample line: `name{labels} value`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    pub(crate) name: String,
    pub(crate) labels: String,
    pub(crate) value: f64,
}

/// The samples of a scrape, checking the exposition as Prometheus would:
/// each sample parses, belongs to a family whose `# TYPE` came first, and
/// appears once.
pub(crate) fn samples(text: &str) -> Vec<Sample> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(typed) = line.strip_prefix("# TYPE ") {
            let (name, kind) = typed.split_once(' ').unwrap_or_else(|| panic!("a TYPE line: {line}"));
            assert!(types.insert(name.to_owned(), kind.to_owned()).is_none(), "one TYPE per family: {line}");
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("`series value`: {line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("a number in `{line}`")),
        };
        let (name, labels) = series.split_once('{').map_or((series, ""), |(n, l)| (n, l.trim_end_matches('}')));
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix).filter(|f| types.get(*f).is_some_and(|t| t == "histogram")))
            .unwrap_or(name);
        assert!(types.contains_key(family), "`{name}` has a # TYPE line before its samples");
        assert!(seen.insert(series.to_owned()), "`{series}` appears once");
        samples.push(Sample { name: name.to_owned(), labels: labels.to_owned(), value });
    }
    samples
}

/// The value of the one sample named `name` (no labels).
pub(crate) fn value(samples: &[Sample], name: &str) -> Option<f64> {
    samples.iter().find(|s| s.name == name && s.labels.is_empty()).map(|s| s.value)
}

fn now_seconds() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs_f64()
}

#[tokio::test]
async fn every_name_served_before_keeps_its_type_and_labels() {
    let app = TestApp::spawn(Options::default()).await;
    app.post_json("/api/v1/incidents", &json!({ "domain": "checkout", "summary": "Checkout is down" })).await;
    app.wait_for_idle_outbox().await;
    let text = app.get("/metrics").await.text().await.expect("a body");
    for family in [
        "# TYPE sima_incidents gauge",
        "# TYPE sima_effects gauge",
        "# TYPE sima_effects_pending gauge",
        "# TYPE sima_effects_scheduled gauge",
        "# TYPE sima_effects_oldest_pending_seconds gauge",
        "# TYPE sima_effect_failures_total counter",
        "# TYPE sima_worker_running gauge",
        "# TYPE sima_http_requests_total counter",
        "# TYPE sima_http_request_duration_seconds histogram",
    ] {
        assert!(text.lines().any(|l| l == family), "`{family}` in:\n{text}");
    }
    for line in [
        r#"sima_incidents{status="open",severity="sev3"} 1"#,
        r#"sima_incidents{status="closed",severity="sev1"} 0"#,
        r#"sima_effects{state="pending"} 0"#,
        r#"sima_effects{state="failed"} 0"#,
        "sima_effects_pending 0",
        "sima_effects_oldest_pending_seconds 0",
        r#"sima_effect_failures_total{kind="create_room"} 0"#,
        "sima_worker_running 1",
        r#"sima_http_request_duration_seconds_bucket{route="/api/v1/incidents",le="2.5"} 1"#,
        r#"sima_http_request_duration_seconds_bucket{route="/api/v1/incidents",le="+Inf"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "`{line}` in:\n{text}");
    }
    let samples = samples(&text);
    // Finished effects are counted again every few seconds, off the scrape.
    let completed = |samples: &[Sample]| {
        samples.iter().find(|s| s.name == "sima_effects" && s.labels == r#"state="completed""#).map(|s| s.value)
    };
    wait_at_most(Duration::from_secs(15), "the finished effects are counted", || async {
        let text = app.get("/metrics").await.text().await.ok()?;
        completed(&crate::prometheus::samples(&text)).filter(|n| *n >= 1.0)
    })
    .await;
    let incidents: f64 = samples.iter().filter(|s| s.name == "sima_incidents").map(|s| s.value).sum();
    assert_eq!(incidents, 1.0);
    assert_eq!(samples.iter().filter(|s| s.name == "sima_incidents").count(), 7 * 4, "every status × severity");
}

#[tokio::test]
async fn the_build_the_process_and_the_store_are_on_metrics() {
    let app = TestApp::spawn(Options::default()).await;
    let response = app.get("/metrics").await;
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let text = response.text().await.expect("a body");
    let samples = samples(&text);

    let build = samples.iter().find(|s| s.name == "sima_build_info").expect("sima_build_info");
    assert!(build.labels.starts_with(&format!(r#"version="{}",commit=""#, env!("CARGO_PKG_VERSION"))), "{build:?}");
    assert_eq!(build.value, 1.0);

    assert_eq!(value(&samples, "sima_store_up"), Some(1.0));
    let answered = value(&samples, "sima_store_last_success_timestamp_seconds").expect("the store's last answer");
    assert!((answered - now_seconds()).abs() < 60.0, "{answered} is now");

    let resident = value(&samples, "process_resident_memory_bytes").expect("resident memory");
    let virtual_memory = value(&samples, "process_virtual_memory_bytes").expect("virtual memory");
    assert!(resident > 1e6 && virtual_memory >= resident, "{resident} ≤ {virtual_memory}");
    let started = value(&samples, "process_start_time_seconds").expect("the start time");
    assert!(
        started <= now_seconds() + 1.0 && started > now_seconds() - 3600.0,
        "this test process started at {started}"
    );
    assert!(value(&samples, "process_cpu_seconds_total").is_some_and(|s| s > 0.0));
    let open = value(&samples, "process_open_fds").expect("open fds");
    let max = value(&samples, "process_max_fds").expect("the fd limit");
    assert!(open >= 3.0 && open <= max, "{open} of {max}");
}

#[tokio::test]
async fn each_server_counts_only_its_own_requests() {
    let (first, second) = tokio::join!(TestApp::spawn(Options::default()), TestApp::spawn(Options::default()));
    for _ in 0..3 {
        assert_eq!(first.get("/healthz").await.status(), 200);
    }
    assert_eq!(second.get("/healthz").await.status(), 200);
    let healthz = |text: &str| {
        samples(text)
            .into_iter()
            .find(|s| s.name == "sima_http_requests_total" && s.labels == r#"route="/healthz",status="200""#)
            .map(|s| s.value)
    };
    assert_eq!(healthz(&first.get("/metrics").await.text().await.expect("a body")), Some(3.0));
    assert_eq!(healthz(&second.get("/metrics").await.text().await.expect("a body")), Some(1.0));
}

#[tokio::test]
async fn promtool_accepts_the_exposition_when_installed() {
    let Some(promtool) = crate::deploy::promtool() else {
        eprintln!("promtool is not installed (apt-get install prometheus); skipped");
        return;
    };
    let app = TestApp::spawn(Options::default()).await;
    app.get("/healthz").await;
    let text = app.get("/metrics").await.text().await.expect("a body");
    let checked = crate::deploy::run_with_input(&promtool, &["check", "metrics"], &text);
    assert!(checked.status.success(), "promtool check metrics: {}", String::from_utf8_lossy(&checked.stderr));
}
