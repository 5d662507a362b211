//! A server killed in the middle of the opening runbook, and restarted on the
//! same database, finishes the runbook without repeating what was done.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{count_kind, wait_at_most, wait_until, AheadClock, Database, Fakes, TestApp, WEBHOOK_TOKEN};

/// The compiled `sima-server` binary, running as a child process.
struct ServerProcess {
    child: Child,
    address: String,
}

impl ServerProcess {
    /// Starts the binary with `env` on a free port and waits until it listens.
    fn spawn(env: HashMap<String, String>) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sima-server"))
            .envs(env)
            .env("SIMA_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .env_remove("SIMA_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sima-server binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        // Reads the log until the end, so the child never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = listening_port(&line) {
                    let _ = port_tx.send(port);
                }
            }
        });
        let port = port_rx.recv_timeout(Duration::from_secs(20)).expect("the server logs its port");
        Self { child, address: format!("http://127.0.0.1:{port}") }
    }

    /// Kills the process (SIGKILL: no graceful shutdown) and reaps it.
    fn kill(mut self) {
        self.child.kill().expect("the server is killed");
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port in the `SIMA is listening port=…` log line, colours or not.
fn listening_port(line: &str) -> Option<u16> {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(char::is_ascii_alphabetic);
        } else {
            plain.push(c);
        }
    }
    if !plain.contains("SIMA is listening") {
        return None;
    }
    let digits: String = plain.split("port=").nth(1)?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_runbook_finishes_it_after_a_restart_without_a_second_room() {
    // Slack takes 2 s to post a message: the card and the broadcast are in
    // flight for a while after the room is created.
    let fakes = Fakes::start(Some(Duration::from_secs(2))).await;
    let database = Database::sqlite();
    let first = ServerProcess::spawn(fakes.env(&database.url()));
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
    let before_kill = wait_until("the room is created, the page sent and the card in flight", || async {
        let timeline: Value = http.get(&timeline_url).send().await.ok()?.json().await.ok()?;
        let events = timeline["events"].as_array()?.clone();
        let ready = count_kind(&events, "room_created") == 1
            && count_kind(&events, "paged") == 1
            && !fakes.slack_calls("chat.postMessage").is_empty();
        ready.then_some(events)
    })
    .await;
    first.kill();
    assert_eq!(count_kind(&before_kill, "card_posted"), 0, "killed before the card was recorded");
    assert_eq!(count_kind(&before_kill, "broadcast_posted"), 0, "killed before the broadcast was recorded");

    // The dead server's claims are leased for a minute; the new one starts
    // with its clock past that, as if it had been restarted a while later.
    let app = TestApp::start(fakes, database, Arc::new(AheadClock(Duration::from_secs(120)))).await;
    let events = wait_at_most(Duration::from_secs(15), "the restarted server posts the card and broadcast", || async {
        let events = app.timeline(&id).await;
        (count_kind(&events, "card_posted") == 1 && count_kind(&events, "broadcast_posted") == 1).then_some(events)
    })
    .await;
    app.wait_for_idle_outbox().await;

    assert_eq!(app.slack_calls("conversations.create").len(), 1, "one room, created by the first server");
    assert_eq!(count_kind(&events, "room_created"), 1);
    let triggers: Vec<Value> =
        app.pagerduty_events().await.into_iter().filter(|e| e["event_action"] == "trigger").collect();
    assert_eq!(triggers.len(), 1, "one page: {triggers:?}");
    assert_eq!(triggers[0]["dedup_key"], id.as_str());
    let card = events.iter().find(|e| e["kind"] == "card_posted").expect("the card");
    let pins = app.slack_calls("pins.add");
    assert!(pins.iter().any(|p| p.request["timestamp"] == card["message"]["ts"]), "the card is pinned: {pins:?}");
    assert_eq!(app.incidents().await.len(), 1);
    app.stop().await;
}
