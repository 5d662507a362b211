//! A server killed in the middle of the opening runbook, and restarted on the
//! same database, finishes the runbook without repeating what was done.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{count_kind, json_bodies, wait_at_most, wait_until, Database, Fakes, BROADCAST, WEBHOOK_TOKEN};
use crate::process::{get_json, ServerProcess};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_runbook_finishes_it_within_a_lease_of_its_restart_repeating_nothing() {
    // Pinning takes 1.5 s: the server is killed while the pin is in flight.
    let fakes = Fakes::start(None).await;
    fakes.slow_slack("pins.add", Duration::from_millis(1500));
    let database = Database::sqlite();
    let mut first = ServerProcess::spawn(fakes.env(&database.url()));
    let http = reqwest::Client::new();

    let alert = json!({
        "dedup_key": "db-primary-down",
        "domain": "database",
        "summary": "Primary database is down",
        "severity": "sev1",
        "status": "firing"
    });
    let response = http
        .post(format!("{}/webhooks/alerts", first.address))
        .bearer_auth(WEBHOOK_TOKEN)
        .json(&alert)
        .send()
        .await
        .expect("the first server answers");
    assert_eq!(response.status(), 201);
    let declared: Value = response.json().await.expect("a JSON answer");
    let id = declared["incident"]["id"].as_str().expect("an id").to_owned();

    let timeline_url = format!("{}/api/v1/incidents/{id}/timeline", first.address);
    wait_until("the card, broadcast and page are recorded and the pin is in flight", || async {
        let timeline = get_json(&http, &timeline_url).await?;
        let events = timeline["events"].as_array()?.clone();
        let ready = ["room_created", "card_posted", "broadcast_posted", "paged"]
            .iter()
            .all(|kind| count_kind(&events, kind) == 1)
            && !fakes.slack_calls("pins.add").is_empty();
        ready.then_some(())
    })
    .await;
    assert!(!first.exited(), "the first server was running until killed");
    first.kill();

    let restarted_at = Instant::now();
    let second = ServerProcess::spawn(fakes.env(&database.url()));
    let metrics_url = format!("{}/metrics", second.address);
    wait_at_most(Duration::from_secs(15), "the restarted server finishes the runbook", || async {
        let metrics = http.get(&metrics_url).send().await.ok()?.text().await.ok()?;
        let idle = metrics.lines().any(|l| l == "sima_effects_pending 0");
        (idle && fakes.slack_calls("pins.add").len() == 2).then_some(())
    })
    .await;
    let took = restarted_at.elapsed();
    println!("war room complete {took:?} after the restart");

    let room_posts: Vec<_> = fakes
        .slack_calls("chat.postMessage")
        .into_iter()
        .filter(|c| c.request["channel"] != BROADCAST && c.request["thread_ts"].is_null())
        .collect();
    assert_eq!(fakes.slack_calls("conversations.create").len(), 1, "one room");
    assert_eq!(room_posts.len(), 1, "one card: {room_posts:?}");
    let broadcasts = fakes.slack_calls("chat.postMessage").into_iter().filter(|c| c.request["channel"] == BROADCAST);
    assert_eq!(broadcasts.count(), 1, "one broadcast");
    let pinned: BTreeSet<String> =
        fakes.slack_calls("pins.add").iter().map(|p| p.request["timestamp"].to_string()).collect();
    assert_eq!(pinned, BTreeSet::from([room_posts[0].response["ts"].to_string()]), "one pinned card");
    let events: Vec<Value> = json_bodies(&fakes.pagerduty, "/v2/enqueue").await;
    let triggers: Vec<&Value> = events.iter().filter(|e| e["event_action"] == "trigger").collect();
    assert_eq!(triggers.len(), 1, "one page: {triggers:?}");
    assert_eq!(triggers[0]["dedup_key"], id.as_str());
    let timeline = get_json(&http, &format!("{}/api/v1/incidents/{id}/timeline", second.address)).await;
    let events = timeline.and_then(|t| t["events"].as_array().cloned()).expect("a timeline");
    assert_eq!(count_kind(&events, "effect_failed"), 0);
    second.kill();
}
