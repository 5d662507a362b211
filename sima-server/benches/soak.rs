//! A soak: the real `sima-server` binary under mixed traffic for
//! `SOAK_SECONDS` (default 600) while the fake Slack and PagerDuty fail 5 %
//! of their calls (a 500, or a 429 with `Retry-After`). Declarations through
//! the API, monitoring webhooks (new alerts and repeats), status updates up
//! to resolution, and reads, at a steady pace.
//!
//! It fails unless: every request is answered 2xx, the server's memory (RSS)
//! at the end is within 10 % of its value after the first minute, and once
//! the traffic stops every runbook completes (room, card, broadcast, page;
//! a post-mortem for each resolved incident) with no step given up.
//!
//! On runs shorter than two minutes RSS is reported, not judged: the first
//! minute is no baseline then.
//!
//! `./scripts/soak [seconds]`; `SOAK_DB=postgres` runs it on PostgreSQL.
//! `./scripts/test` runs it for a minute on each store in a debug build.

mod support;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sima_store_postgres::ScratchDatabase;
use support::{benchmarking, client, Fakes, BROADCAST, SIGNING_SECRET, WEBHOOK_TOKEN};

/// Every 20th provider call fails: 5 %.
const FAIL_EVERY: u64 = 20;
/// One traffic step every this long; each step sends one request.
const STEP: Duration = Duration::from_millis(50);

/// The server binary, its address and its temporary directory.
struct ServerProcess {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
    _database: Option<ScratchDatabase>,
}

