//! How the public status page holds under readers: 200 concurrent clients
//! read `GET /status` in a closed loop for 10 s, over SQLite holding a few
//! hundred incidents, most of them published (some still open, most
//! resolved). The page is read from the store and rendered at most once per
//! refresh period (5 s) and served from memory between, so the latency is
//! that of the HTTP stack. Goal: p99 under 50 ms, no error.
//!
//! Run: `cargo bench -p sima-server --bench status_page`
//! (`SIMA_BENCH_INCIDENTS`, default 300; `SIMA_BENCH_READERS`, default 200;
//! `SIMA_BENCH_SECONDS`, default 10).

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sima_core::domain::Domain;
use sima_server::settings::ComponentSettings;
use sima_server::{Application, Settings};
use support::{machine, ms, rate, Stats};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

const DOMAINS: [&str; 4] = ["payments", "api", "search", "outbound-email"];

/// Declares `total` incidents through the API and publishes one to three
/// updates on most of them (one in ten stays unpublished, one in twenty open).
async fn seed(http: &reqwest::Client, base: &str, total: usize) -> usize {
    let mut updates = 0;
    for i in 0..total {
        let severity = ["sev1", "sev2", "sev3", "sev4"][i % 4];
        let body = json!({
            "domain": DOMAINS[i % DOMAINS.len()],
            "summary": format!("Internal incident {i}: shard rebalancing stalled"),
            "severity": severity,
        });
        let response = http.post(format!("{base}/api/v1/incidents")).json(&body).send().await.expect("declare");
        assert!(response.status().is_success(), "declare {i}: {}", response.status());
        let incident: serde_json::Value = response.json().await.expect("JSON");
        if i % 10 == 9 {
            continue;
        }
        let number = incident["number"].as_str().expect("a number").to_owned();
        let stages: &[&str] =
            if i % 20 == 0 { &["investigating"] } else { &["investigating", "identified", "resolved"] };
        for stage in stages {
            let body = json!({
                "status": stage,
                "message": format!("Update on issue {i}: {stage}. Some requests fail; we are working on it."),
                "title": format!("Degraded service {i}"),
            });
            let url = format!("{base}/api/v1/incidents/{number}/public-updates");
            let response = http.post(url).json(&body).send().await.expect("publish");
            assert_eq!(response.status(), 201, "publish {i} {stage}");
            updates += 1;
        }
    }
    updates
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    let incidents = env_or("SIMA_BENCH_INCIDENTS", 300);
    let readers = env_or("SIMA_BENCH_READERS", 200);
    let seconds = env_or("SIMA_BENCH_SECONDS", 10) as u64;
    support::runtime().block_on(async {
        println!("status_page: {}", machine());
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut settings = Settings {
            listen: "127.0.0.1:0".into(),
            database_url: format!("sqlite://{}", dir.path().join("sima.db").display()),
            postmortem_dir: dir.path().join("postmortems"),
            ..Settings::default()
        };
        settings.limits.requests_per_second = 1_000_000;
        settings.limits.burst = 1_000_000;
        settings.limits.max_in_flight = readers * 2;
        settings.status.components = DOMAINS
            .iter()
            .map(|d| ComponentSettings {
                name: d.replace('-', " "),
                domains: vec![Domain::parse(d).expect("a domain")],
                description: String::new(),
            })
            .collect();
        let app = Application::build(settings).await.expect("the server starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        let http = support::client(readers);
        let started = Instant::now();
        let updates = seed(&http, &base, incidents).await;
        println!("seeded {incidents} incidents, {updates} public updates in {}", ms(started.elapsed()));

        // The first read renders; time it alone.
        tokio::time::sleep(Duration::from_secs(6)).await;
        let first = Instant::now();
        let page = http.get(format!("{base}/status")).send().await.expect("the page");
        assert!(page.status().is_success());
        let body = page.text().await.expect("a body");
        println!("first GET /status (store read and render): {} ({} bytes)", ms(first.elapsed()), body.len());

        let deadline = Instant::now() + Duration::from_secs(seconds);
        let errors = Arc::new(AtomicUsize::new(0));
        let wall = Instant::now();
        let tasks: Vec<_> = (0..readers)
            .map(|_| {
                let (http, url, errors) = (http.clone(), format!("{base}/status"), errors.clone());
                tokio::spawn(async move {
                    let mut samples = Vec::new();
                    while Instant::now() < deadline {
                        let sent = Instant::now();
                        let ok = match http.get(&url).send().await {
                            Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                            Err(_) => false,
                        };
                        samples.push(sent.elapsed());
                        if !ok {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    samples
                })
            })
            .collect();
        let mut samples = Vec::new();
        for task in tasks {
            samples.extend(task.await.expect("a reader"));
        }
        let wall = wall.elapsed();
        let stats = Stats::of(&samples);
        let errors = errors.load(Ordering::Relaxed);
        let verdict = if stats.p99 <= Duration::from_millis(50) && errors == 0 { "ok" } else { "OVER" };
        println!(
            "GET /status, {readers} readers for {seconds} s: {} · {:.0} req/s · {errors} errors · goal p99 50 ms: \
             {verdict}",
            stats.line(),
            rate(samples.len(), wall)
        );
        let _ = stop.send(());
        let _ = server.await;
    });
}
