//! The Prometheus alerts and the Grafana dashboard under `deploy/`: every
//! metric they query is one a running server serves, the rules pass
//! `promtool check rules` where promtool is installed, and the dashboard is
//! JSON Grafana can import.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::helpers::{Options, TestApp};
use crate::prometheus::samples;

/// Series Prometheus makes itself rather than scraping them.
const FROM_PROMETHEUS: [&str; 1] = ["up"];

/// PromQL words other than functions (functions are followed by `(`):
/// operators, and aggregations, which may be followed by `by (…)` first.
const PROMQL_WORDS: [&str; 17] = [
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "sum",
    "min",
    "max",
    "avg",
    "count",
    "group",
    "stddev",
    "stdvar",
    "topk",
    "bottomk",
    "quantile",
    "count_values",
];

/// Keywords followed by a list of label names in parentheses.
const LABEL_LISTS: [&str; 6] = ["by", "without", "on", "ignoring", "group_left", "group_right"];

fn deploy(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy").join(path)
}

/// The `promtool` binary on `PATH`, if there is one.
pub(crate) fn promtool() -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join("promtool")).find(|p| p.is_file())
}

/// Runs `program args…` with `input` on its standard input.
pub(crate) fn run_with_input(program: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{} starts: {e}", program.display()));
    child.stdin.take().expect("piped stdin").write_all(input.as_bytes()).expect("the input is written");
    child.wait_with_output().expect("the program ends")
}

/// The metric names an expression reads: identifiers outside strings,
/// label matchers, ranges and label lists that are neither functions nor
/// PromQL words.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let chars: Vec<char> = expr.chars().collect();
    let skip_to =
        |from: usize, end: char| chars[from + 1..].iter().position(|c| *c == end).map_or(chars.len(), |n| from + n + 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' => i = skip_to(i, '"'),
            '{' => i = skip_to(i, '}'),
            '[' => i = skip_to(i, ']'),
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let mut next = i;
                while next < chars.len() && chars[next].is_whitespace() {
                    next += 1;
                }
                let called = chars.get(next) == Some(&'(');
                let after_digit = start > 0 && (chars[start - 1].is_ascii_digit() || chars[start - 1] == '.');
                if LABEL_LISTS.contains(&word.as_str()) && called {
                    i = skip_to(next, ')');
                } else if !called && !after_digit && !PROMQL_WORDS.contains(&word.as_str()) {
                    names.insert(word);
                }
            }
            _ => i += 1,
        }
    }
    names
}

/// Every `expr:` of the rules file (a one-line or a folded `>-` block).
fn rule_expressions(yaml: &str) -> Vec<String> {
    let mut exprs = Vec::new();
    let mut lines = yaml.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(expr) = line.trim_start().strip_prefix("expr:") else { continue };
        let expr = expr.trim();
        if expr == ">-" || expr == "|" || expr == ">" {
            let indent = line.len() - line.trim_start().len();
            let mut block = String::new();
            while let Some(next) = lines.peek().filter(|l| l.len() - l.trim_start().len() > indent || l.is_empty()) {
                block.push_str(next.trim());
                block.push(' ');
                lines.next();
            }
            exprs.push(block);
        } else {
            exprs.push(expr.trim_matches('\'').to_owned());
        }
    }
    exprs
}

/// Every `expr` of the dashboard's panels.
fn dashboard_expressions(dashboard: &Value) -> Vec<String> {
    let mut exprs = Vec::new();
    let mut stack = vec![dashboard];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(expr)) = map.get("expr") {
                    exprs.push(expr.clone());
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    exprs
}

/// The metric families a running server serves (histogram parts included).
async fn served() -> BTreeSet<String> {
    let app = TestApp::spawn(Options::default()).await;
    app.get("/healthz").await;
    let text = app.get("/metrics").await.text().await.expect("a body");
    samples(&text).into_iter().map(|s| s.name).collect()
}

fn unknown(exprs: &[String], served: &BTreeSet<String>) -> Vec<String> {
    let names: BTreeSet<String> = exprs.iter().flat_map(|e| metric_names(e)).collect();
    assert!(!names.is_empty(), "the expressions read metrics");
    names.into_iter().filter(|n| !served.contains(n) && !FROM_PROMETHEUS.contains(&n.as_str())).collect()
}

#[test]
fn metric_names_are_told_apart_from_promql_labels_and_durations() {
    let names = metric_names(
        r#"sum by (kind) (increase(sima_effect_failures_total{job="sima"}[10m])) > 0 and on() up{job="sima"} == 1"#,
    );
    assert_eq!(names, BTreeSet::from(["sima_effect_failures_total".to_owned(), "up".to_owned()]));
    let quantile = "histogram_quantile(0.99, sum by (le, route) (rate(sima_http_request_duration_seconds_bucket[5m])))";
    assert_eq!(metric_names(quantile), BTreeSet::from(["sima_http_request_duration_seconds_bucket".to_owned()]));
}

#[tokio::test]
async fn every_alert_reads_a_served_metric_and_promtool_accepts_the_rules() {
    let path = deploy("prometheus/alerts.yml");
    let yaml = std::fs::read_to_string(&path).expect("deploy/prometheus/alerts.yml");
    let exprs = rule_expressions(&yaml);
    assert!(exprs.len() >= 5, "the rules: {exprs:?}");
    let unknown = unknown(&exprs, &served().await);
    assert!(unknown.is_empty(), "alerts.yml reads metrics no server serves: {unknown:?}");
    let Some(promtool) = promtool() else {
        eprintln!("promtool is not installed (apt-get install prometheus); the rules were not checked by it");
        return;
    };
    let checked = Command::new(promtool).args(["check", "rules"]).arg(&path).output().expect("promtool runs");
    let said = format!("{}{}", String::from_utf8_lossy(&checked.stdout), String::from_utf8_lossy(&checked.stderr));
    assert!(checked.status.success(), "promtool check rules: {said}");
}

#[tokio::test]
async fn the_dashboard_is_grafana_json_on_served_metrics() {
    let text = std::fs::read_to_string(deploy("grafana/sima.json")).expect("deploy/grafana/sima.json");
    let dashboard: Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    assert_eq!(dashboard["uid"], "sima");
    assert!(dashboard["title"].is_string() && dashboard["schemaVersion"].is_u64(), "a Grafana dashboard");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(panels.len() >= 6, "{} panels", panels.len());
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        let targets = panel["targets"].as_array().map_or(0, Vec::len);
        assert!(targets > 0, "the panel {} queries something", panel["title"]);
        assert_eq!(panel["datasource"]["uid"], "${datasource}", "{} uses the chosen data source", panel["title"]);
    }
    let exprs = dashboard_expressions(&dashboard);
    let unknown = unknown(&exprs, &served().await);
    assert!(unknown.is_empty(), "the dashboard reads metrics no server serves: {unknown:?}");
}
