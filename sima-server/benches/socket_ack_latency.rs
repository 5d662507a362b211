//! Acknowledgement latency of slash commands over Slack Socket Mode.
//!
//! The real server (SQLite in a temporary directory, Slack and PagerDuty
//! pointed at local fakes) connects over Socket Mode to a local server that
//! behaves like Slack's; that server sends `slash_commands` envelopes
//! (`/incident info` and `/incident note …` typed in incident rooms) on one
//! connection and times each from the moment its frame is sent until its
//! acknowledgement, with the reply as payload, comes back. Slack gives an
//! app 3 s to acknowledge.
//!
//! - one at a time: the latency of a single envelope, nothing queued;
//! - pipelined: always 50 envelopes in flight on the connection (closed loop).
//!
//! Run: `cargo bench -p sima-server --bench socket_ack_latency`.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sima_slack::socket::testing::{SocketPeer, SocketServer};
use support::{declare, machine, rate, wait_until, Db, Fakes, Server, Stats};

const APP_TOKEN: &str = "xapp-1-A0BENCH-1-0123456789abcdef";
const ROOMS: usize = 10;
const WARMUP: usize = 500;
const SERIAL: usize = 2_000;
const PIPELINED: usize = 4_000;
const IN_FLIGHT: usize = 50;
const ACK_WAIT: Duration = Duration::from_secs(5);

/// One measured phase: name, envelopes, envelopes in flight, the command text of envelope `i`.
type Phase = (&'static str, usize, usize, fn(usize) -> String);

/// The `slash_commands` payload of command `i`.
fn command(rooms: &[String], i: usize, text: &str) -> Value {
    json!({
        "command": "/incident",
        "text": text,
        "user_id": format!("U{:05}", i % 500),
        "channel_id": rooms[i % rooms.len()],
        "team_id": "T0BENCH",
        "trigger_id": format!("bench.{i}"),
    })
}

/// Whether an acknowledgement carries the reply a person would see.
fn answered(ack: &Value) -> bool {
    ack["payload"]["response_type"] == "ephemeral"
        && !ack["payload"]["text"].as_str().unwrap_or_default().contains("could not record")
}

/// Sends `total` envelopes with `in_flight` outstanding at once; returns
/// each latency, the failures and the wall time.
async fn run(
    peer: &mut SocketPeer,
    rooms: &[String],
    phase: &str,
    total: usize,
    in_flight: usize,
    text: fn(usize) -> String,
) -> (Vec<Duration>, usize, Duration) {
    let started = Instant::now();
    let mut sent: HashMap<String, Instant> = HashMap::with_capacity(in_flight);
    let mut latencies = Vec::with_capacity(total);
    let mut failed = 0;
    let mut next = 0;
    let send = |peer: &SocketPeer, sent: &mut HashMap<String, Instant>, i: usize| {
        let id = format!("{phase}-{i}");
        sent.insert(id.clone(), Instant::now());
        peer.envelope(&id, "slash_commands", &command(rooms, i, &text(i)), true, 0);
    };
    while next < total.min(in_flight) {
        send(peer, &mut sent, next);
        next += 1;
    }
    while latencies.len() + failed < total {
        let Some(ack) = peer.next_message(ACK_WAIT).await else {
            failed += sent.len();
            break;
        };
        let Some(at) = ack["envelope_id"].as_str().and_then(|id| sent.remove(id)) else { continue };
        latencies.push(at.elapsed());
        if !answered(&ack) {
            failed += 1;
        }
        if next < total {
            send(peer, &mut sent, next);
            next += 1;
        }
    }
    (latencies, failed, started.elapsed())
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    support::runtime().block_on(async {
        println!("socket_ack_latency: {}", machine());
        let fakes = Fakes::start(Duration::ZERO).await;
        let mut sockets = SocketServer::start().await.expect("a local Socket Mode server");
        fakes.answer_socket_mode(sockets.url());
        let server = Server::start_with_env(Db::Sqlite, &fakes, &[("SIMA_SLACK_APP_TOKEN", APP_TOKEN)]).await;
        let mut peer = sockets.next_connection(Duration::from_secs(5)).await.expect("the server connects");
        let _second = sockets.next_connection(Duration::from_secs(5)).await.expect("and keeps a second connection");

        let http = support::client(4);
        let mut rooms = Vec::new();
        for i in 0..ROOMS {
            let incident = declare(&http, &server, i).await;
            let url = server.url(&format!("/api/v1/incidents/{}", incident["number"].as_str().expect("a number")));
            let mut room = None;
            for _ in 0..500 {
                let shown: Value = http.get(&url).send().await.expect("show").json().await.expect("JSON");
                if let Some(id) = shown["room"]["id"].as_str() {
                    room = Some(id.to_owned());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            rooms.push(room.expect("the room is created within 5 s"));
        }
        let settled = wait_until(Duration::from_secs(10), || fakes.count("pins.add") == ROOMS).await;
        assert!(settled, "the opening runbooks finish");
        println!("{ROOMS} incident rooms ready; envelopes spread over them");

        let info = |_: usize| "info".to_owned();
        let note = |i: usize| format!("note socket check {i}");
        let phases: [Phase; 5] = [
            ("warmup", WARMUP, 1, info),
            ("read 1", SERIAL, 1, info),
            ("write 1", SERIAL / 2, 1, note),
            ("read 50", PIPELINED, IN_FLIGHT, info),
            ("write 50", PIPELINED / 2, IN_FLIGHT, note),
        ];
        for (name, total, in_flight, text) in phases {
            let (latencies, failed, wall) = run(&mut peer, &rooms, name, total, in_flight, text).await;
            if latencies.is_empty() {
                println!("{name:<9} no acknowledgement at all");
                continue;
            }
            let stats = Stats::of(&latencies);
            println!(
                "{name:<9} {total} × {in_flight} in flight: {} · {:.0} envelopes/s · {failed} failed",
                stats.line(),
                rate(total, wall)
            );
        }
        server.stop().await;
        fakes.stop().await;
    });
}
