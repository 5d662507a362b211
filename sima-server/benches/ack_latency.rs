//! Acknowledgement latency of signed slash commands under load.
//!
//! The real server (SQLite in a temporary directory, Slack and PagerDuty
//! pointed at local fakes) gets `/incident …` commands typed in incident
//! rooms, 200 in flight, each signed like Slack signs it. Slack gives an app
//! 3 s to answer; the goal is p99 ≤ 10 ms at 200 concurrent requests.
//!
//! - read: `info` and `help` (a store read, a rendered answer);
//! - write: `note …` (an event appended, an announcement queued; the effect
//!   worker posts those to the fake Slack while the load runs).
//!
//! Each runs closed-loop (always 200 in flight, so latency = 200 ÷ throughput:
//! p99 ≤ 10 ms there needs 20,000 requests/s) and paced (a steady rate, at
//! most 200 in flight, latency counted from each request's scheduled time).
//!
//! Run: `cargo bench -p sima-server --bench ack_latency`
//! (`SIMA_BENCH_PHASES=read-32,write` runs only the phases named, after the warmup).

mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::{Request, StatusCode};
use http_body_util::Full;
use sima_slack::{sign, Secret};
use support::{closed_loop, declare, lean, machine, paced, rate, wait_until, Db, Fakes, Server, Stats, SIGNING_SECRET};

const ROOMS: usize = 20;
const CONCURRENCY: usize = 200;
const WARMUP: usize = 1_000;
const READS: usize = 60_000;
/// Requests of the paced read phase.
const PACED_READS: usize = 4_000;
const WRITES: usize = 2_000;
/// Requests per second of the paced read phase.
const PACED_RATE: f64 = 1_000.0;
/// Requests per second of the paced write phase.
const PACED_WRITES: f64 = 100.0;

/// The form body of command `i` of `phase`, typed in `room`. `phase` and `i` make
/// each request of the run distinct: a body signed twice in the same second is a
/// replay, which SIMA answers without acting.
fn command_body(room: &str, text: &str, i: usize, phase: &str) -> String {
    format!(
        "command=%2Fincident&text={}&user_id=U{:05}&channel_id={room}&team_id=T0BENCH&trigger_id=bench.{phase}.{i}",
        text.replace(' ', "+"),
        i % 500
    )
}

/// The headers Slack signs a request with: its timestamp and signature.
fn signed_headers(secret: &Secret, body: &str) -> (String, String) {
    let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()).to_string();
    let signature = sign(secret, &timestamp, body.as_bytes());
    (timestamp, signature)
}

/// Whether an answer is what a command should say.
fn answered(status: StatusCode, body: &[u8]) -> bool {
    let answer = String::from_utf8_lossy(body);
    status.is_success() && answer.contains("ephemeral") && !answer.contains("could not record")
}

/// A signed `POST /slack/commands` sent with reqwest; true if answered as [`answered`].
async fn command(
    http: &reqwest::Client,
    url: &str,
    secret: &Secret,
    room: &str,
    text: &str,
    i: usize,
    phase: &str,
) -> bool {
    let body = command_body(room, text, i, phase);
    let (timestamp, signature) = signed_headers(secret, &body);
    let sent = http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", timestamp)
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await;
    let Ok(response) = sent else { return false };
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let answer = response.bytes().await.unwrap_or_default();
    answered(status, &answer)
}

