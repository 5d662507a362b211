//! Time from declaration to a ready war room when every provider is slow.
//!
//! Slack and PagerDuty fakes answer every call after 100 ms. A war room is
//! ready when its room exists, its card is posted and pinned, the reporter is
//! invited, the broadcast is posted and the on-call is paged. The critical
//! path is three calls in a row (create the room, then post the card, then
//! pin it): 300 ms; everything else can run beside it. `SlackChat` also sets
//! the room's purpose (its idempotency mark) and topic before the room counts
//! as created, which adds one round trip. Declarations are made one at a
//! time, 10 times; each run prints when each call reached the fake.
//!
//! Run: `cargo bench -p sima-server --bench war_room`.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use support::{case_of, declare, machine, ms, Call, Db, Fakes, Server, Stats};

const RUNS: usize = 10;
const DELAY: Duration = Duration::from_millis(100);
const CRITICAL_PATH: Duration = Duration::from_millis(300);

/// The calls that make a room ready, as named in the report.
const READY: [&str; 5] = ["conversations.create", "pins.add", "conversations.invite", "broadcast", "pagerduty.enqueue"];

fn step(call: &Call) -> String {
    match call.step.as_str() {
        "chat.postMessage" => "card".to_owned(),
        other => other.to_owned(),
    }
}

/// Each call for case `i`: (step, received, answered), in arrival order.
fn calls_of(fakes: &Fakes, i: usize) -> Vec<(String, Instant, Instant)> {
    let mut calls: Vec<_> = fakes
        .calls()
        .into_iter()
        .filter(|c| case_of(&c.subject) == Some(i))
        .map(|c| (step(&c), c.received, c.answered))
        .collect();
    calls.sort_by_key(|(_, received, _)| *received);
    calls
}

fn ready(calls: &[(String, Instant, Instant)]) -> Option<Instant> {
    let answered: HashMap<&str, Instant> = calls.iter().map(|(s, _, a)| (s.as_str(), *a)).collect();
    READY.iter().map(|s| answered.get(s).copied()).collect::<Option<Vec<_>>>()?.into_iter().max()
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    support::runtime().block_on(async {
        println!("war_room: {}", machine());
        let fakes = Fakes::start(DELAY).await;
        let server = Server::start(Db::Sqlite, &fakes).await;
        let http = support::client(4);
        let mut times = Vec::new();
        for i in 0..RUNS {
            let sent = Instant::now();
            declare(&http, &server, i).await;
            let mut done = None;
            support::wait_until(Duration::from_secs(10), || {
                done = ready(&calls_of(&fakes, i));
                done.is_some()
            })
            .await;
            let Some(done) = done else {
                println!("run {i}: not ready within 10 s");
                continue;
            };
            let took = done.saturating_duration_since(sent);
            let timeline: Vec<String> = calls_of(&fakes, i)
                .iter()
                .map(|(s, received, _)| {
                    format!("{s} +{:.0}", received.saturating_duration_since(sent).as_secs_f64() * 1e3)
                })
                .collect();
            println!("run {i}: ready after {} · calls sent at (ms): {}", ms(took), timeline.join(", "));
            times.push(took);
        }
        if times.is_empty() {
            println!("no war room became ready");
        } else {
            let stats = Stats::of(&times);
            println!(
                "declaration → ready war room, every provider answering after {}: min {} · median {} · max {} (n = {})",
                ms(DELAY),
                ms(stats.min),
                ms(stats.p50),
                ms(stats.max),
                stats.count
            );
            println!(
                "critical path (create room → post card → pin): {}; overhead at the median: {}",
                ms(CRITICAL_PATH),
                ms(stats.p50.saturating_sub(CRITICAL_PATH))
            );
        }
        server.stop().await;
        fakes.stop().await;
    });
}
