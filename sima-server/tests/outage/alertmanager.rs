//! A real Prometheus Alertmanager (the distribution's package) pointed at
//! SIMA: an alert fired and then resolved opens one incident and resolves it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};
use sima_core::ports::SystemClock;

use crate::helpers::{wait_at_most, Database, Fakes, TestApp, WEBHOOK_TOKEN};

/// Where the `prometheus-alertmanager` package installs the binary.
const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";

/// A running Alertmanager, killed on drop.
struct Alertmanager {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("a bound address").port()
}

/// The configuration: one receiver, SIMA's Alertmanager webhook with its token.
fn config(sima: &str) -> String {
    format!(
        r#"global:
  resolve_timeout: 5m
route:
  receiver: sima
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: sima
    webhook_configs:
      - url: {sima}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: {WEBHOOK_TOKEN}
"#
    )
}

impl Alertmanager {
    /// Starts Alertmanager on a free port, sending to `sima`, and waits until it is ready.
    async fn start(binary: &Path, sima: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let config_file = dir.path().join("alertmanager.yml");
        std::fs::write(&config_file, config(sima)).expect("the configuration is written");
        let address = format!("127.0.0.1:{}", free_port());
        let log = std::fs::File::create(dir.path().join("log")).expect("a log file");
        let child = Command::new(binary)
            .arg(format!("--config.file={}", config_file.display()))
            .arg(format!("--storage.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address={address}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("Alertmanager starts");
        let am = Self { child, address: format!("http://{address}"), _dir: dir };
        let http = reqwest::Client::new();
        let ready = format!("{}/-/ready", am.address);
        wait_at_most(Duration::from_secs(15), "Alertmanager is ready", || async {
            let response = http.get(&ready).send().await.ok()?;
            response.status().is_success().then_some(())
        })
        .await;
        am
    }

    /// `POST /api/v2/alerts` with one alert.
    async fn post(&self, alert: &Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/api/v2/alerts", self.address))
            .json(&json!([alert]))
            .send()
            .await
            .expect("Alertmanager answers");
        assert!(response.status().is_success(), "Alertmanager took the alert: {}", response.status());
    }
}

/// The installed Alertmanager, or `None` (with a notice) outside CI; in CI
/// (`CI=true`) its absence fails the test.
fn installed() -> Option<&'static Path> {
    let binary = Path::new(ALERTMANAGER);
    if binary.is_file() {
        return Some(binary);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI must run the Alertmanager test: apt-get install prometheus-alertmanager"
    );
    eprintln!("note: {ALERTMANAGER} is not installed; skipping the Alertmanager test");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_fired_and_resolved_through_alertmanager_opens_one_incident_and_resolves_it() {
    let Some(binary) = installed() else { return };
    let started = Instant::now();
    let fakes = Fakes::start(None).await;
    let app = TestApp::start_with(fakes, Database::sqlite(), Arc::new(SystemClock), |settings| {
        settings.alerts.resolve_on_alert_resolved = true;
    })
    .await;
    let alertmanager = Alertmanager::start(binary, &app.address).await;

    let mut alert = json!({
        "labels": { "alertname": "CheckoutLatencyHigh", "service": "Checkout API", "severity": "critical" },
        "annotations": { "summary": "Checkout p99 latency above 2 s" },
        "startsAt": (Utc::now() - chrono::Duration::minutes(1)).to_rfc3339_opts(SecondsFormat::Secs, true),
        "generatorURL": "http://prometheus.example.com/graph?g0.expr=checkout_latency"
    });
    alertmanager.post(&alert).await;
    let incident = wait_at_most(Duration::from_secs(20), "Alertmanager's notification opens an incident", || async {
        let incidents = app.incidents().await;
        incidents.first().cloned()
    })
    .await;
    assert_eq!(incident["domain"], "checkout-api");
    assert_eq!(incident["severity"], "sev1");
    assert_eq!(incident["summary"], "Checkout p99 latency above 2 s");
    assert_eq!(incident["reporter"], "monitor:alertmanager");
    let opened = started.elapsed();

    alert["endsAt"] = json!(Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true));
    alertmanager.post(&alert).await;
    let id = incident["id"].as_str().expect("an id").to_owned();
    wait_at_most(Duration::from_secs(20), "the resolved alert resolves the incident", || async {
        (app.incident(&id).await["status"] == "resolved").then_some(())
    })
    .await;
    let incidents = app.incidents().await;
    assert_eq!(incidents.len(), 1, "one incident for the alert: {incidents:?}");
    println!("Alertmanager: incident opened {opened:?} and resolved {:?} after the start", started.elapsed());
    drop(alertmanager);
    app.stop().await;
}
