//! How fast the dashboard renders at scale: `GET /ui/` and `GET /ui/metrics`
//! over 100,000 incidents in SQLite.
//!
//! The incidents are seeded as `support::seed` says: a thousand generated
//! histories, copied by SQL into 100,000 incidents. The server is the real one, on
//! that database; each page is requested 20 times after a warm-up, one at a
//! time. Goals: the list under 200 ms, the metrics page under 500 ms.
//!
//! Run: `cargo bench -p sima-server --bench dashboard`
//! (`SIMA_BENCH_INCIDENTS`, default 100,000, a multiple of 1,000;
//! `SIMA_BENCH_DB=path` keeps the seeded database there and reuses it).

mod support;

use std::time::{Duration, Instant};

use sima_server::{Application, Settings};
use support::{machine, ms, Stats};

/// Requests per page.
const SAMPLES: usize = 20;

/// `SAMPLES` timings of `GET path`, after one warm-up; the last body.
async fn time(http: &reqwest::Client, url: &str) -> (Stats, String) {
    let mut samples = Vec::with_capacity(SAMPLES);
    let mut body = String::new();
    for i in 0..=SAMPLES {
        let started = Instant::now();
        let response = http.get(url).send().await.expect("the server answers");
        assert!(response.status().is_success(), "{url}: {}", response.status());
        body = response.text().await.expect("a body");
        if i > 0 {
            samples.push(started.elapsed());
        }
    }
    (Stats::of(&samples), body)
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    let total: u64 = std::env::var("SIMA_BENCH_INCIDENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    support::runtime().block_on(async {
        println!("dashboard: {}", machine());
        let dir = tempfile::tempdir().expect("a temporary directory");
        let kept = std::env::var_os("SIMA_BENCH_DB").map(std::path::PathBuf::from);
        let path = kept.clone().unwrap_or_else(|| dir.path().join("sima.db"));
        let url = format!("sqlite://{}", path.display());
        if kept.is_some() && path.exists() {
            println!("reusing {}", path.display());
        } else {
            let started = Instant::now();
            support::seed::incidents(&url, total).await;
            println!("seeded {total} incidents in {}", ms(started.elapsed()));
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
        let goals =
            [("/ui/", 200), ("/ui/?severity=sev1&period=30d", 200), ("/ui/metrics", 500), ("/api/v1/metrics", 500)];
        for (path, goal) in goals {
            let (stats, body) = time(&http, &format!("{base}{path}")).await;
            let verdict = if stats.p99 <= Duration::from_millis(goal) { "ok" } else { "OVER" };
            println!("GET {path:<32} {} · goal {goal} ms: {verdict} ({} bytes)", stats.line(), body.len());
        }
        let _ = stop.send(());
        let _ = server.await;
    });
}
