//! Alert webhook throughput and deduplication under load.
//!
//! 10,000 firing alerts over 100 dedup keys go to `POST /webhooks/alerts`
//! (bearer token), 50 in flight, first on SQLite, then on PostgreSQL. Each
//! run reports alerts per second and checks that exactly 100 incidents were
//! opened: one per key, however the first alerts of a key race.
//!
//! Run: `cargo bench -p sima-server --bench webhook_throughput` (PostgreSQL
//! from `SIMA_TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`).

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::{case_summary, closed_loop, machine, rate, Db, Fakes, Server, Stats, WEBHOOK_TOKEN};

const ALERTS: usize = 10_000;
const KEYS: usize = 100;
const CONCURRENCY: usize = 50;

async fn run(db: Db) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let server = Server::start(db, &fakes).await;
    let http = support::client(CONCURRENCY);
    let created = Arc::new(AtomicUsize::new(0));
    let url = Arc::new(server.url("/webhooks/alerts"));
    let (client, counter) = (http.clone(), created.clone());
    let (samples, wall) = closed_loop(ALERTS, CONCURRENCY, move |i| {
        let (http, url, created) = (client.clone(), url.clone(), counter.clone());
        async move {
            let key = i % KEYS;
            let body = json!({
                "dedup_key": format!("bench-alert-{key:03}"),
                "domain": "payments",
                "summary": case_summary(key),
                "description": "Error rate above 5% for 5 minutes.",
                "severity": "sev3",
                "status": "firing",
            });
            let sent = http.post(url.as_str()).bearer_auth(WEBHOOK_TOKEN).json(&body).send().await;
            match sent.map(|r| r.status().as_u16()) {
                Ok(201) => {
                    created.fetch_add(1, Ordering::Relaxed);
                    true
                }
                Ok(200) => true,
                _ => false,
            }
        }
    })
    .await;
    let failed = samples.iter().filter(|(_, ok)| !ok).count();
    let latencies: Vec<Duration> = samples.iter().map(|(d, _)| *d).collect();
    println!(
        "{db:<10} {ALERTS} alerts, {KEYS} keys, {CONCURRENCY} in flight: {:.0} alerts/s in {:.2} s · latency {} · {failed} failed",
        rate(ALERTS, wall),
        wall.as_secs_f64(),
        Stats::of(&latencies).line()
    );

    let listed: Value = http
        .get(server.url("/api/v1/incidents?limit=1000"))
        .send()
        .await
        .expect("list incidents")
        .json()
        .await
        .expect("incidents JSON");
    let incidents = listed["incidents"].as_array().expect("an incidents array");
    let keys: HashSet<&str> = incidents.iter().filter_map(|i| i["dedup_key"].as_str()).collect();
    let created = created.load(Ordering::Relaxed);
    println!(
        "{:<10} incidents stored: {} ({} distinct keys); answered 201 Created: {created}",
        "",
        incidents.len(),
        keys.len()
    );
    assert_eq!(failed, 0, "every alert is accepted");
    assert_eq!(incidents.len(), KEYS, "exactly one incident per dedup key");
    assert_eq!(keys.len(), KEYS, "one incident for each key");
    assert_eq!(created, KEYS, "exactly one 201 per key");

    let opened = support::wait_until(Duration::from_secs(20), || fakes.count("pins.add") == KEYS).await;
    println!("{:<10} opening runbooks of the {KEYS} incidents finished: {opened}", "");
    server.stop().await;
    fakes.stop().await;
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    support::runtime().block_on(async {
        println!("webhook_throughput: {}", machine());
        run(Db::Sqlite).await;
        run(Db::Postgres).await;
    });
}
