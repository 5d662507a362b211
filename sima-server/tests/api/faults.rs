//! A provider failing at any one step of the opening, update and resolve
//! runbooks delays that step; it never repeats anything people can see.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::{wait_at_most, TestApp, BROADCAST};

/// Which phase of the incident a fault is armed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Opening,
    Update,
    Resolve,
}

/// One step of a runbook made to fail: `times` answers of HTTP 500 to the
/// calls of `at` whose body `matches`.
#[derive(Clone, Copy)]
struct Fault {
    name: &'static str,
    phase: Phase,
    provider: Provider,
    at: &'static str,
    matches: fn(&Value) -> bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Provider {
    Slack,
    PagerDuty,
    Notion,
}

/// Enough failures in a row to exhaust the adapters' in-process retries, so
/// the outbox retries the effect later.
const TIMES: u64 = 3;

fn any(_: &Value) -> bool {
    true
}
fn in_room(body: &Value) -> bool {
    body["channel"].as_str().is_some_and(|c| c.starts_with("CROOM")) && body["thread_ts"].is_null()
}
fn in_broadcast(body: &Value) -> bool {
    body["channel"] == BROADCAST && body["thread_ts"].is_null()
}
fn in_thread(body: &Value) -> bool {
    !body["thread_ts"].is_null()
}
fn trigger(body: &Value) -> bool {
    body["event_action"] == "trigger"
}
fn resolve(body: &Value) -> bool {
    body["event_action"] == "resolve"
}

const FAULTS: &[Fault] = &[
    Fault { name: "room", phase: Phase::Opening, provider: Provider::Slack, at: "/conversations.create", matches: any },
    Fault {
        name: "invite",
        phase: Phase::Opening,
        provider: Provider::Slack,
        at: "/conversations.invite",
        matches: any,
    },
    Fault { name: "card", phase: Phase::Opening, provider: Provider::Slack, at: "/chat.postMessage", matches: in_room },
    Fault { name: "pin", phase: Phase::Opening, provider: Provider::Slack, at: "/pins.add", matches: any },
    Fault {
        name: "broadcast",
        phase: Phase::Opening,
        provider: Provider::Slack,
        at: "/chat.postMessage",
        matches: in_broadcast,
    },
    Fault { name: "page", phase: Phase::Opening, provider: Provider::PagerDuty, at: "/v2/enqueue", matches: trigger },
    Fault {
        name: "update",
        phase: Phase::Update,
        provider: Provider::Slack,
        at: "/chat.postMessage",
        matches: in_room,
    },
    Fault {
        name: "reply",
        phase: Phase::Update,
        provider: Provider::Slack,
        at: "/chat.postMessage",
        matches: in_thread,
    },
    Fault {
        name: "card refresh",
        phase: Phase::Update,
        provider: Provider::Slack,
        at: "/chat.update",
        matches: in_room,
    },
    Fault {
        name: "broadcast refresh",
        phase: Phase::Update,
        provider: Provider::Slack,
        at: "/chat.update",
        matches: in_broadcast,
    },
    Fault { name: "post-mortem", phase: Phase::Resolve, provider: Provider::Notion, at: "/v1/pages", matches: any },
    Fault {
        name: "resolve page",
        phase: Phase::Resolve,
        provider: Provider::PagerDuty,
        at: "/v2/enqueue",
        matches: resolve,
    },
];

async fn arm(app: &TestApp, fault: &Fault) {
    let matches = fault.matches;
    Mock::given(method("POST"))
        .and(path(fault.at))
        .and(move |request: &Request| serde_json::from_slice(&request.body).is_ok_and(|body: Value| matches(&body)))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream connect error"))
        .up_to_n_times(TIMES)
        .with_priority(1)
        .expect(TIMES)
        .mount(app.provider(fault.provider))
        .await;
}

impl TestApp {
    fn provider(&self, provider: Provider) -> &MockServer {
        match provider {
            Provider::Slack => &self.slack,
            Provider::PagerDuty => &self.pagerduty,
            Provider::Notion => &self.notion,
        }
    }

    async fn settle(&self) {
        wait_at_most(Duration::from_secs(30), "the outbox is empty", || async {
            let text = self.get("/metrics").await.text().await.ok()?;
            text.lines().any(|l| l == "sima_effects_pending 0").then_some(())
        })
        .await;
    }
}

/// What people and PagerDuty saw: each visible write, counted, with the
/// ids that differ between runs replaced by what they name.
async fn seen(app: &TestApp, fault: Option<&Fault>, incident: &str) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    let mut count = |key: String| *seen.entry(key).or_insert(0) += 1;
    let place = |body: &Value| if body["channel"] == BROADCAST { "broadcast" } else { "room" };
    count(format!("rooms created: {}", app.slack_calls("conversations.create").len()));
    for call in app.slack_calls("conversations.invite") {
        count(format!("invited {}", call.request["users"]));
    }
    let mut names = BTreeMap::new();
    for call in app.slack_calls("chat.postMessage") {
        let threaded = if call.request["thread_ts"].is_null() { "" } else { " (thread)" };
        let first_line =
            call.request["text"].as_str().unwrap_or_default().lines().next().unwrap_or_default().to_owned();
        let name = format!("message in {}{threaded}: {first_line}", place(&call.request));
        names.insert(call.response["ts"].to_string(), name.clone());
        count(name);
    }
    let named = |ts: &Value| names.get(&ts.to_string()).cloned().unwrap_or_else(|| format!("unknown message {ts}"));
    for call in app.slack_calls("pins.add") {
        count(format!("pin of {}", named(&call.request["timestamp"])));
    }
    for call in app.slack_calls("chat.update") {
        count(format!("refresh of {}", named(&call.request["ts"])));
    }
    // PagerDuty and Notion bodies are read from everything the fakes received,
    // the refused requests included: leave those out.
    let mut left = TIMES;
    let mut visible = |provider: Provider, body: &Value| {
        let refused = fault.is_some_and(|f| f.provider == provider && (f.matches)(body));
        if refused && left > 0 {
            left -= 1;
            return false;
        }
        true
    };
    for event in app.pagerduty_events().await {
        if visible(Provider::PagerDuty, &event) {
            let key = if event["dedup_key"] == incident { "the incident id" } else { "another key" };
            count(format!("pagerduty {} with {key}", event["event_action"]));
        }
    }
    let pages = app.notion_pages().await.into_iter().filter(|page| visible(Provider::Notion, page)).count();
    count(format!("post-mortems created: {pages}"));
    seen
}

