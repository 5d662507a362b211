//! Resident memory of the real `sima-server` binary as its store fills up:
//! incidents are declared through `POST /api/v1/incidents` in batches, each
//! batch's opening runbooks (room, invite, card and pin, broadcast, page)
//! run against the in-process Rust fakes of Slack and PagerDuty, and once
//! the outbox has drained the server's RSS (`VmRSS` of its process) is read.
//! A table then shows RSS against the number of stored incidents, so a cost
//! per incident (a cache without a bound, a read of every incident) shows as
//! a slope. After the last batch the heavier reads are sent once each
//! (incident list, both metrics endpoints, the status page), with RSS read
//! after each.
//!
//! `cargo bench -p sima-server --bench memory`; `MEMORY_INCIDENTS` (default
//! 100000), `MEMORY_BATCH` (default 10000), `MEMORY_DB=sqlite|postgres`
//! (default both; PostgreSQL from `SIMA_TEST_DATABASE_URL`).

mod support;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sima_store_postgres::ScratchDatabase;
use support::{closed_loop, rate, Db, Fakes, BROADCAST, SIGNING_SECRET, WEBHOOK_TOKEN};

/// The calls that complete an opening runbook.
const FINAL_STEPS: [&str; 4] = ["pins.add", "conversations.invite", "broadcast", "pagerduty.enqueue"];
/// Declarations in flight at once.
const IN_FLIGHT: usize = 32;
/// How long one batch's runbooks may take to drain.
const DRAIN_LIMIT: Duration = Duration::from_secs(900);

/// The server binary on a fresh database.
struct ServerProcess {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
    _database: Option<ScratchDatabase>,
}

impl ServerProcess {
    async fn start(fakes: &Fakes, db: Db) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (database_url, database) = match db {
            Db::Sqlite => (format!("sqlite://{}", dir.path().join("sima.db").display()), None),
            Db::Postgres => {
                let database = ScratchDatabase::create("sima_memory").await.expect("PostgreSQL is reachable");
                (database.url().to_owned(), Some(database))
            }
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("an address").port();
        drop(listener);
        let config = dir.path().join("sima.toml");
        // One load generator is one client: lift the per-client budget.
        let toml = format!(
            "postmortem_dir = {:?}\n[limits]\nrequests_per_second = 1000000\nburst = 1000000\n",
            dir.path().join("postmortems").display().to_string()
        );
        std::fs::write(&config, toml).expect("write sima.toml");
        let child = Command::new(env!("CARGO_BIN_EXE_sima-server"))
            .env("SIMA_CONFIG", &config)
            .env("SIMA_LISTEN", format!("127.0.0.1:{port}"))
            .env("SIMA_DATABASE_URL", database_url)
            .env("SIMA_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
            .env("SIMA_SLACK_BOT_TOKEN", "xoxb-memory")
            .env("SIMA_SLACK_SIGNING_SECRET", SIGNING_SECRET)
            .env("SIMA_SLACK_API_URL", fakes.slack_url())
            .env("SIMA_SLACK_BROADCAST_CHANNEL", BROADCAST)
            .env("SIMA_PAGERDUTY_EVENTS_URL", fakes.pagerduty_url())
            .env("SIMA_PAGERDUTY_ROUTING_KEY", "memory-routing-key-000000000000")
            .env("RUST_LOG", "error")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sima-server binary starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        while http.get(format!("{base}/healthz")).send().await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, base, _dir: dir, _database: database }
    }

    /// The server's resident memory, in MiB.
    fn rss_mib(&self) -> f64 {
        rss_kib(self.child.id()) as f64 / 1024.0
    }
}

/// The resident memory of process `pid` (`VmRSS`), in KiB; 0 once it is gone.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or_default();
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of an unlabelled gauge in a Prometheus scrape.
fn gauge(scrape: &str, name: &str) -> Option<f64> {
    scrape.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(' ')?;
        value.trim().parse().ok()
    })
}

/// Effects due and not done, from `/metrics` (`None` if unreadable).
async fn pending_effects(http: &reqwest::Client, base: &str) -> Option<f64> {
    let scrape = http.get(format!("{base}/metrics")).send().await.ok()?.text().await.ok()?;
    gauge(&scrape, "sima_effects_pending")
}

/// Declares `count` incidents numbered from `first`; returns how many were answered 201.
async fn declare_batch(http: &reqwest::Client, base: &str, first: usize, count: usize) -> usize {
    let (http, base) = (http.clone(), base.to_owned());
    let request = move |i: usize| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let body = json!({
                "domain": "payments",
                "summary": format!("Memory case {:06}", first + i),
                "description": "Checkout requests time out for some customers.",
                "severity": "sev2",
                "reporter": support::REPORTER,
            });
            let answer = http.post(format!("{base}/api/v1/incidents")).json(&body).send().await;
            answer.is_ok_and(|r| r.status() == reqwest::StatusCode::CREATED)
        }
    };
    let (samples, _) = closed_loop(count, IN_FLIGHT, request).await;
    samples.iter().filter(|(_, ok)| *ok).count()
}

