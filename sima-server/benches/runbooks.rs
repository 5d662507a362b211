//! Declarations accepted, runbooks completed and time to channel, closed-loop
//! and paced, on SQLite and PostgreSQL.
//!
//! The real server runs with Slack and PagerDuty pointed at the in-process
//! Rust fakes of `support` (axum on 127.0.0.1, answering in microseconds),
//! so the numbers are the server's, not the harness's. Each load starts on a
//! fresh database and declares distinct incidents through
//! `POST /api/v1/incidents`; every one runs its whole opening runbook (room,
//! invite, card and pin, broadcast, page).
//!
//! Loads: closed loop with 10 and with 50 declarations in flight; paced at a
//! steady 50/s and 200/s (at most 200 in flight). Reported per load:
//! - declarations/s (answered 201) and the POST latency;
//! - time to channel: from sending a declaration to the fake receiving its
//!   `conversations.create` (p50, p99);
//! - runbooks completed/s: declarations ÷ (last runbook step − first send),
//!   and the time from sending to the last step of its runbook (p50, p99).
//!
//! Run: `cargo bench -p sima-server --bench runbooks` (PostgreSQL from
//! `SIMA_TEST_DATABASE_URL`; `SIMA_BENCH_STORES=sqlite` or `postgres` runs
//! one store; `SIMA_BENCH_SECONDS` sets how long a paced load lasts, default 10).

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::{case_of, closed_loop, declare, machine, ms, paced, rate, Call, Db, Fakes, Server, Stats};

/// The calls that complete an opening runbook.
const FINAL_STEPS: [&str; 4] = ["pins.add", "conversations.invite", "broadcast", "pagerduty.enqueue"];
/// Declarations of a closed-loop load.
const CLOSED_TOTAL: usize = 2_000;
/// Declarations made before a load, not measured.
const WARMUP: usize = 20;

/// How declarations are sent.
#[derive(Clone, Copy)]
enum Load {
    /// Always this many in flight.
    Closed(usize),
    /// A steady rate per second, at most 200 in flight.
    Paced(f64),
}

impl std::fmt::Display for Load {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Closed(n) => write!(f, "closed {n} in flight"),
            Self::Paced(r) => write!(f, "paced {r:.0}/s"),
        }
    }
}

/// For each case, the first call of each step that concerns it.
fn by_case(calls: &[Call], cases: usize) -> Vec<HashMap<String, Call>> {
    let mut seen = vec![HashMap::new(); cases];
    for call in calls {
        if let Some(i) = case_of(&call.subject).filter(|i| *i < cases) {
            seen[i].entry(call.step.clone()).or_insert_with(|| call.clone());
        }
    }
    seen
}

async fn run(db: Db, load: Load, paced_seconds: f64) {
    let total = match load {
        Load::Closed(_) => CLOSED_TOTAL,
        Load::Paced(per_second) => (per_second * paced_seconds) as usize,
    };
    let fakes = Fakes::start(Duration::ZERO).await;
    let server = Arc::new(Server::start(db, &fakes).await);
    let http = support::client(200);
    // Case numbers above `total` are the warm-up's, left out of the tally.
    for i in 0..WARMUP {
        declare(&http, &server, total + i).await;
    }
    support::wait_until(Duration::from_secs(10), || fakes.count("pins.add") == WARMUP).await;
    fakes.clear();

    let sent_at: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; total]));
    let started = Instant::now();
    let (client, srv, sent) = (http.clone(), server.clone(), sent_at.clone());
    let request = move |i: usize| {
        let (http, server, sent) = (client.clone(), srv.clone(), sent.clone());
        async move {
            sent.lock().expect("sent times")[i] = Some(Instant::now());
            declare(&http, &server, i).await;
            true
        }
    };
    let (samples, wall) = match load {
        Load::Closed(in_flight) => closed_loop(total, in_flight, request).await,
        Load::Paced(per_second) => paced(total, per_second, 200, request).await,
    };
    let answered: Vec<Duration> = samples.iter().map(|(d, _)| *d).collect();
    let complete =
        support::wait_until(Duration::from_secs(60), || FINAL_STEPS.iter().all(|s| fakes.count(s) >= total)).await;
    let calls = fakes.calls();
    let sent = sent_at.lock().expect("sent times").clone();
    let mut to_channel = Vec::new();
    let mut to_done = Vec::new();
    for (i, steps) in by_case(&calls, total).iter().enumerate() {
        let Some(sent) = sent[i] else { continue };
        if let Some(create) = steps.get("conversations.create") {
            to_channel.push(create.received.saturating_duration_since(sent));
        }
        let last = FINAL_STEPS.iter().map(|s| steps.get(*s).map(|c| c.answered)).collect::<Option<Vec<_>>>();
        if let Some(last) = last.and_then(|l| l.into_iter().max()) {
            to_done.push(last.saturating_duration_since(sent));
        }
    }
    let last_call = calls.iter().map(|c| c.answered).max().unwrap_or(started);
    let drained = last_call.saturating_duration_since(started);
    let channel = if to_channel.is_empty() { "none".to_owned() } else { summary(&Stats::of(&to_channel)) };
    let done = if to_done.is_empty() { "none".to_owned() } else { summary(&Stats::of(&to_done)) };
    println!(
        "{db:<10} {load:<20} {total:>5} decl: {:>6.0} decl/s (POST p99 {}) · to channel {channel} · \
         {:>5.0} runbooks/s, runbook done {done} · all done: {complete}",
        rate(total, wall),
        ms(Stats::of(&answered).p99),
        rate(to_done.len(), drained),
    );
    match Arc::try_unwrap(server) {
        Ok(server) => server.stop().await,
        Err(_) => eprintln!("server still shared; not stopped cleanly"),
    }
    fakes.stop().await;
}

/// `p50 … / p99 …`.
fn summary(stats: &Stats) -> String {
    format!("p50 {} p99 {}", ms(stats.p50), ms(stats.p99))
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    let stores = std::env::var("SIMA_BENCH_STORES").unwrap_or_default();
    let seconds: f64 = std::env::var("SIMA_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let dbs: Vec<Db> = match stores.as_str() {
        "sqlite" => vec![Db::Sqlite],
        "postgres" => vec![Db::Postgres],
        _ => vec![Db::Sqlite, Db::Postgres],
    };
    support::runtime().block_on(async {
        println!("runbooks: {}", machine());
        for db in dbs {
            for load in [Load::Closed(10), Load::Closed(50), Load::Paced(50.0), Load::Paced(200.0)] {
                run(db, load, seconds).await;
            }
        }
    });
}
