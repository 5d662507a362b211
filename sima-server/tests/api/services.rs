//! The service catalog and severity labels through the real server:
//! declaring for a service invites its users and its user groups' members
//! and pages its routing key; escalating to a service does the same; a group
//! lookup that is rate limited is retried, one Slack refuses is a failed
//! effect while the rest of the runbook happens; `[[domains]]` still page
//! their key; `check-config` names an unknown service; labels show in the
//! declare modal and on the card.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use sima_server::Settings;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{count_kind, wait_until, TestApp, ROUTING_KEY};

const REPORTER: &str = "U0REPORTER";
const PAYMENTS_KEY: &str = "PAYMENTS0ROUTING0KEY000000000001";
const DATABASE_KEY: &str = "DATABASE0ROUTING0KEY000000000002";

const CATALOG: &str = r#"
[[services]]
name = "payments"
description = "Card payments"
team = "Payments core"
paging = "PAYMENTS0ROUTING0KEY000000000001"
invite = ["U0ALICE", "W0BOB", "S0PAYOPS"]
component = "Checkout"

[[services]]
name = "payments-api"
paging = "payments"
invite = ["U0ERIN"]

[[services]]
name = "database"
paging = "DATABASE0ROUTING0KEY000000000002"
invite = ["U0DBA"]

[[workflows]]
name = "checkout-pages-the-database"
on = "declared"
when = { domain = ["checkout"] }
steps = [{ page = "database" }]
"#;

/// A server with `config`'s services, severities and workflows.
async fn app_with(config: &str) -> TestApp {
    let file: Settings = toml::from_str(config).expect("a valid configuration");
    TestApp::spawn_with(|settings| {
        settings.services = file.services;
        settings.domains = file.domains;
        settings.severities = file.severities;
        settings.workflows = file.workflows;
    })
    .await
}

/// Makes the fake Slack answer `usergroups.users.list` with `answer` (before its catch-all).
async fn group_answers(slack: &MockServer, answer: ResponseTemplate, times: Option<u64>) {
    let mock = Mock::given(method("POST")).and(path("/usergroups.users.list")).respond_with(answer).with_priority(1);
    match times {
        Some(n) => mock.up_to_n_times(n).mount(slack).await,
        None => mock.mount(slack).await,
    }
}

fn members(users: &[&str]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "users": users }))
}

async fn declare(app: &TestApp, domain: &str) -> (String, String) {
    let body = json!({ "domain": domain, "summary": "Payments fail", "severity": "sev2", "reporter": REPORTER });
    let response = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(response.status(), 201);
    let incident: Value = response.json().await.expect("the incident");
    let id = incident["id"].as_str().expect("an id").to_owned();
    let room = app.wait_for_room(&id).await["room"]["id"].as_str().expect("a room").to_owned();
    (id, room)
}

/// Waits until `users` (comma-separated, as Slack receives them) are invited into `room`.
async fn wait_for_invite(app: &TestApp, room: &str, users: &str) {
    wait_until(&format!("{users} are invited"), || async {
        let invites = app.slack_calls("conversations.invite");
        invites.iter().any(|c| c.request["channel"] == room && c.request["users"] == users).then_some(())
    })
    .await;
}

/// Waits for a PagerDuty trigger sent with `routing_key`.
async fn wait_for_page(app: &TestApp, routing_key: &str) -> Value {
    wait_until(&format!("a page through {routing_key}"), || async {
        let events = app.pagerduty_events().await;
        events.into_iter().find(|e| e["routing_key"] == routing_key && e["event_action"] == "trigger")
    })
    .await
}