/// Declares, updates and resolves one incident, with `fault` armed for its phase.
async fn story(fault: Option<Fault>) -> BTreeMap<String, usize> {
    let app = TestApp::spawn(Default::default()).await;
    let armed = |phase| fault.filter(|f| f.phase == phase);
    if let Some(f) = armed(Phase::Opening) {
        arm(&app, &f).await;
    }
    let declaration = json!({"domain": "outbound-email", "summary": "Emails are late", "severity": "sev1",
        "reporter": "UALICE"});
    let declared: Value = app.post_json("/api/v1/incidents", &declaration).await.json().await.expect("JSON");
    let id = declared["id"].as_str().expect("an id").to_owned();
    app.settle().await;
    if let Some(f) = armed(Phase::Update) {
        arm(&app, &f).await;
    }
    let update = json!({"status": "identified", "message": "a bad deploy"});
    assert_eq!(app.post_json(&format!("/api/v1/incidents/{id}/status"), &update).await.status(), 200);
    app.settle().await;
    if let Some(f) = armed(Phase::Resolve) {
        arm(&app, &f).await;
    }
    let resolve = json!({"status": "resolved", "message": "rolled back"});
    assert_eq!(app.post_json(&format!("/api/v1/incidents/{id}/status"), &resolve).await.status(), 200);
    app.settle().await;
    let timeline = app.timeline(&id).await;
    assert!(
        !timeline.iter().any(|e| e["kind"] == "effect_failed"),
        "{}: a transient failure must not give up: {timeline:?}",
        fault.map_or("no fault", |f| f.name)
    );
    let seen = seen(&app, fault.as_ref(), &id).await;
    app.slack.verify().await;
    app.pagerduty.verify().await;
    app.notion.verify().await;
    app.stop().await;
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transient_failure_at_any_step_repeats_nothing_visible() {
    let baseline = story(None).await;
    let once = [
        "rooms created: 1",
        "invited \"UALICE\"",
        "post-mortems created: 1",
        "pagerduty \"trigger\" with the incident id",
        "pagerduty \"resolve\" with the incident id",
    ];
    for line in once {
        assert_eq!(baseline.get(line), Some(&1), "{line} in {baseline:#?}");
    }
    let card = "message in room: INC-1 · Emails are late [sev1 · open]";
    assert_eq!(baseline.get(card), Some(&1), "{baseline:#?}");
    assert_eq!(baseline.get(&format!("pin of {card}")), Some(&1), "{baseline:#?}");
    assert_eq!(baseline.get(&format!("refresh of {card}")), Some(&2), "refreshed per status change: {baseline:#?}");
    let messages = baseline.iter().filter(|(k, _)| k.starts_with("message in"));
    assert!(messages.clone().all(|(_, n)| *n == 1), "every message is posted once: {baseline:#?}");
    assert_eq!(messages.count(), 8, "card, broadcast, and two updates and the post-mortem link in room and thread");

    let runs =
        futures::future::join_all(FAULTS.iter().map(|fault| async move { (fault.name, story(Some(*fault)).await) }));
    for (name, seen) in runs.await {
        assert_eq!(seen, baseline, "with a transient failure at the {name} step");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_retry_after_stops_nothing() {
    let app = TestApp::spawn(Default::default()).await;
    Mock::given(method("POST"))
        .and(path("/v2/enqueue"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "100000000000000000000"))
        .with_priority(1)
        .mount(&app.pagerduty)
        .await;
    for n in 0..3 {
        let declaration = json!({"domain": "payments", "summary": format!("Checkout fails {n}"), "severity": "sev1"});
        let response = app.post_json("/api/v1/incidents", &declaration).await;
        assert_eq!(response.status(), 201, "declaration {n} is recorded");
        let id = response.json::<Value>().await.expect("JSON")["id"].as_str().expect("an id").to_owned();
        app.wait_for_room(&id).await;
    }
    wait_at_most(Duration::from_secs(10), "every page was tried", || async {
        (app.pagerduty_events().await.len() >= 3).then_some(())
    })
    .await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200, "the worker still runs");
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(metrics.lines().any(|l| l == "sima_worker_running 1"), "{metrics}");
    assert!(
        metrics.lines().any(|l| l == "sima_effect_failures_total{kind=\"page\"} 0"),
        "rate limits are not failures"
    );
    app.stop().await;
}
