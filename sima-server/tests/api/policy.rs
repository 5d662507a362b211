//! Company policy through the real server: `[[guards]]` refuse over the API
//! and in Slack without recording anything, `[[workflows]]` steps run once
//! per trigger, and workflows that re-trigger each other are refused at
//! start-up or, assembled past that check, stopped at run time.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use sima_core::domain::MAX_POLICY_DEPTH;
use sima_server::Settings;

use crate::helpers::{api_error, count_kind, wait_at_most, wait_until, Database, Fakes, TestApp};

const REPORTER: &str = "U0REPORTER";
const MANAGER: &str = "U0MANAGER";

const POLICY: &str = r#"
[[guards]]
name = "manager-decides"
commands = ["resolve", "false_positive"]
only = "incident_manager"

[[workflows]]
name = "announce-security"
on = "declared"
when = { domain = ["security"] }
steps = [{ post = { room = "C0SEC", text = "A security incident was declared" } }]

[[workflows]]
name = "ack-escalation"
on = "unacknowledged_for"
after = "2s"
when = { domain = ["security"] }
steps = ["escalate"]
"#;

async fn app() -> TestApp {
    let policy: Settings = toml::from_str(POLICY).expect("a valid policy");
    TestApp::spawn_with(|settings| {
        settings.guards = policy.guards;
        settings.workflows = policy.workflows;
    })
    .await
}

async fn declared(app: &TestApp, domain: &str) -> (String, String) {
    let body = json!({ "domain": domain, "summary": "Tokens leak", "severity": "sev2", "reporter": REPORTER });
    let response = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(response.status(), 201);
    let incident: Value = response.json().await.unwrap();
    let id = incident["id"].as_str().unwrap().to_owned();
    let room = app.wait_for_room(&id).await["room"]["id"].as_str().unwrap().to_owned();
    (id, room)
}

#[tokio::test]
async fn a_guard_refuses_with_403_and_a_private_answer_and_records_nothing() {
    let app = app().await;
    let (id, room) = declared(&app, "payments").await;
    app.wait_for_idle_outbox().await;
    let before = app.timeline(&id).await;

    let refused = app.post_json(&format!("/api/v1/incidents/{id}/status"), &json!({ "status": "resolved" })).await;
    let message = api_error(refused, 403, "forbidden").await;
    assert!(message.contains("only the Incident Manager may resolve"), "{message}");

    let response = app.slash(REPORTER, &room, "status resolved").await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("a private answer");
    assert_eq!(answer["response_type"], "ephemeral");
    let text = answer["text"].as_str().unwrap_or_default();
    assert!(text.contains("only the Incident Manager may resolve"), "{answer}");

    assert_eq!(app.timeline(&id).await, before, "nothing recorded");
    assert_eq!(app.incident(&id).await["status"], "open");

    assert_eq!(app.slash(MANAGER, &room, "manager me").await.status(), 200);
    let resolved = app.slash(MANAGER, &room, "status resolved").await;
    assert_eq!(resolved.status(), 200);
    assert_eq!(app.incident(&id).await["status"], "resolved");
}

#[tokio::test]
async fn workflow_steps_run_once_per_trigger() {
    let app = app().await;
    let (id, _room) = declared(&app, "security").await;
    let escalation = format!("{id}:security");
    wait_at_most(Duration::from_secs(30), "the unacknowledged incident is escalated", || async {
        let pages = app.pagerduty_events().await;
        pages.iter().any(|p| p["dedup_key"] == escalation.as_str()).then_some(())
    })
    .await;
    // Well past the timer: nothing runs twice.
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.wait_for_idle_outbox().await;
    let to_security = app.slack_calls("chat.postMessage").into_iter().filter(|c| c.request["channel"] == "C0SEC");
    assert_eq!(to_security.count(), 1);
    let escalations = app.pagerduty_events().await;
    assert_eq!(escalations.iter().filter(|p| p["dedup_key"] == escalation.as_str()).count(), 1);
    let events = app.timeline(&id).await;
    assert_eq!(count_kind(&events, "timer_fired"), 1);
    assert_eq!(count_kind(&events, "effect_failed"), 0);

    // Another domain takes none of these steps.
    let (other, _) = declared(&app, "payments").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.wait_for_idle_outbox().await;
    assert_eq!(count_kind(&app.timeline(&other).await, "timer_fired"), 0);
    let to_security = app.slack_calls("chat.postMessage").into_iter().filter(|c| c.request["channel"] == "C0SEC");
    assert_eq!(to_security.count(), 1);
}

/// Two workflows that undo each other: sev3 becomes sev2, and sev2 becomes sev3.
const FLIP_UP: &str = r#"
[[workflows]]
name = "sev3-to-sev2"
on = "severity_changed"
when = { severity = ["sev3"] }
steps = [{ set_severity = "sev2" }]
"#;