impl ServerProcess {
    async fn start(fakes: &Fakes, postgres: bool) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (database_url, database) = if postgres {
            let database = ScratchDatabase::create("sima_soak").await.expect("PostgreSQL is reachable");
            (database.url().to_owned(), Some(database))
        } else {
            (format!("sqlite://{}", dir.path().join("sima.db").display()), None)
        };
        let port = free_port();
        let config = dir.path().join("sima.toml");
        let postmortems = dir.path().join("postmortems");
        // One load generator is one client: lift the per-client budget.
        let toml = format!(
            "postmortem_dir = {:?}\n[limits]\nrequests_per_second = 100000\nburst = 100000\n",
            postmortems.display().to_string()
        );
        std::fs::write(&config, toml).expect("write sima.toml");
        let child = Command::new(env!("CARGO_BIN_EXE_sima-server"))
            .env("SIMA_CONFIG", &config)
            .env("SIMA_LISTEN", format!("127.0.0.1:{port}"))
            .env("SIMA_DATABASE_URL", database_url)
            .env("SIMA_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
            .env("SIMA_SLACK_BOT_TOKEN", "xoxb-soak")
            .env("SIMA_SLACK_SIGNING_SECRET", SIGNING_SECRET)
            .env("SIMA_SLACK_API_URL", fakes.slack_url())
            .env("SIMA_SLACK_BROADCAST_CHANNEL", BROADCAST)
            .env("SIMA_PAGERDUTY_EVENTS_URL", fakes.pagerduty_url())
            .env("SIMA_PAGERDUTY_ROUTING_KEY", "soak-routing-key-0000000000000000")
            .env("RUST_LOG", std::env::var("SOAK_RUST_LOG").unwrap_or_else(|_| "error".into()))
            .env("NO_COLOR", "1")
            .stdout(log_file())
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

    /// The server's resident memory, in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or_default();
        line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
    }

    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server's log: the file `SOAK_LOG` names, else nowhere.
fn log_file() -> Stdio {
    match std::env::var("SOAK_LOG") {
        Ok(path) => std::fs::File::create(path).map(Stdio::from).unwrap_or_else(|_| Stdio::null()),
        Err(_) => Stdio::null(),
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// What the load generator knows of an incident: its id, its status, and
/// whether a status change is in flight (a responder waits for one change to
/// land before the next; two sent at once would ask for the same transition
/// twice, and the second is rightly refused with a 409).
#[derive(Debug, Clone)]
struct Known {
    id: String,
    status: &'static str,
    changing: bool,
}

/// The next status a responder would set, if any.
fn next_status(status: &str) -> Option<&'static str> {
    match status {
        "open" => Some("investigating"),
        "investigating" => Some("monitoring"),
        "monitoring" => Some("resolved"),
        _ => None,
    }
}

/// Outcomes per kind of request: count, failures, latencies.
#[derive(Default)]
struct Tally {
    by_kind: BTreeMap<&'static str, (usize, Vec<String>, Vec<Duration>)>,
}

impl Tally {
    fn record(&mut self, kind: &'static str, took: Duration, failure: Option<String>) {
        let entry = self.by_kind.entry(kind).or_default();
        entry.0 += 1;
        entry.2.push(took);
        if let Some(failure) = failure {
            entry.1.push(failure);
        }
    }
}

async fn send(request: reqwest::RequestBuilder) -> Result<Value, String> {
    let response = request.send().await.map_err(|e| format!("no answer: {e}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!("{status}: {body}"));
    }
    Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// One step of traffic, chosen by its number: mostly reads and updates,
/// a declaration or an alert every few steps.
async fn step(n: u64, http: &reqwest::Client, base: &str, known: &Mutex<Vec<Known>>) -> (&'static str, Option<String>) {
    // An open incident chosen by `n`; one picked to be changed is marked so
    // no other change is sent for it until this one is answered.
    let pick = |n: u64, to_change: bool| {
        let mut known = known.lock().expect("known");
        let open: Vec<usize> = (0..known.len())
            .filter(|i| next_status(known[*i].status).is_some() && !(to_change && known[*i].changing))
            .collect();
        (!open.is_empty()).then(|| {
            let i = open[(n as usize * 7919) % open.len()];
            known[i].changing |= to_change;
            (i, known[i].clone())
        })
    };
    match n % 10 {
        0 => {
            let body = json!({ "domain": "payments", "summary": format!("Soak declaration {n}"), "severity": "sev2" });
            let answer = send(http.post(format!("{base}/api/v1/incidents")).json(&body)).await;
            if let Ok(incident) = &answer {
                let id = incident["id"].as_str().unwrap_or_default().to_owned();
                known.lock().expect("known").push(Known { id, status: "open", changing: false });
            }
            ("declare", answer.err())
        }
        5 => {
            // A new alert every other time; otherwise a repeat of a recent one.
            let key = if n % 20 == 5 { format!("soak-alert-{n}") } else { format!("soak-alert-{}", n - 10) };
            let body = json!({ "dedup_key": key, "domain": "api", "summary": format!("Alert {key}"),
                               "severity": "sev3", "status": "firing" });
            let request = http.post(format!("{base}/webhooks/alerts")).bearer_auth(WEBHOOK_TOKEN).json(&body);
            let answer = send(request).await;
            if let Ok(answer) = &answer {
                if answer["created"] == true {
                    let id = answer["incident"]["id"].as_str().unwrap_or_default().to_owned();
                    known.lock().expect("known").push(Known { id, status: "open", changing: false });
                }
            }
            ("webhook", answer.err())
        }
        1 | 3 | 7 => {
            let Some((i, incident)) = pick(n, true) else { return ("update", None) };
            let Some(to) = next_status(incident.status) else { return ("update", None) };
            let body = json!({ "status": to, "message": format!("Soak update {n}") });
            let url = format!("{base}/api/v1/incidents/{}/status", incident.id);
            let answer = send(http.post(url).json(&body)).await;
            let mut known = known.lock().expect("known");
            if answer.is_ok() {
                known[i].status = to;
            }
            known[i].changing = false;
            ("update", answer.err())
        }
        2 => ("list", send(http.get(format!("{base}/api/v1/incidents?limit=50"))).await.err()),
        4 | 8 => {
            let Some((_, incident)) = pick(n, false) else { return ("read", None) };
            let url = format!("{base}/api/v1/incidents/{}/timeline", incident.id);
            ("read", send(http.get(url)).await.err())
        }
        6 => ("metrics", send(http.get(format!("{base}/api/v1/metrics"))).await.err()),
        _ => {
            let answer = http.get(format!("{base}/metrics")).send().await;
            let failure = match answer {
                Ok(r) if r.status().is_success() => None,
                Ok(r) => Some(r.status().to_string()),
                Err(e) => Some(e.to_string()),
            };
            ("prometheus", failure)
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Checks every incident's runbook; returns the problems found.
async fn unfinished_runbooks(http: &reqwest::Client, base: &str, known: &[Known]) -> Vec<String> {
    let mut problems = Vec::new();
    for incident in known {
        let url = format!("{base}/api/v1/incidents/{}/timeline", incident.id);
        let Ok(timeline) = send(http.get(url)).await else {
            problems.push(format!("{}: no timeline", incident.id));
            continue;
        };
        let events: Vec<&Value> = timeline["events"].as_array().into_iter().flatten().collect();
        let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
        let mut needed = vec!["room_created", "card_posted", "broadcast_posted"];
        // An incident resolved before its room existed is not paged: nobody needs waking.
        let position = |kind: &str, to: Option<&str>| {
            events.iter().position(|e| e["kind"] == kind && to.is_none_or(|to| e["to"] == to))
        };
        let resolved_first = match (position("status_changed", Some("resolved")), position("room_created", None)) {
            (Some(resolved), Some(room)) => resolved < room,
            _ => false,
        };
        if !resolved_first {
            needed.push("paged");
        }
        if incident.status == "resolved" {
            needed.push("postmortem_created");
        }
        for kind in needed {
            if !kinds.contains(&kind) {
                problems.push(format!("{}: no {kind}", incident.id));
            }
        }
        if kinds.contains(&"effect_failed") {
            problems.push(format!("{}: a step was given up", incident.id));
        }
    }
    problems
}

fn main() {
    if !benchmarking() {
        return;
    }
    let seconds: u64 = std::env::var("SOAK_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let postgres = std::env::var("SOAK_DB").is_ok_and(|db| db == "postgres");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let ok = runtime.block_on(soak(Duration::from_secs(seconds), postgres));
    if !ok {
        std::process::exit(1);
    }
}

async fn soak(length: Duration, postgres: bool) -> bool {
    let fakes = Fakes::start_failing(Duration::from_millis(5), FAIL_EVERY).await;
    let mut server = ServerProcess::start(&fakes, postgres).await;
    let http = client(64);
    let known = Arc::new(Mutex::new(Vec::<Known>::new()));
    let base = server.base.clone();
    let db = if postgres { "PostgreSQL" } else { "SQLite" };
    println!("soak: {} s of mixed traffic, one request every {STEP:?}, {db}, 5 % provider faults", length.as_secs());

    let started = Instant::now();
    let mut tally = Tally::default();
    let mut rss: Vec<(Duration, u64)> = Vec::new();
    let mut in_flight = tokio::task::JoinSet::new();
    let mut ticker = tokio::time::interval(STEP);
    let mut n = 0u64;
    let mut next_sample = Duration::ZERO;
    while started.elapsed() < length {
        ticker.tick().await;
        if started.elapsed() >= next_sample {
            rss.push((started.elapsed(), server.rss_kib()));
            next_sample += Duration::from_secs(10);
        }
        n += 1;
        let (http, base, known) = (http.clone(), base.clone(), known.clone());
        in_flight.spawn(async move {
            let sent = Instant::now();
            let (kind, failure) = step(n, &http, &base, &known).await;
            (kind, sent.elapsed(), failure)
        });
        while let Some(Ok((kind, took, failure))) = in_flight.try_join_next() {
            tally.record(kind, took, failure);
        }
    }
    while let Some(Ok((kind, took, failure))) = in_flight.join_next().await {
        tally.record(kind, took, failure);
    }
    rss.push((started.elapsed(), server.rss_kib()));
    let traffic = started.elapsed();

    // Every runbook completes once the traffic stops (retries included).
    let settle = Instant::now();
    let known = known.lock().expect("known").clone();
    let mut problems = unfinished_runbooks(&http, &base, &known).await;
    while !problems.is_empty() && settle.elapsed() < Duration::from_secs(180) {
        tokio::time::sleep(Duration::from_secs(2)).await;
        problems = unfinished_runbooks(&http, &base, &known).await;
    }

    println!("\n{:<11} {:>8} {:>8} {:>9} {:>9} {:>9}", "request", "count", "errors", "p50", "p99", "max");
    let mut errors = Vec::new();
    for (kind, (count, failures, mut took)) in tally.by_kind {
        took.sort();
        println!(
            "{kind:<11} {count:>8} {:>8} {:>9.1?} {:>9.1?} {:>9.1?}",
            failures.len(),
            percentile(&took, 0.5),
            percentile(&took, 0.99),
            took.last().copied().unwrap_or_default()
        );
        errors.extend(failures.into_iter().map(|f| format!("{kind}: {f}")));
    }
    let resolved = known.iter().filter(|k| k.status == "resolved").count();
    println!(
        "\nincidents: {} ({resolved} resolved); provider calls failed on purpose: {}; traffic {:.0?}, settled in {:.1?}",
        known.len(),
        fakes.faults(),
        traffic,
        settle.elapsed()
    );
    let after_first_minute = rss.iter().find(|(at, _)| *at >= Duration::from_secs(60)).or(rss.first()).map(|s| s.1);
    let last = rss.last().map(|s| s.1).unwrap_or(0);
    let peak = rss.iter().map(|s| s.1).max().unwrap_or(0);
    let first = after_first_minute.unwrap_or(0);
    let growth = if first == 0 { 0.0 } else { (last as f64 - first as f64) / first as f64 * 100.0 };
    println!(
        "server RSS: {:.1} MiB after the first minute, {:.1} MiB at the end ({growth:+.1} %), peak {:.1} MiB",
        first as f64 / 1024.0,
        last as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    let samples: Vec<String> = rss.iter().map(|(at, kib)| format!("{}s={}", at.as_secs(), kib / 1024)).collect();
    println!("RSS samples (MiB): {}", samples.join(" "));

    let mut ok = true;
    if !errors.is_empty() {
        ok = false;
        println!("FAIL: {} requests were not answered 2xx, e.g. {:?}", errors.len(), &errors[..errors.len().min(5)]);
    }
    if length < Duration::from_secs(120) {
        // Too short for the first minute to be a baseline: a short run (the
        // one `./scripts/test` makes) judges the answers, the runbooks and
        // that the server is still running.
        println!("note: RSS growth is judged on runs of two minutes or more; this run judges answers and runbooks");
    } else if growth.abs() > 10.0 {
        ok = false;
        println!("FAIL: RSS moved {growth:+.1} % after the first minute (limit 10 %)");
    }
    if !problems.is_empty() {
        ok = false;
        println!("FAIL: {} runbooks unfinished, e.g. {:?}", problems.len(), &problems[..problems.len().min(5)]);
        if let Some(id) = problems[0].split(':').next() {
            let url = format!("{base}/api/v1/incidents/{id}/timeline");
            println!("its timeline: {}", send(http.get(url)).await.unwrap_or_default());
        }
    }
    if server.exited() {
        ok = false;
        println!("FAIL: the server exited");
    }
    println!("{}", if ok { "soak: PASS" } else { "soak: FAIL" });
    fakes.stop().await;
    ok
}
