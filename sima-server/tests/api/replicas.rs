//! Three `sima-server` processes on one PostgreSQL database: what one of them
//! is asked, or all of them at once, happens once; effects spread across
//! them; a replica killed mid-runbook has its work finished by another.

use std::time::{Duration, Instant};

use chrono::Utc;
use futures::future::join_all;
use serde_json::{json, Value};
use sima_slack::{sign, Secret};
use sima_store_postgres::ScratchDatabase;

use crate::helpers::{
    count_kind, json_bodies, wait_at_most, Database, Fakes, BROADCAST, SIGNING_SECRET, WEBHOOK_TOKEN,
};
use crate::process::{get_json, ServerProcess};

/// Logs each effect a replica finishes (`effect done`), to see who ran what.
const EFFECT_LOG: &str = "info,sqlx=warn,sima_core::runbook::worker=debug";

/// Three replicas on one fresh PostgreSQL database, with these extra variables.
async fn replicas(fakes: &Fakes, extra: &[(&str, &str)]) -> (Database, Vec<ServerProcess>) {
    let database = Database::postgres().await;
    let mut env = fakes.env(&database.url());
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    // The first one migrates; the others start on the migrated schema at once.
    let first = ServerProcess::spawn_logging(env.clone(), EFFECT_LOG);
    let mut servers = vec![first];
    servers.extend((0..2).map(|_| ServerProcess::spawn_logging(env.clone(), EFFECT_LOG)));
    (database, servers)
}

fn notification(group: &str) -> Value {
    let labels = json!({ "alertname": group, "service": "payments", "severity": "critical" });
    json!({
        "version": "4",
        "groupKey": format!("{{}}:{{alertname=\"{group}\"}}"),
        "status": "firing",
        "receiver": "sima",
        "groupLabels": { "alertname": group },
        "commonLabels": labels,
        "commonAnnotations": { "summary": "Payments fail" },
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": [{ "status": "firing", "labels": labels, "annotations": {},
                     "startsAt": "2026-11-25T09:50:00Z", "endsAt": "0001-01-01T00:00:00Z" }]
    })
}

/// A signed Events API delivery of `body`, as Slack sends it.
async fn slack_event(http: &reqwest::Client, address: &str, body: &Value) -> reqwest::StatusCode {
    let timestamp = Utc::now().timestamp().to_string();
    let body = body.to_string();
    let signature = sign(&Secret::new(SIGNING_SECRET), &timestamp, body.as_bytes());
    http.post(format!("{address}/slack/events"))
        .header("Content-Type", "application/json")
        .header("X-Slack-Request-Timestamp", timestamp)
        .header("X-Slack-Signature", signature)
        .body(body)
        .send()
        .await
        .expect("a replica answers")
        .status()
}

/// Declares `body` through `server`'s API; the incident it answers.
async fn declare(http: &reqwest::Client, server: &ServerProcess, body: &Value) -> Value {
    let url = format!("{}/api/v1/incidents", server.address);
    http.post(url).json(body).send().await.expect("an answer").json().await.expect("JSON")
}

async fn incidents(http: &reqwest::Client, server: &ServerProcess) -> Vec<Value> {
    let list = get_json(http, &format!("{}/api/v1/incidents?limit=1000", server.address)).await;
    list.and_then(|l| l["incidents"].as_array().cloned()).expect("the incident list")
}

async fn timeline(http: &reqwest::Client, server: &ServerProcess, id: &str) -> Vec<Value> {
    let timeline = get_json(http, &format!("{}/api/v1/incidents/{id}/timeline", server.address)).await;
    timeline.and_then(|t| t["events"].as_array().cloned()).expect("a timeline")
}

