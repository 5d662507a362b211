//! Alert webhook throughput and deduplication under load.
//!
//! 10,000 firing alerts over 100 dedup keys go to `POST /webhooks/alerts`
//! (bearer token), 50 in flight, first on SQLite, then on PostgreSQL. Each
//! run reports alerts per second and checks that exactly 100 incidents were
//! opened: one per key, however the first alerts of a key race.
//!
//! The same load is first sent to a bare axum handler in the same process
//! (bearer check, JSON parsed, a small JSON answer, no store): the ceiling
//! of this harness on this machine; each store's rate is shown as a share of
//! it. Three rounds alternate the bare handler and the stores, and the median
//! share is reported.
//!
//! Run: `cargo bench -p sima-server --bench webhook_throughput` (PostgreSQL
//! from `SIMA_TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`;
//! `SIMA_BENCH_STORES=sqlite|postgres` runs one store).

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

/// The body of alert `i`: its key repeats every [`KEYS`] alerts.
fn alert(i: usize) -> Value {
    let key = i % KEYS;
    json!({
        "dedup_key": format!("bench-alert-{key:03}"),
        "domain": "payments",
        "summary": case_summary(key),
        "description": "Error rate above 5% for 5 minutes.",
        "severity": "sev3",
        "status": "firing",
    })
}

/// A bare axum handler: checks the bearer token, parses the JSON, answers 200.
async fn bare_handler(headers: axum::http::HeaderMap, body: axum::Json<Value>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let expected = format!("Bearer {WEBHOOK_TOKEN}");
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return axum::http::StatusCode::UNAUTHORIZED.into_response();
    }
    axum::Json(json!({ "created": false, "dedup_key": body.0["dedup_key"] })).into_response()
}

/// Alerts per second a bare axum handler answers under the same load.
async fn bare() -> f64 {
    let app = axum::Router::new().route("/webhooks/alerts", axum::routing::post(bare_handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the bare server");
    let url = Arc::new(format!("http://{}/webhooks/alerts", listener.local_addr().expect("an address")));
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    let http = support::client(CONCURRENCY);
    let (samples, wall) = closed_loop(ALERTS, CONCURRENCY, move |i| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let sent = http.post(url.as_str()).bearer_auth(WEBHOOK_TOKEN).json(&alert(i)).send().await;
            matches!(sent.map(|r| r.status().as_u16()), Ok(200))
        }
    })
    .await;
    task.abort();
    let failed = samples.iter().filter(|(_, ok)| !ok).count();
    let latencies: Vec<Duration> = samples.iter().map(|(d, _)| *d).collect();
    println!(
        "{:<10} {ALERTS} alerts, {KEYS} keys, {CONCURRENCY} in flight: {:.0} alerts/s · latency {} · {failed} failed",
        "bare axum",
        rate(ALERTS, wall),
        Stats::of(&latencies).line()
    );
    rate(ALERTS, wall)
}

/// Alerts per second the real server answers on `db`.
async fn run(db: Db) -> f64 {
    let fakes = Fakes::start(Duration::ZERO).await;
    let server = Server::start(db, &fakes).await;
    let http = support::client(CONCURRENCY);
    let created = Arc::new(AtomicUsize::new(0));
    let url = Arc::new(server.url("/webhooks/alerts"));
    let (client, counter) = (http.clone(), created.clone());
    let (samples, wall) = closed_loop(ALERTS, CONCURRENCY, move |i| {
        let (http, url, created) = (client.clone(), url.clone(), counter.clone());
        async move {
            let body = alert(i);
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
    rate(ALERTS, wall)
}

/// How many times the bare handler and each store run, alternately: one
/// run lasts well under a second, and this machine's rate swings by a third
/// from one to the next, so the share quoted is the median of the rounds.
const ROUNDS: usize = 3;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    support::runtime().block_on(async {
        println!("webhook_throughput: {}", machine());
        let stores = match std::env::var("SIMA_BENCH_STORES").unwrap_or_default().as_str() {
            "sqlite" => vec![Db::Sqlite],
            "postgres" => vec![Db::Postgres],
            _ => vec![Db::Sqlite, Db::Postgres],
        };
        let mut shares: Vec<Vec<f64>> = vec![Vec::new(); stores.len()];
        for round in 1..=ROUNDS {
            println!("round {round} of {ROUNDS}");
            let ceiling = bare().await;
            for (db, shares) in stores.iter().zip(&mut shares) {
                let share = 100.0 * run(*db).await / ceiling;
                println!("{:<10} {db}: {share:.1} % of bare axum", "");
                shares.push(share);
            }
        }
        for (db, shares) in stores.iter().zip(shares) {
            let listed: Vec<String> = shares.iter().map(|s| format!("{s:.1} %")).collect();
            println!(
                "{db}: median {:.1} % of bare axum over {ROUNDS} rounds ({}; goal ≥ 50 %)",
                median(shares.clone()),
                listed.join(", ")
            );
        }
    });
}
