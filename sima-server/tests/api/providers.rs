//! Providers picked by name: `SIMA_CHAT`, `SIMA_DOCS`, `SIMA_PAGING`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{TestApp, BROADCAST};

/// Runs the real binary with `vars` and returns its stderr once it exits
/// (within 20 s), or `None` if it kept running.
fn refused_start(vars: &[(&str, &str)]) -> Option<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sima-server"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SIMA_LISTEN", "127.0.0.1:0")
        .env("SIMA_DATABASE_URL", format!("sqlite://{}", dir.path().join("sima.db").display()))
        .env("NO_COLOR", "1")
        .envs(vars.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if child.try_wait().expect("a status").is_some() {
            let mut stderr = String::new();
            child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr is read");
            return Some(stderr);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn an_unknown_provider_stops_the_start_naming_it_and_the_accepted_ones() {
    let stderr = refused_start(&[("SIMA_CHAT", "carrier-pigeon")]).expect("the server refuses to start");
    assert!(stderr.contains("`carrier-pigeon`") && stderr.contains("accepted: slack, log"), "{stderr}");
    let stderr = refused_start(&[("SIMA_DOCS", "papyrus")]).expect("the server refuses to start");
    assert!(stderr.contains("SIMA_DOCS") && stderr.contains("accepted: notion, markdown"), "{stderr}");
    let stderr = refused_start(&[("SIMA_PAGING", "pagerduty")]).expect("pagerduty without a key is refused");
    assert!(stderr.contains("SIMA_PAGERDUTY_ROUTING_KEY"), "{stderr}");
}

#[tokio::test]
async fn a_named_provider_wins_over_the_credentials() {
    // Slack and PagerDuty credentials are set, but chat and paging are asked to log only.
    let app = TestApp::spawn_with_env(&[("SIMA_CHAT", "log"), ("SIMA_PAGING", "log")]).await;
    let body = json!({ "domain": "payments", "summary": "Card payments fail", "severity": "sev1" });
    assert_eq!(app.post_json("/api/v1/incidents", &body).await.status(), 201);
    app.wait_for_idle_outbox().await;
    assert!(app.slack_calls("conversations.create").is_empty(), "no Slack room");
    assert!(app.slack_calls("chat.postMessage").iter().all(|c| c.request["channel"] != BROADCAST));
    assert!(app.pagerduty_events().await.is_empty(), "nobody paged through PagerDuty");
}
