//! Declarations per second, and how soon each incident gets its room.
//!
//! Distinct incidents are declared through `POST /api/v1/incidents`, 10 in
//! flight, on the real server (SQLite) whose Slack and PagerDuty are local
//! fakes answering at once. Every declaration runs its whole opening runbook:
//! create the room (topic, purpose), invite the reporter, post and pin the
//! card, post the broadcast, page the on-call.
//!
//! Reported: declarations per second (answered 201), the time from sending a
//! declaration to the fake receiving its `conversations.create` (p50…p99),
//! and when every runbook has completed (every card pinned, every page sent).
//! Reference: a widely used Python incident bot manages about 14
//! declarations/s and 950 ms p99 on a 2-core machine; the goal is 50 times
//! the rate (700/s) and a p99 under 100 ms.
//!
//! Run: `cargo bench -p sima-server --bench declarations`
//! (`SIMA_BENCH_DECLARATIONS`, default 1,000).

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::{case_of, closed_loop, declare, machine, ms, rate, Call, Db, Fakes, Server, Stats};

const CONCURRENCY: usize = 10;

/// The calls that complete an opening runbook.
const FINAL_STEPS: [&str; 4] = ["pins.add", "conversations.invite", "broadcast", "pagerduty.enqueue"];

/// For each case, the first call of each kind that concerns it.
fn by_case(calls: &[Call], cases: usize) -> Vec<std::collections::HashMap<String, Call>> {
    let mut seen = vec![std::collections::HashMap::new(); cases];
    for call in calls {
        if let Some(i) = case_of(&call.subject).filter(|i| *i < cases) {
            seen[i].entry(call.step.clone()).or_insert_with(|| call.clone());
        }
    }
    seen
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    let total: usize = std::env::var("SIMA_BENCH_DECLARATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    support::runtime().block_on(async {
        println!("declarations: {}", machine());
        let fakes = Fakes::start(Duration::ZERO).await;
        let server = Arc::new(Server::start(Db::Sqlite, &fakes).await);
        let http = support::client(CONCURRENCY);

        // Warm the connections and the store with a few declarations not measured.
        for i in 0..CONCURRENCY {
            declare(&http, &server, total + i).await;
        }
        support::wait_until(Duration::from_secs(10), || fakes.count("pins.add") == CONCURRENCY).await;
        fakes.clear();

        let sent_at: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; total]));
        let started = Instant::now();
        let (client, srv, sent) = (http.clone(), server.clone(), sent_at.clone());
        let (samples, wall) = closed_loop(total, CONCURRENCY, move |i| {
            let (http, server, sent) = (client.clone(), srv.clone(), sent.clone());
            async move {
                sent.lock().expect("sent")[i] = Some(Instant::now());
                declare(&http, &server, i).await;
                true
            }
        })
        .await;
        let answered: Vec<Duration> = samples.iter().map(|(d, _)| *d).collect();

        let complete =
            support::wait_until(Duration::from_secs(30), || FINAL_STEPS.iter().all(|s| fakes.count(s) >= total)).await;
        let all_done = started.elapsed();
        let calls = fakes.calls();
        let sent = sent_at.lock().expect("sent").clone();
        let seen = by_case(&calls, total);

        let mut to_room = Vec::new();
        let mut to_ready = Vec::new();
        for (i, steps) in seen.iter().enumerate() {
            let Some(sent) = sent[i] else { continue };
            if let Some(create) = steps.get("conversations.create") {
                to_room.push(create.received.saturating_duration_since(sent));
            }
            let last = FINAL_STEPS.iter().map(|s| steps.get(*s).map(|c| c.answered)).collect::<Option<Vec<_>>>();
            if let Some(last) = last.and_then(|l| l.into_iter().max()) {
                to_ready.push(last.saturating_duration_since(sent));
            }
        }
        let last_call = calls.iter().map(|c| c.answered).max().unwrap_or(started);

        println!("{total} distinct declarations, {CONCURRENCY} in flight, Slack and PagerDuty fakes answering at once");
        println!(
            "  declared:               {:.0} declarations/s ({total} in {:.2} s); POST answered {}",
            rate(total, wall),
            wall.as_secs_f64(),
            Stats::of(&answered).line()
        );
        println!("  sent → room requested:  {}", Stats::of(&to_room).line());
        if to_ready.is_empty() {
            println!("  sent → runbook done:    none completed");
        } else {
            println!("  sent → runbook done:    {}", Stats::of(&to_ready).line());
        }
        println!(
            "  all runbooks completed: {} after the first declaration ({:.0} runbooks/s); within 30 s: {complete}",
            ms(last_call.saturating_duration_since(started)),
            rate(total, last_call.saturating_duration_since(started))
        );
        println!("  fake calls answered:    {} (waited {:.2} s in all)", calls.len(), all_done.as_secs_f64());
        let p99 = Stats::of(&to_room).p99;
        println!(
            "  vs reference 14/s, 950 ms p99: {:.0}x the rate, p99 {}; goal 700/s and < 100 ms: {}",
            rate(total, wall) / 14.0,
            ms(p99),
            if rate(total, wall) >= 700.0 && p99 < Duration::from_millis(100) { "met" } else { "missed" }
        );

        match Arc::try_unwrap(server) {
            Ok(server) => server.stop().await,
            Err(_) => eprintln!("server still shared; not stopped cleanly"),
        }
        fakes.stop().await;
    });
}