/// The same command as [`command`], built and signed ahead for the lean load generator.
fn prepared(server: &Server, secret: &Secret, room: &str, text: &str, i: usize, phase: &str) -> lean::Prepared {
    let body = command_body(room, text, i, phase);
    let (timestamp, signature) = signed_headers(secret, &body);
    Request::post("/slack/commands")
        .header("host", server.base.trim_start_matches("http://"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", timestamp)
        .header("x-slack-signature", signature)
        .body(Full::new(Bytes::from(body)))
        .expect("a request")
}

/// Whether closed phases use reqwest, as rounds before the fourth did
/// (`SIMA_BENCH_CLIENT=reqwest`), rather than the lean load generator.
fn reqwest_client() -> bool {
    std::env::var("SIMA_BENCH_CLIENT").is_ok_and(|client| client == "reqwest")
}

/// How a phase sends its requests.
#[derive(Clone, Copy)]
enum Load {
    /// Always this many in flight: each answer releases the next request.
    Closed(usize),
    /// A steady rate, at most `CONCURRENCY` in flight.
    Paced(f64),
}

/// Whether the phase `name` runs: all do unless `SIMA_BENCH_PHASES` names some
/// (spaces written as `-`); the warmup always runs.
fn wanted(name: &str) -> bool {
    let Ok(chosen) = std::env::var("SIMA_BENCH_PHASES") else { return true };
    name == "warmup" || chosen.split(',').any(|p| p.trim() == name.replace(' ', "-"))
}

/// Runs the phase `name` if [`wanted`]; returns how many requests it sent.
async fn phase(
    name: &str,
    load: Load,
    http: &reqwest::Client,
    server: &Server,
    rooms: &Arc<Vec<String>>,
    total: usize,
    text: fn(usize) -> String,
) -> usize {
    if !wanted(name) {
        return 0;
    }
    let url = Arc::new(server.url("/slack/commands"));
    let secret = Arc::new(Secret::new(SIGNING_SECRET));
    let (http, all_rooms) = (http.clone(), rooms.clone());
    let phase_name = Arc::new(name.replace(' ', "-"));
    let request = move |i: usize| {
        let (http, url, secret, rooms) = (http.clone(), url.clone(), secret.clone(), all_rooms.clone());
        let phase = phase_name.clone();
        async move { command(&http, &url, &secret, &rooms[i % rooms.len()], &text(i), i, &phase).await }
    };
    let (samples, wall) = match load {
        Load::Closed(in_flight) if !reqwest_client() => {
            let secret = Secret::new(SIGNING_SECRET);
            let phase = name.replace(' ', "-");
            let requests =
                (0..total).map(|i| prepared(server, &secret, &rooms[i % rooms.len()], &text(i), i, &phase)).collect();
            let addr = server.base.trim_start_matches("http://").parse().expect("the server's address");
            lean::closed_loop(addr, requests, in_flight, answered).await
        }
        Load::Closed(in_flight) => closed_loop(total, in_flight, request).await,
        Load::Paced(per_second) => paced(total, per_second, CONCURRENCY, request).await,
    };
    let failed = samples.iter().filter(|(_, ok)| !ok).count();
    let latencies: Vec<Duration> = samples.iter().map(|(d, _)| *d).collect();
    let stats = Stats::of(&latencies);
    let how = match load {
        Load::Closed(in_flight) => format!("{in_flight} in flight"),
        Load::Paced(per_second) => format!("{per_second:.0}/s, ≤ {CONCURRENCY} in flight"),
    };
    println!("{name:<13} {total} × {how}: {} · {:.0} req/s · {failed} failed", stats.line(), rate(total, wall));
    if name != "warmup" {
        let verdict = if stats.p99 <= Duration::from_millis(10) { "meets" } else { "misses" };
        println!("{:<13} goal p99 ≤ 10 ms: {verdict}", "");
        if matches!(load, Load::Closed(32)) {
            let verdict = if stats.p99 <= Duration::from_millis(3) { "meets" } else { "misses" };
            println!("{:<13} goal p99 ≤ 3 ms at 32 connections: {verdict}", "");
        }
    }
    total
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    support::runtime().block_on(async {
        println!("ack_latency: {}", machine());
        let fakes = Fakes::start(Duration::ZERO).await;
        let server = Server::start(Db::Sqlite, &fakes).await;
        let http = support::client(CONCURRENCY);
        let mut rooms = Vec::new();
        for i in 0..ROOMS {
            let incident = declare(&http, &server, i).await;
            let number = incident["number"].as_str().expect("a number").to_owned();
            let url = server.url(&format!("/api/v1/incidents/{number}"));
            let mut room = None;
            for _ in 0..500 {
                let shown: serde_json::Value = http.get(&url).send().await.expect("show").json().await.expect("JSON");
                if let Some(id) = shown["room"]["id"].as_str() {
                    room = Some(id.to_owned());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            rooms.push(room.expect("the room is created within 5 s"));
        }
        let settled = wait_until(Duration::from_secs(10), || {
            fakes.count("pins.add") == ROOMS && fakes.count("pagerduty.enqueue") == ROOMS
        })
        .await;
        assert!(settled, "the opening runbooks of the {ROOMS} incidents finish");
        println!("{ROOMS} incident rooms ready; commands spread over them");
        let rooms = Arc::new(rooms);

        let reads = |i: usize| if i.is_multiple_of(2) { "info".to_owned() } else { "help".to_owned() };
        let notes = |i: usize| format!("note load check {i}");
        phase("warmup", Load::Closed(CONCURRENCY), &http, &server, &rooms, WARMUP, reads).await;
        phase("read", Load::Closed(CONCURRENCY), &http, &server, &rooms, READS, reads).await;
        // 32 connections: the figure the performance page tracks (goal p99 ≤ 3 ms).
        phase("read 32", Load::Closed(32), &http, &server, &rooms, READS, reads).await;
        phase("read paced", Load::Paced(PACED_RATE), &http, &server, &rooms, PACED_READS, reads).await;
        let mut notes_sent = 0;
        notes_sent += phase("write", Load::Closed(CONCURRENCY), &http, &server, &rooms, WRITES, notes).await;
        // One writer per room: the cost of a write without optimistic-concurrency retries.
        notes_sent += phase("write 1/room", Load::Closed(ROOMS), &http, &server, &rooms, WRITES / 2, notes).await;
        notes_sent += phase("write 32", Load::Closed(32), &http, &server, &rooms, WRITES / 2, notes).await;
        notes_sent += phase("write paced", Load::Paced(PACED_WRITES), &http, &server, &rooms, WRITES / 2, notes).await;

        let announced =
            wait_until(Duration::from_secs(20), || fakes.count("chat.postMessage") >= ROOMS + notes_sent).await;
        println!(
            "notes announced in their rooms by the worker: {}",
            if announced { "all" } else { "not all within 20 s" }
        );
        server.stop().await;
        fakes.stop().await;
    });
}