const FLIP_DOWN: &str = r#"
[[workflows]]
name = "sev2-to-sev3"
on = "severity_changed"
when = { severity = ["sev2"] }
steps = [{ set_severity = "sev3" }]
"#;

/// A chain that ends: a sev1 pages the secondary.
const SEV1_PAGES: &str = r#"
[[domains]]
name = "payments-secondary"
routing_key = "payments-secondary-routing-key"

[[workflows]]
name = "sev1-pages"
on = "severity_changed"
when = { severity = ["sev1"] }
steps = [{ page = "payments-secondary" }]
"#;

/// How the `sima-server` binary fared with a `sima.toml`.
#[derive(Debug)]
enum Start {
    /// It logged that it listens (and was then stopped).
    Listening,
    /// It exited first, printing this on stderr.
    Exited(String),
}

/// Runs the `sima-server` binary with `config` as its `sima.toml` and the
/// test fakes' variables, until it listens or exits (at most 30 s).
async fn start_binary(config: &str) -> Start {
    let fakes = Fakes::start(None).await;
    let database = Database::sqlite();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("sima.toml");
    std::fs::write(&path, config).expect("the config is written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sima-server"))
        .envs(fakes.env(&database.url()))
        .env("SIMA_CONFIG", &path)
        .env("SIMA_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "info,sqlx=warn")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sima-server binary starts");
    let (stdout, mut stderr) = (child.stdout.take().expect("stdout"), child.stderr.take().expect("stderr"));
    // Both pipes are drained, so the child never blocks on a full one.
    let (listening_tx, listening) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("SIMA is listening") {
                let _ = listening_tx.send(());
            }
        }
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    for _ in 0..600 {
        if listening.try_recv().is_ok() {
            let _ = child.kill();
            let _ = child.wait();
            return Start::Listening;
        }
        if child.try_wait().expect("the child's status").is_some() {
            return Start::Exited(errors.join().expect("stderr is read"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("sima-server neither listened nor exited within 30 s");
}

#[tokio::test]
async fn workflows_that_re_trigger_each_other_stop_the_server_at_start_up_naming_them() {
    match start_binary(&format!("{FLIP_UP}{FLIP_DOWN}")).await {
        Start::Exited(stderr) => {
            assert!(stderr.contains("\"sev3-to-sev2\" and \"sev2-to-sev3\" re-trigger each other"), "{stderr}");
            assert!(stderr.contains("\"sev2-to-sev3\" sets severity sev3, which starts \"sev3-to-sev2\""), "{stderr}");
        }
        Start::Listening => panic!("the server started with workflows that loop"),
    }
    // The same server starts with a chain that ends.
    assert!(matches!(start_binary(&format!("{FLIP_UP}{SEV1_PAGES}")).await, Start::Listening));
}

#[tokio::test]
async fn workflows_assembled_past_the_start_up_check_stop_at_the_depth_limit() {
    // Each read alone passes the check; together they loop.
    let up: Settings = toml::from_str(FLIP_UP).expect("one workflow");
    let down: Settings = toml::from_str(FLIP_DOWN).expect("one workflow");
    let app = TestApp::spawn_with(|settings| settings.workflows = [up.workflows, down.workflows].concat()).await;
    let (id, room) = declared(&app, "payments").await;
    app.wait_for_idle_outbox().await;
    assert_eq!(app.slash(MANAGER, &room, "severity sev3").await.status(), 200);

    wait_until("the refusal is recorded", || async {
        (count_kind(&app.timeline(&id).await, "effect_failed") > 0).then_some(())
    })
    .await;
    app.wait_for_idle_outbox().await;
    let events = app.timeline(&id).await;
    let edits: Vec<(&str, u64)> = events
        .iter()
        .filter(|e| e["kind"] == "field_edited" && e["field"] == "severity")
        .map(|e| (e["new"].as_str().unwrap_or_default(), e["policy_depth"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(edits, [("sev3", 0), ("sev2", 1), ("sev3", 2), ("sev2", 3)], "{events:#?}");
    assert_eq!(edits.len(), usize::from(MAX_POLICY_DEPTH) + 1);
    let refused: Vec<&Value> = events.iter().filter(|e| e["kind"] == "effect_failed").collect();
    assert_eq!(refused.len(), 1, "{refused:#?}");
    assert_eq!(refused[0]["effect"], "refused_step");
    let error = refused[0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("refused `set severity sev3`"), "{error}");
    assert_eq!(app.incident(&id).await["severity"], "sev2");
    // The room is told which step was refused.
    let told = app.slack_calls("chat.postMessage").into_iter().filter(|c| {
        c.request["channel"] == room.as_str() && c.request.to_string().contains("refused `set severity sev3`")
    });
    assert_eq!(told.count(), 1);
}