/// Waits until no effect is due or retrying, as one replica's gauge says.
async fn wait_for_idle(http: &reqwest::Client, server: &ServerProcess, limit: Duration) {
    let url = format!("{}/metrics", server.address);
    wait_at_most(limit, "the shared outbox is idle", || async {
        let metrics = http.get(&url).send().await.ok()?.text().await.ok()?;
        metrics.lines().any(|l| l == "sima_effects_pending 0").then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_act_once_share_the_outbox_and_finish_a_killed_ones_runbook() {
    if ScratchDatabase::skipped() {
        return;
    }
    let fakes = Fakes::start(None).await;
    let (_database, mut servers) = replicas(&fakes, &[]).await;
    let http = reqwest::Client::new();

    // An alert storm: the same group sent to the three replicas at once, four times each.
    let storm = servers.iter().cycle().take(12).map(|server| {
        http.post(format!("{}/webhooks/alertmanager", server.address))
            .bearer_auth(WEBHOOK_TOKEN)
            .json(&notification("PaymentsDown"))
            .send()
    });
    let answers = join_all(storm).await;
    let statuses: Vec<u16> = answers.into_iter().map(|a| a.expect("a replica answers").status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "one declaration: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 200), "{statuses:?}");
    wait_for_idle(&http, &servers[0], Duration::from_secs(15)).await;
    let listed = incidents(&http, &servers[1]).await;
    assert_eq!(listed.len(), 1, "one incident");
    let alert_incident = listed[0].clone();
    assert_eq!(fakes.slack_calls("conversations.create").len(), 1, "one room");
    let triggers = |events: Vec<Value>| events.into_iter().filter(|e| e["event_action"] == "trigger").count();
    assert_eq!(triggers(json_bodies(&fakes.pagerduty, "/v2/enqueue").await), 1, "one page");

    // The same Slack event delivered to the three at once: one join, one welcome.
    let room = alert_incident["room"]["id"].as_str().expect("a room").to_owned();
    let event = json!({
        "type": "event_callback", "team_id": "T0TEAM", "event_id": "Ev0REPLICAS", "event_time": 1_764_000_000,
        "event": { "type": "member_joined_channel", "user": "U0LATE", "channel": room, "channel_type": "C" }
    });
    let deliveries = servers.iter().map(|server| slack_event(&http, &server.address, &event));
    assert!(join_all(deliveries).await.iter().all(|s| s.is_success()));
    wait_for_idle(&http, &servers[2], Duration::from_secs(15)).await;
    let id = alert_incident["id"].as_str().expect("an id").to_owned();
    assert_eq!(count_kind(&timeline(&http, &servers[0], &id).await, "member_joined"), 1);
    assert_eq!(fakes.slack_calls("chat.postEphemeral").len(), 1, "one welcome");

    // Twelve declarations, four through each replica: every runbook runs once, on several replicas.
    let declarations = servers.iter().cycle().take(12).enumerate().map(|(n, server)| {
        let body = json!({ "domain": "api", "summary": format!("Checkout fails {n}"), "severity": "sev2" });
        http.post(format!("{}/api/v1/incidents", server.address)).json(&body).send()
    });
    assert!(join_all(declarations).await.into_iter().all(|a| a.expect("an answer").status() == 201));
    wait_for_idle(&http, &servers[0], Duration::from_secs(20)).await;
    assert_eq!(fakes.slack_calls("conversations.create").len(), 13, "one room per incident");
    assert_eq!(triggers(json_bodies(&fakes.pagerduty, "/v2/enqueue").await), 13, "one page per incident");
    let cards = fakes
        .slack_calls("chat.postMessage")
        .into_iter()
        .filter(|c| c.request["channel"] != BROADCAST && c.request["thread_ts"].is_null())
        .count();
    assert_eq!(cards, 13, "one card per room");
    let ran: Vec<usize> = servers.iter().map(|s| s.log_lines("effect done").len()).collect();
    println!("effects run per replica: {ran:?}");
    assert!(ran.iter().filter(|n| **n > 0).count() >= 2, "effects spread across replicas: {ran:?}");

    // A replica killed while its pin is in flight: another finishes the runbook.
    fakes.slow_slack("pins.add", Duration::from_millis(1500));
    let pins_before = fakes.slack_calls("pins.add").len();
    let body = json!({ "domain": "api", "summary": "Login fails", "severity": "sev1" });
    let declared = declare(&http, &servers[0], &body).await;
    let number = declared["number"].as_str().expect("a number").to_owned();
    let posted_card = |line: &String| {
        line.contains("post_card") && line.split_whitespace().any(|w| w == format!("incident={number}"))
    };
    let holder = wait_at_most(Duration::from_secs(10), "the pin is in flight", || async {
        let pinning = fakes.slack_calls("pins.add").len() > pins_before;
        let holder = servers.iter().position(|s| s.log_lines("effect done").iter().any(posted_card));
        if pinning {
            holder
        } else {
            None
        }
    })
    .await;
    servers.swap_remove(holder).kill();
    let killed_at = Instant::now();
    wait_at_most(Duration::from_secs(20), "another replica pins the card", || async {
        (fakes.slack_calls("pins.add").len() == pins_before + 2).then_some(())
    })
    .await;
    println!("the killed replica's pin was finished {:?} after the kill", killed_at.elapsed());
    wait_for_idle(&http, &servers[0], Duration::from_secs(15)).await;
    let id = declared["id"].as_str().expect("an id");
    let events = timeline(&http, &servers[1], id).await;
    for kind in ["room_created", "card_posted", "broadcast_posted", "paged"] {
        assert_eq!(count_kind(&events, kind), 1, "{kind} once");
    }
    assert_eq!(count_kind(&events, "effect_failed"), 0);
    assert_eq!(fakes.slack_calls("conversations.create").len(), 14, "no second room");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_fires_once_across_three_replicas() {
    if ScratchDatabase::skipped() {
        return;
    }
    let fakes = Fakes::start(None).await;
    let (_database, servers) = replicas(&fakes, &[("SIMA_REMINDER_AFTER", "3s")]).await;
    let http = reqwest::Client::new();
    let body = json!({ "domain": "api", "summary": "Search is slow", "severity": "sev3" });
    let declared = declare(&http, &servers[1], &body).await;
    let id = declared["id"].as_str().expect("an id").to_owned();
    let reminders = || {
        fakes
            .slack_calls("chat.postMessage")
            .into_iter()
            .filter(|c| c.request["text"].as_str().is_some_and(|t| t.contains("no update on")))
            .count()
    };
    wait_at_most(Duration::from_secs(10), "the first reminder", || async { (reminders() > 0).then_some(()) }).await;
    let resolve = json!({ "status": "resolved", "message": "Index rebuilt" });
    let answer = http
        .post(format!("{}/api/v1/incidents/{id}/status", servers[2].address))
        .json(&resolve)
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 200);
    // Longer than another interval: a second reminder, on any replica, would show.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(reminders(), 1, "one reminder across three replicas");
    assert_eq!(count_kind(&timeline(&http, &servers[0], &id).await, "update_reminder_posted"), 1);
}
