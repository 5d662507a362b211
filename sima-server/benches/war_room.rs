//! Time from declaration to a ready war room when every provider is slow,
//! on Slack and on Microsoft Teams.
//!
//! Every fake (Slack, PagerDuty; Graph, the Bot Framework Connector and the
//! token endpoint for Teams) answers each call after 100 ms. Declarations are
//! made one at a time, 10 times per platform, a pause apart; each run prints
//! when each call reached the fake.
//!
//! On Slack a war room is ready when its room exists, its card is posted and
//! pinned, the reporter is invited, the broadcast is posted and the on-call
//! is paged. The critical path is three calls in a row (create the room, then
//! post the card, then pin it): 300 ms; everything else can run beside it.
//! `SlackChat` also sets the room's purpose (its idempotency mark) and topic
//! before the room counts as created, which adds one round trip.
//!
//! On Teams it is ready when its channel exists, its card is posted, the
//! broadcast is posted and the on-call is paged: Teams has no pins, and a
//! standard channel is open to the whole team, so nobody is invited. The
//! critical path is two calls (create the channel, then post the card):
//! 200 ms. The card mentions the reporter by name, so the first run also
//! looks the name up, and fetches the Graph and Connector tokens; later runs
//! find all three cached. The adapter makes at most 4 calls a second on one
//! team, so channel creations are at least 250 ms apart: the pause between
//! runs keeps that pacing out of the war-room time (declarations closer
//! together than that wait their turn, on purpose).
//!
//! Run: `cargo bench -p sima-server --bench war_room`.

mod support;
mod teams_fakes;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use support::{case_of, declare, machine, ms, Call, Db, Fakes, Server, Stats};
use teams_fakes::TeamsFakes;

const RUNS: usize = 10;
const DELAY: Duration = Duration::from_millis(100);
/// Between two declarations: longer than the Teams adapter's pacing of one team (250 ms).
const PAUSE: Duration = Duration::from_millis(300);

/// One platform's war room: which calls make it ready, and its critical path.
struct Platform {
    name: &'static str,
    ready: &'static [&'static str],
    critical_path: (&'static str, Duration),
}

const SLACK: Platform = Platform {
    name: "Slack",
    ready: &["conversations.create", "pins.add", "conversations.invite", "broadcast", "pagerduty.enqueue"],
    critical_path: ("create room → post card → pin", Duration::from_millis(300)),
};

const TEAMS: Platform = Platform {
    name: "Teams",
    ready: &["channels.create", "card", "broadcast", "pagerduty.enqueue"],
    critical_path: ("create channel → post card", Duration::from_millis(200)),
};

/// A call as the report names it: (step, case, received, answered).
type Timed = (String, Option<usize>, Instant, Instant);

fn slack_calls(fakes: &Fakes) -> Vec<Timed> {
    let step = |call: &Call| match call.step.as_str() {
        "chat.postMessage" => "card".to_owned(),
        other => other.to_owned(),
    };
    fakes.calls().iter().map(|c| (step(c), case_of(&c.subject), c.received, c.answered)).collect()
}

fn teams_calls(teams: &TeamsFakes, fakes: &Fakes) -> Vec<Timed> {
    let chat = teams.calls().into_iter().map(|c| (c.step, case_of(&c.subject), c.received, c.answered));
    let pages = fakes.calls().into_iter().map(|c| (c.step, case_of(&c.subject), c.received, c.answered));
    chat.chain(pages).collect()
}

/// The calls of case `i`, in arrival order.
fn of_case(calls: &[Timed], i: usize) -> Vec<(String, Instant, Instant)> {
    let mut mine: Vec<_> =
        calls.iter().filter(|(_, case, _, _)| *case == Some(i)).map(|(s, _, r, a)| (s.clone(), *r, *a)).collect();
    mine.sort_by_key(|(_, received, _)| *received);
    mine
}

fn ready(platform: &Platform, calls: &[(String, Instant, Instant)]) -> Option<Instant> {
    let answered: HashMap<&str, Instant> = calls.iter().map(|(s, _, a)| (s.as_str(), *a)).collect();
    platform.ready.iter().map(|s| answered.get(s).copied()).collect::<Option<Vec<_>>>()?.into_iter().max()
}

/// Declares `RUNS` incidents one at a time and reports how long each war room took.
async fn measure(platform: &Platform, server: &Server, calls: impl Fn() -> Vec<Timed>) {
    let http = support::client(4);
    let mut times = Vec::new();
    for i in 0..RUNS {
        let sent = Instant::now();
        declare(&http, server, i).await;
        let mut done = None;
        support::wait_until(Duration::from_secs(10), || {
            done = ready(platform, &of_case(&calls(), i));
            done.is_some()
        })
        .await;
        let Some(done) = done else {
            println!("{} run {i}: not ready within 10 s", platform.name);
            continue;
        };
        let took = done.saturating_duration_since(sent);
        let timeline: Vec<String> = of_case(&calls(), i)
            .iter()
            .map(|(s, received, _)| format!("{s} +{:.0}", received.saturating_duration_since(sent).as_secs_f64() * 1e3))
            .collect();
        println!("{} run {i}: ready after {} · calls sent at (ms): {}", platform.name, ms(took), timeline.join(", "));
        times.push(took);
        tokio::time::sleep(PAUSE).await;
    }
    if times.is_empty() {
        println!("{}: no war room became ready", platform.name);
        return;
    }
    let stats = Stats::of(&times);
    let (path, critical) = platform.critical_path;
    println!(
        "{}: declaration → ready war room, every provider answering after {}: min {} · median {} · max {} (n = {})",
        platform.name,
        ms(DELAY),
        ms(stats.min),
        ms(stats.p50),
        ms(stats.max),
        stats.count
    );
    println!(
        "{}: critical path ({path}): {}; overhead at the median: {}",
        platform.name,
        ms(critical),
        ms(stats.p50.saturating_sub(critical))
    );
}

fn main() {
    if !support::benchmarking() {
        return;
    }
    support::runtime().block_on(async {
        println!("war_room: {}", machine());

        let fakes = Fakes::start(DELAY).await;
        let server = Server::start(Db::Sqlite, &fakes).await;
        measure(&SLACK, &server, || slack_calls(&fakes)).await;
        server.stop().await;
        fakes.stop().await;

        let fakes = Fakes::start(DELAY).await;
        let teams = TeamsFakes::start(DELAY).await;
        let env = teams.env();
        let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let server = Server::start_with_env(Db::Sqlite, &fakes, &vars).await;
        measure(&TEAMS, &server, || teams_calls(&teams, &fakes)).await;
        server.stop().await;
        teams.stop().await;
        fakes.stop().await;
    });
}
