//! How fast the dashboard renders at scale: `GET /ui/` and `GET /ui/metrics`
//! over 100,000 incidents in SQLite.
//!
//! A thousand generated histories are written through the store API (real
//! event logs, milestones and snapshots); SQL then copies them into 100,000
//! incidents with their own ids and numbers. The server is the real one, on
//! that database; each page is requested 20 times after a warm-up, one at a
//! time. Goals: the list under 200 ms, the metrics page under 500 ms.
//!
//! Run: `cargo bench -p sima-server --bench dashboard`
//! (`SIMA_BENCH_INCIDENTS`, default 100,000, a multiple of 1,000;
//! `SIMA_BENCH_DB=path` keeps the seeded database there and reuses it).

mod support;

use std::time::{Duration, Instant};

use sima_server::{Application, Settings};
use sima_store_sqlite::{SqliteStore, SqliteStoreConfig};
use support::{machine, ms, Stats};

/// Histories written through the store; the rest are copies.
const WRITTEN: u64 = 1_000;
/// Requests per page.
const SAMPLES: usize = 20;

/// Writes `total` incidents into the SQLite database at `url`.
async fn seed(url: &str, total: u64) {
    let store = SqliteStore::connect(&SqliteStoreConfig::new(url)).await.expect("the SQLite store opens");
    sima_core::testkit::views::write_generated(&store, WRITTEN).await;
    drop(store);
    let pool = sqlx::SqlitePool::connect(url).await.expect("the database opens");
    let copy = "INSERT INTO incidents (id, number, version, status, domain, severity, summary, dedup_key, room_id, \
                declared_at, started_at, acknowledged_at, mitigated_at, resolved_at, snapshot) \
                SELECT printf('%08x', ?1) || substr(id, 9), number + ?1 * ?2, version, status, domain, severity, summary, \
                NULL, NULL, declared_at, started_at, acknowledged_at, mitigated_at, resolved_at, \
                json_set(snapshot, '$.id', printf('%08x', ?1) || substr(id, 9), '$.number', 'INC-' || (number + ?1 * ?2), \
                '$.dedup_key', NULL, '$.room', NULL) \
                FROM incidents WHERE number <= ?2";
    let mut tx = pool.begin().await.expect("a transaction");
    for k in 1..total / WRITTEN {
        sqlx::query(copy)
            .bind(i64::try_from(k).expect("small"))
            .bind(i64::try_from(WRITTEN).expect("small"))
            .execute(&mut *tx)
            .await
            .expect("the copies are written");
    }
    tx.commit().await.expect("the copies are committed");
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM incidents").fetch_one(&pool).await.expect("a count");
    assert_eq!(u64::try_from(count).expect("a count"), total);
    pool.close().await;
}

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
            seed(&url, total).await;
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
