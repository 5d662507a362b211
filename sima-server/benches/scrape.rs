//! What a Prometheus scrape of `GET /metrics` costs as the database grows:
//! 100,000 incidents in SQLite, each with the finished outbox its runbook
//! left (see `support::seed`).
//!
//! The counts that grow with history are kept a few seconds, so three costs
//! are timed: a server's first scrape (it waits for those counts), a scrape
//! that finds them older (what Prometheus, scraping every 15 s or more,
//! always gets) and one inside the cache. The last two are sampled 20
//! times, one request at a time. Goal: under 50 ms after the first.
//!
//! Run: `cargo bench -p sima-server --bench scrape`
//! (`SIMA_BENCH_INCIDENTS`, default 100,000, a multiple of 1,000;
//! `SIMA_BENCH_DB=path` keeps the seeded database there and reuses it).

mod support;

use std::time::{Duration, Instant};

use sima_server::{Application, Settings};
use support::{machine, ms, Stats};

/// Scrapes per kind.
const SAMPLES: usize = 20;
/// How long the server keeps its incident counts.
const CACHED_FOR: Duration = sima_server::metrics::INCIDENT_COUNTS_TTL;
/// The goal for one scrape.
const GOAL: Duration = Duration::from_millis(50);

/// One scrape: how long it took and the body.
async fn scrape(http: &reqwest::Client, url: &str) -> (Duration, String) {
    let started = Instant::now();
    let response = http.get(url).send().await.expect("the server answers");
    assert!(response.status().is_success(), "{url}: {}", response.status());
    let body = response.text().await.expect("a body");
    (started.elapsed(), body)
}

/// The first scrape (it waits for the counts), `SAMPLES` scrapes that
/// read the counts again, then `SAMPLES` inside the cache; the last body.
async fn time_scrapes(http: &reqwest::Client, url: &str) -> (Duration, Stats, Stats, String) {
    let (mut fresh, mut cached) = (Vec::new(), Vec::new());
    let (first, mut body) = scrape(http, url).await;
    for _ in 0..SAMPLES {
        tokio::time::sleep(CACHED_FOR + Duration::from_millis(50)).await;
        let (took, text) = scrape(http, url).await;
        fresh.push(took);
        body = text;
    }
    for _ in 0..SAMPLES {
        cached.push(scrape(http, url).await.0);
    }
    (first, Stats::of(&fresh), Stats::of(&cached), body)
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    let total: u64 = std::env::var("SIMA_BENCH_INCIDENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    support::runtime().block_on(async {
        println!("scrape: {}", machine());
        let dir = tempfile::tempdir().expect("a temporary directory");
        let kept = std::env::var_os("SIMA_BENCH_DB").map(std::path::PathBuf::from);
        let path = kept.clone().unwrap_or_else(|| dir.path().join("sima.db"));
        let url = format!("sqlite://{}", path.display());
        if kept.is_some() && path.exists() {
            println!("reusing {}", path.display());
        } else {
            let started = Instant::now();
            support::seed::incidents(&url, total).await;
            support::seed::finished_effects(&url).await;
            let effects = total * support::seed::EFFECTS_PER_INCIDENT;
            println!("seeded {total} incidents and {effects} finished effects in {}", ms(started.elapsed()));
        }
        let settings = Settings {
            listen: "127.0.0.1:0".into(),
            database_url: url,
            postmortem_dir: dir.path().join("postmortems"),
            ..Settings::default()
        };
        let app = Application::build(settings).await.expect("the server starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::new();
        let (first, fresh, cached, body) = time_scrapes(&http, &format!("{base}/metrics")).await;
        println!("GET /metrics, the first one    {}", ms(first));
        for (what, stats) in [("counts read", &fresh), ("counts cached", &cached)] {
            let verdict = if stats.p99 <= GOAL { "ok" } else { "OVER" };
            println!("GET /metrics, {what:<14} {} · goal {} ms: {verdict}", stats.line(), GOAL.as_millis());
        }
        let samples = body.lines().filter(|l| !l.starts_with('#')).count();
        println!("{} bytes, {samples} samples", body.len());
        let _ = stop.send(());
        let _ = server.await;
    });
}
