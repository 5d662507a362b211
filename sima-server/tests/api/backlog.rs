//! `[intake] max_backlog`: while accepted work waits longer than the bound,
//! monitors and API clients asking for a new incident are told to retry
//! (503 + `Retry-After`, nothing recorded); sev1, repeats of open alerts,
//! resolutions and people in Slack are still served; refusals are counted;
//! once the backlog drains, new incidents are accepted again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use sima_core::ports::SystemClock;
use sima_server::Settings;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{wait_at_most, Database, Fakes, TestApp};
use crate::prometheus::{samples, value};

/// How long the fake Slack takes to create the first room: long past the
/// bound, so the backlog ages over it while the room is being created.
const SLOW_ROOM: Duration = Duration::from_secs(6);

fn alert(key: &str, severity: &str, status: &str) -> Value {
    json!({ "dedup_key": key, "domain": "storage", "summary": format!("Alert {key}"), "severity": severity,
            "status": status })
}

fn alertmanager(group: &str) -> Value {
    let labels = json!({ "alertname": group, "service": "payments", "severity": "warning" });
    json!({
        "version": "4", "groupKey": format!("{{}}:{{alertname=\"{group}\"}}"), "status": "firing",
        "groupLabels": { "alertname": group }, "commonLabels": labels,
        "commonAnnotations": { "summary": format!("{group} on payments") },
        "alerts": [{ "status": "firing", "labels": labels, "annotations": {},
                     "startsAt": "2026-01-01T00:00:00Z", "endsAt": "0001-01-01T00:00:00Z" }]
    })
}

fn declare_from_slack() -> Value {
    let input = |value: &str| json!({ "type": "plain_text_input", "value": value });
    json!({
        "type": "view_submission", "team": { "id": "T0TEAM" }, "user": { "id": "U0HUMAN" }, "trigger_id": "t",
        "view": { "id": "V0DECLARE", "type": "modal", "callback_id": "declare_incident", "private_metadata": "",
            "state": { "values": {
                "domain": { "domain": input("storage") },
                "summary": { "summary": input("Declared by a person") },
                "severity": { "severity": { "type": "static_select", "selected_option": { "value": "sev3" } } }
            } } }
    })
}

/// The incidents stored whose `field` is `value`.
async fn stored(app: &TestApp, field: &str, value: &str) -> usize {
    app.incidents().await.iter().filter(|i| i[field] == value).count()
}

async fn scrape(app: &TestApp) -> Vec<crate::prometheus::Sample> {
    samples(&app.get("/metrics").await.text().await.expect("a scrape"))
}