async fn group_lookups(slack: &MockServer) -> Vec<Value> {
    let requests = slack.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .filter(|r| r.url.path() == "/usergroups.users.list")
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

#[tokio::test]
async fn declaring_for_a_service_invites_its_users_and_group_members_and_pages_its_key() {
    let app = app_with(CATALOG).await;
    group_answers(&app.slack, members(&["U0CAROL", "U0DAVE"]), None).await;
    let (id, room) = declare(&app, "payments").await;

    wait_for_invite(&app, &room, REPORTER).await;
    wait_for_invite(&app, &room, "U0ALICE,W0BOB").await;
    wait_for_invite(&app, &room, "U0CAROL,U0DAVE").await;
    let page = wait_for_page(&app, PAYMENTS_KEY).await;
    assert!(page["payload"]["summary"].as_str().unwrap_or_default().contains("Payments fail"), "{page}");
    app.wait_for_idle_outbox().await;
    let lookups = group_lookups(&app.slack).await;
    assert_eq!(lookups, [json!({ "usergroup": "S0PAYOPS" })]);
    let pages = app.pagerduty_events().await;
    assert!(pages.iter().all(|e| e["routing_key"] != ROUTING_KEY), "not the default key: {pages:?}");
    assert_eq!(count_kind(&app.timeline(&id).await, "effect_failed"), 0);
}

#[tokio::test]
async fn escalating_to_a_service_invites_its_people_and_pages_its_key() {
    let app = app_with(CATALOG).await;
    group_answers(&app.slack, members(&["U0CAROL"]), None).await;
    // `payments-api` pages through `payments`' key and invites its own people.
    let (_, room) = declare(&app, "payments-api").await;
    wait_for_invite(&app, &room, "U0ERIN").await;
    wait_for_page(&app, PAYMENTS_KEY).await;

    // A domain without a service: the default key, nobody more invited.
    let (_, other) = declare(&app, "search").await;
    wait_for_page(&app, ROUTING_KEY).await;
    assert_eq!(app.slash(REPORTER, &other, "escalate database").await.status(), 200);
    wait_for_invite(&app, &other, "U0DBA").await;
    let page = wait_for_page(&app, DATABASE_KEY).await;
    assert_eq!(page["event_action"], "trigger");
    assert_eq!(app.slack_calls("conversations.invite").iter().filter(|c| c.request["channel"] == other).count(), 2);
}

#[tokio::test]
async fn a_workflow_page_step_invites_the_services_people_and_pages_its_key() {
    let app = app_with(CATALOG).await;
    let (_, room) = declare(&app, "checkout").await;
    wait_for_invite(&app, &room, "U0DBA").await;
    wait_for_page(&app, DATABASE_KEY).await;
}

#[tokio::test]
async fn a_rate_limited_group_lookup_is_retried_after_its_retry_after() {
    let app = app_with(CATALOG).await;
    let limited = ResponseTemplate::new(429).insert_header("Retry-After", "1");
    group_answers(&app.slack, limited, Some(1)).await;
    group_answers(&app.slack, members(&["U0CAROL"]), None).await;
    let (id, room) = declare(&app, "payments").await;

    wait_for_invite(&app, &room, "U0CAROL").await;
    app.wait_for_idle_outbox().await;
    assert_eq!(group_lookups(&app.slack).await.len(), 2, "asked again after the 429");
    assert_eq!(count_kind(&app.timeline(&id).await, "effect_failed"), 0);
}

#[tokio::test]
async fn a_group_slack_refuses_is_a_failed_effect_and_the_rest_of_the_runbook_happens() {
    let app = app_with(CATALOG).await;
    let refused = ResponseTemplate::new(200).set_body_json(json!({ "ok": false, "error": "no_such_subteam" }));
    group_answers(&app.slack, refused, None).await;
    let (id, room) = declare(&app, "payments").await;

    let failed = wait_until("the group invite is recorded as failed", || async {
        let timeline = app.timeline(&id).await;
        timeline.into_iter().find(|e| e["kind"] == "effect_failed" && e["effect"] == "invite_group")
    })
    .await;
    assert!(failed["error"].as_str().unwrap_or_default().contains("no_such_subteam"), "{failed}");
    wait_for_invite(&app, &room, "U0ALICE,W0BOB").await;
    wait_for_page(&app, PAYMENTS_KEY).await;
    wait_until("the card is posted", || async {
        let posts = app.slack_calls("chat.postMessage");
        posts.iter().any(|c| c.request["channel"] == room).then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_old_domains_entry_still_pages_its_own_key() {
    let app = app_with("[[domains]]\nname = \"payments\"\nrouting_key = \"OLD0DOMAIN0ROUTING0KEY0000000003\"\n").await;
    let (id, _) = declare(&app, "payments").await;
    wait_for_page(&app, "OLD0DOMAIN0ROUTING0KEY0000000003").await;
    app.wait_for_idle_outbox().await;
    assert!(group_lookups(&app.slack).await.is_empty());
    assert_eq!(count_kind(&app.timeline(&id).await, "effect_failed"), 0);
}

#[tokio::test]
async fn severity_labels_show_in_the_declare_modal_and_on_the_card() {
    let app = app_with(
        "[severities]\nsev1 = { label = \"P1\", description = \"Customer-facing outage\" }\n\
         sev2 = { label = \"P2\" }\nsev3 = \"Something is slow\"\n",
    )
    .await;
    assert_eq!(app.slash(REPORTER, "CGENERAL", "").await.status(), 200);
    let opened = app.slack_calls("views.open");
    let view = serde_json::to_string(&opened[0].request["view"]).expect("the view");
    assert!(view.contains("P1 · Customer-facing outage"), "{view}");
    assert!(view.contains("sev3 · Something is slow"), "{view}");
    assert!(view.contains("Most severe first: P1 (Customer-facing outage)"), "the help text: {view}");
    assert!(view.contains("\"value\":\"sev1\""), "the value stays stable: {view}");

    let (id, room) = declare(&app, "payments").await;
    let card = wait_until("the card is posted", || async {
        let posts = app.slack_calls("chat.postMessage");
        posts.into_iter().find(|c| c.request["channel"] == room)
    })
    .await;
    let blocks = serde_json::to_string(&card.request["blocks"]).expect("blocks");
    assert!(blocks.contains("P2 (Major"), "{blocks}");
    assert!(card.request["text"].as_str().unwrap_or_default().contains("[P2 · open]"), "{}", card.request["text"]);
    assert_eq!(app.incident(&id).await["severity"], "sev2", "the API keeps the stable value");
}

/// `sima-server check-config` with `config`, without this process's `SIMA_*` variables.
fn check_config(dir: &Path, config: &str) -> (Option<i32>, String) {
    let file = dir.join("sima.toml");
    std::fs::write(&file, config).expect("the file is written");
    let mut command = Command::new(env!("CARGO_BIN_EXE_sima-server"));
    command.current_dir(dir).args(["check-config", "--config", file.to_str().expect("a path")]);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SIMA_") {
            command.env_remove(name);
        }
    }
    let out = command.stdin(Stdio::null()).output().expect("check-config runs");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn check_config_refuses_an_unknown_service_and_a_looping_chain_naming_them() {
    let dir = tempfile::tempdir().expect("a directory");
    let config = r#"
[[services]]
name = "payments"
paging = "billing"

[[services]]
name = "billing"
paging = "payments"

[[workflows]]
name = "page-ledger"
on = "declared"
steps = [{ page = "ledger" }]
"#;
    let (code, error) = check_config(dir.path(), config);
    assert_eq!(code, Some(1), "{error}");
    assert!(error.contains("unknown service \"ledger\""), "{error}");
    assert!(error.contains("payments → billing → payments"), "{error}");
    let (code, error) = check_config(
        dir.path(),
        &config.replace("\"ledger\"", "\"payments\"").replace("paging = \"payments\"", "paging = \"LEDGER0KEY\""),
    );
    assert_eq!(code, Some(0), "{error}");
}

#[tokio::test]
async fn the_card_names_the_team_that_owns_the_service() {
    let app = app_with(CATALOG).await;
    group_answers(&app.slack, members(&["U0CAROL"]), None).await;
    let card_in = |room: String| {
        let app = &app;
        async move {
            wait_until("the card is posted", || async {
                let posts = app.slack_calls("chat.postMessage");
                posts.into_iter().find(|c| c.request["channel"] == room.as_str())
            })
            .await
        }
    };
    let (id, room) = declare(&app, "payments").await;
    let card = card_in(room.clone()).await;
    let blocks = serde_json::to_string(&card.request["blocks"]).expect("blocks");
    assert!(blocks.contains("Owned by Payments core"), "{blocks}");

    // Refreshed in place after a change, the card still names its owner.
    assert_eq!(app.slash(REPORTER, &room, "status investigating looking").await.status(), 200);
    let refreshed = wait_until("the card is refreshed", || async {
        let updates = app.slack_calls("chat.update");
        updates
            .into_iter()
            .find(|c| c.request["channel"] == room.as_str() && c.request["text"].to_string().contains("investigating"))
    })
    .await;
    let blocks = serde_json::to_string(&refreshed.request["blocks"]).expect("blocks");
    assert!(blocks.contains("Owned by Payments core"), "{blocks}");
    assert_eq!(app.incident(&id).await["status"], "investigating");

    // A service without a team, and a domain outside the catalog: no owner line.
    for domain in ["payments-api", "search"] {
        let (_, room) = declare(&app, domain).await;
        let blocks = serde_json::to_string(&card_in(room).await.request["blocks"]).expect("blocks");
        assert!(blocks.contains("Declared") && !blocks.contains("Owned by"), "{domain}: {blocks}");
    }
}