/// Waits until every final step was called `count` times and nothing is
/// due in the outbox; returns whether that happened within [`DRAIN_LIMIT`].
async fn drain(http: &reqwest::Client, base: &str, fakes: &Fakes, count: usize) -> bool {
    let deadline = Instant::now() + DRAIN_LIMIT;
    while Instant::now() < deadline {
        if FINAL_STEPS.iter().all(|s| fakes.count(s) >= count) && pending_effects(http, base).await == Some(0.0) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    false
}

/// Sends each heavier read once, printing the server's RSS after each;
/// returns the ones not answered 2xx, with their status or error.
async fn heavy_reads(http: &reqwest::Client, base: &str, pid: u32) -> Vec<String> {
    let mut failed = Vec::new();
    for path in ["/api/v1/incidents?limit=50", "/api/v1/metrics", "/metrics", "/status", "/status/feed.atom"] {
        let failure = match http.get(format!("{base}{path}")).send().await {
            Ok(r) if r.status().is_success() => r.bytes().await.err().map(|e| e.to_string()),
            Ok(r) => Some(r.status().to_string()),
            Err(e) => Some(e.to_string()),
        };
        let outcome = failure.clone().unwrap_or_else(|| "2xx".to_owned());
        println!("  after GET {path} ({outcome}): RSS {:.1} MiB", rss_kib(pid) as f64 / 1024.0);
        if let Some(failure) = failure {
            failed.push(format!("{path}: {failure}"));
        }
    }
    failed
}

/// Fills one store; returns whether every declaration and runbook succeeded.
async fn run(db: Db, total: usize, batch: usize) -> bool {
    let fakes = Fakes::start(Duration::ZERO).await;
    let server = ServerProcess::start(&fakes, db).await;
    let http = support::client(IN_FLIGHT * 2);
    let base = server.base.clone();
    let mut ok = true;
    println!("\n{db}: RSS at start {:.1} MiB", server.rss_mib());
    println!(
        "{:>10} {:>10} {:>12} {:>10} {:>10} {:>12}",
        "incidents", "decl/s", "drained in", "RSS MiB", "peak MiB", "MiB/10k"
    );
    println!("(peak: while the batch ran; MiB/10k: RSS growth per 10,000 incidents since the first batch)");
    // The first batch pays for warming up (pools, caches, allocator arenas);
    // the slope after it is what each further incident costs.
    let mut first_batch: Option<(usize, f64)> = None;
    let mut stored = 0;
    while stored < total {
        let count = batch.min(total - stored);
        let sampler_peak = Arc::new(AtomicU64::new(0));
        let pid = server.child.id();
        let peak = sampler_peak.clone();
        let sampler = tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
        let started = Instant::now();
        let accepted = declare_batch(&http, &base, stored, count).await;
        let declared_in = started.elapsed();
        let drained = drain(&http, &base, &fakes, count).await;
        let drained_in = started.elapsed();
        sampler.abort();
        stored += count;
        // The fakes keep every call; forget them so the load generator stays small.
        fakes.clear();
        let rss = server.rss_mib();
        let peak = sampler_peak.load(Ordering::Relaxed) as f64 / 1024.0;
        let (base_count, base_rss) = *first_batch.get_or_insert((stored, rss));
        let slope = if stored > base_count {
            format!("{:.2}", (rss - base_rss) / (stored - base_count) as f64 * 10_000.0)
        } else {
            "-".to_owned()
        };
        println!(
            "{stored:>10} {:>10.0} {:>11.1?} {rss:>10.1} {peak:>10.1} {slope:>12}",
            rate(accepted, declared_in),
            drained_in
        );
        if accepted != count {
            ok = false;
            println!("FAIL: {} of {count} declarations were not answered 201", count - accepted);
        }
        if !drained {
            ok = false;
            println!("FAIL: the runbooks of the batch did not drain within {DRAIN_LIMIT:?}");
            break;
        }
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    println!("{db}: RSS idle 5 s after the last batch {:.1} MiB", server.rss_mib());
    let failed = heavy_reads(&http, &base, server.child.id()).await;
    if !failed.is_empty() {
        ok = false;
        println!("FAIL: not answered 2xx: {failed:?}");
    }
    drop(server);
    fakes.stop().await;
    ok
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    let number = |name: &str, default: usize| std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default);
    let total = number("MEMORY_INCIDENTS", 100_000);
    let batch = number("MEMORY_BATCH", 10_000).max(1);
    let dbs = match std::env::var("MEMORY_DB").unwrap_or_default().as_str() {
        "sqlite" => vec![Db::Sqlite],
        "postgres" => vec![Db::Postgres],
        _ => vec![Db::Sqlite, Db::Postgres],
    };
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("memory: {total} incidents in batches of {batch}, {IN_FLIGHT} declarations in flight; {cores} cores, {profile} build");
    println!("(the server is its own process; RSS is its VmRSS after each batch's outbox drained)");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let mut ok = true;
    for db in dbs {
        ok &= runtime.block_on(run(db, total, batch));
    }
    if !ok {
        std::process::exit(1);
    }
}