fn shed(samples: &[crate::prometheus::Sample], source: &str) -> Option<f64> {
    let labels = format!("source=\"{source}\"");
    samples.iter().find(|s| s.name == "sima_intake_shed_total" && s.labels == labels).map(|s| s.value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_machine_incidents_wait_for_a_backlog_over_its_bound() {
    let fakes = Fakes::start(None).await;
    let first_room = json!({ "ok": true, "channel": { "id": "CSLOWROOM", "name": "incident-slow" } });
    Mock::given(method("POST"))
        .and(path("/conversations.create"))
        .respond_with(ResponseTemplate::new(200).set_body_json(first_room).set_delay(SLOW_ROOM))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&fakes.slack)
        .await;
    let app = TestApp::start_with(fakes, Database::sqlite(), Arc::new(SystemClock), |settings| {
        settings.intake.max_backlog = sima_server::delays::Delay::secs(1);
    })
    .await;
    let before = scrape(&app).await;
    assert_eq!(shed(&before, "webhook"), Some(0.0), "every source is shown from the start");

    // The first alert opens an incident whose room takes long to create.
    let first = app.webhook("/webhooks/alerts", &alert("first", "sev2", "firing")).await;
    assert_eq!(first.status(), 201);
    wait_at_most(Duration::from_secs(10), "the backlog is older than its bound", || async {
        value(&scrape(&app).await, "sima_effects_oldest_pending_seconds").filter(|age| *age > 1.0)
    })
    .await;

    // A new alert is refused, told when to retry, and not recorded.
    let refused = app.webhook("/webhooks/alerts", &alert("second", "sev2", "firing")).await;
    assert_eq!(refused.status(), 503);
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().expect("seconds");
    assert!((5..=60).contains(&retry_after), "Retry-After {retry_after}");
    let body: Value = refused.json().await.expect("the JSON error body");
    assert_eq!(body["error"]["code"], "overloaded");
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(message.contains("intake.max_backlog") && message.contains("Retry in"), "{message}");
    assert_eq!(stored(&app, "dedup_key", "second").await, 0, "nothing recorded");

    // So is a new Alertmanager group, and a sev2 declared through the API.
    let refused = app.webhook("/webhooks/alertmanager", &alertmanager("DiskFull")).await;
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    let api = json!({ "domain": "storage", "summary": "Declared by a script", "severity": "sev2" });
    assert_eq!(app.post_json("/api/v1/incidents", &api).await.status(), 503);
    assert_eq!(stored(&app, "summary", "Declared by a script").await, 0);

    // What adds no work, or cannot wait, is still served.
    let repeat = app.webhook("/webhooks/alerts", &alert("first", "sev2", "firing")).await;
    assert_eq!(repeat.status(), 200, "a repeat of the open alert");
    let repeat: Value = repeat.json().await.expect("the incident");
    assert_eq!((repeat["created"].clone(), repeat["incident"]["dedup_key"].clone()), (json!(false), json!("first")));
    let resolved = app.webhook("/webhooks/alerts", &alert("never-opened", "sev2", "resolved")).await;
    assert_eq!(resolved.status(), 200, "a resolution");
    let sev1 = json!({ "domain": "storage", "summary": "Everything is down", "severity": "sev1" });
    assert_eq!(app.post_json("/api/v1/incidents", &sev1).await.status(), 201, "a sev1 declaration");
    assert_eq!(app.interaction(&declare_from_slack()).await.status(), 200);
    assert_eq!(stored(&app, "summary", "Declared by a person").await, 1, "a person declaring from Slack");

    let counted = scrape(&app).await;
    assert_eq!(
        ["webhook", "alertmanager", "api"].map(|source| shed(&counted, source)),
        [Some(1.0), Some(1.0), Some(1.0)]
    );

    // Once the slow room is made and the backlog drains, new alerts open incidents again.
    wait_at_most(Duration::from_secs(30), "a new alert is accepted again", || async {
        let again = app.webhook("/webhooks/alerts", &alert("second", "sev2", "firing")).await;
        (again.status() == 201).then_some(())
    })
    .await;
    assert_eq!(stored(&app, "dedup_key", "second").await, 1);
    app.stop().await;
}

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn the_bound_defaults_to_a_minute_and_off_disables_it() {
    let settings = Settings::from_env(&env(&[])).expect("the defaults");
    assert_eq!(settings.intake.max_backlog.to_string(), "1m");
    let settings = Settings::from_env(&env(&[("SIMA_INTAKE__MAX_BACKLOG", "off")])).expect("off");
    assert_eq!(settings.intake.max_backlog, sima_server::delays::Delay::OFF);
    assert!(settings.describe().iter().any(|line| line.contains("every declaration accepted")));

    let mut out = Vec::new();
    let mut err = Vec::new();
    let _ = sima_server::cli::check_config(&env(&[("SIMA_INTAKE__MAX_BACKLOG", "90s")]), &mut out, &mut err);
    let shown = String::from_utf8(out).expect("text");
    assert!(shown.contains("while effects have waited over 90s"), "{shown}");
    assert!(shown.contains("intake: IntakeSettings"), "the resolved settings show it: {shown}");
}

#[test]
fn a_bad_bound_is_refused_naming_the_key() {
    for bad in ["soon", "0s", "2d"] {
        let error = Settings::from_env(&env(&[("SIMA_INTAKE__MAX_BACKLOG", bad)])).expect_err(bad).to_string();
        assert!(error.contains("SIMA_INTAKE__MAX_BACKLOG") || error.contains("intake.max_backlog"), "{bad}: {error}");
    }
    let error = Settings::from_file_text("sima.toml", "[intake]\nmax_backlog = \"later\"\n", &HashMap::new())
        .expect_err("not a duration")
        .to_string();
    assert!(error.contains("max_backlog"), "{error}");
}
