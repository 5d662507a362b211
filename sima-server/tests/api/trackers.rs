//! Trackers end to end: with `SIMA_TRACKER=jira` (or `linear`) an action
//! item added through the API becomes exactly one issue in a fake Jira (or
//! Linear) that answers as the real API does, even when the first create
//! fails after the issue was made; the API shows its key, link and status;
//! signed webhooks close and reopen the item (recorded with the tracker as
//! actor) while forged, unsigned, stale or foreign ones change nothing; the
//! read-back catches a change no webhook reported; `on_command` exports only
//! when asked; and settings errors name each variable.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sima_server::{Application, Settings};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::{api_error, wait_at_most, TestApp};

const JIRA_SECRET: &str = "jira-webhook-secret-0123456789";
const LINEAR_SECRET: &str = "lin_wh_secret_0123456789abcdef";
const JIRA_EMAIL: &str = "sima@acme.example";
const JIRA_TOKEN: &str = "ATATT3xFfGF0-test-token";
const LINEAR_KEY: &str = "lin_api_test0123456789";
const ANA_ACCOUNT: &str = "5b10ac8d82e05b22cc7d4ef5";
const LINEAR_TEAM: &str = "9cfb482a-81e3-4154-b5b9-2c805e70a02d";
/// How long an export may take: the first attempt's failure is retried after about a second.
const EXPORTED: Duration = Duration::from_secs(20);

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// One Jira status and its category.
fn jira_status(name: &str, category: &str) -> Value {
    json!({ "name": name, "statusCategory": { "key": category } })
}

/// A Jira Cloud project `OPS`: issues made by `POST /issue`, found by label,
/// read, transitioned; the next `fail_after_commit` creates make the issue,
/// then answer 500 as a Jira whose answer was lost would.
#[derive(Clone, Default)]
struct FakeJira {
    issues: Arc<Mutex<Vec<Value>>>,
    creates: Arc<AtomicUsize>,
    fail_after_commit: Arc<AtomicUsize>,
}

impl FakeJira {
    async fn start() -> (Self, MockServer) {
        let fake = Self::default();
        let server = MockServer::start().await;
        Mock::given(path_regex("^/rest/api/3/")).respond_with(fake.clone()).mount(&server).await;
        (fake, server)
    }

    fn issues(&self) -> Vec<Value> {
        self.issues.lock().unwrap().clone()
    }

    /// Moves issue `key` to a status, as someone working in Jira would.
    fn set_status(&self, key: &str, name: &str, category: &str) {
        let mut issues = self.issues.lock().unwrap();
        let issue = issues.iter_mut().find(|i| i["key"] == key).expect("the issue exists");
        issue["fields"]["status"] = jira_status(name, category);
    }

    fn issue(&self, id: &str) -> Option<Value> {
        self.issues.lock().unwrap().iter().find(|i| i["id"] == id).cloned()
    }

    fn not_found() -> ResponseTemplate {
        ResponseTemplate::new(404).set_body_json(json!({
            "errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}
        }))
    }
}

impl Respond for FakeJira {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{JIRA_EMAIL}:{JIRA_TOKEN}"));
        let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok());
        if auth != Some(format!("Basic {basic}").as_str()) {
            return ResponseTemplate::new(401).set_body_string("Client must be authenticated to access this resource.");
        }
        let path = request.url.path().trim_start_matches("/rest/api/3/").to_owned();
        let segments: Vec<&str> = path.split('/').collect();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        match (request.method.as_str(), segments.as_slice()) {
            ("POST", ["search", "jql"]) => {
                let jql = body["jql"].as_str().unwrap_or_default();
                let found: Vec<Value> = self
                    .issues()
                    .into_iter()
                    .filter(|i| {
                        i["fields"]["labels"].as_array().is_some_and(|labels| {
                            labels.iter().any(|l| l.as_str().is_some_and(|l| jql.contains(&format!("\"{l}\""))))
                        })
                    })
                    .collect();
                ResponseTemplate::new(200).set_body_json(json!({ "issues": found, "isLast": true }))
            }
            ("POST", ["issue"]) => {
                self.creates.fetch_add(1, Ordering::SeqCst);
                let fields = &body["fields"];
                if fields["project"]["key"] != "OPS" || fields["issuetype"]["name"] != "Task" {
                    return ResponseTemplate::new(400).set_body_json(
                        json!({ "errorMessages": [], "errors": { "project": "valid project is required" } }),
                    );
                }
                let mut issues = self.issues.lock().unwrap();
                let id = (10_000 + issues.len()).to_string();
                let key = format!("OPS-{}", 12 + issues.len());
                let mut stored = fields.clone();
                stored["status"] = jira_status("To Do", "new");
                issues.push(json!({ "id": id, "key": key, "fields": stored }));
                let failing = self.fail_after_commit.load(Ordering::SeqCst);
                if failing > 0 {
                    self.fail_after_commit.store(failing - 1, Ordering::SeqCst);
                    return ResponseTemplate::new(500)
                        .set_body_json(json!({ "errorMessages": ["Internal server error"], "errors": {} }));
                }
                ResponseTemplate::new(201).set_body_json(json!({ "id": id, "key": key, "self": "x" }))
            }
            ("GET", ["issue", id]) => {
                self.issue(id).map_or_else(Self::not_found, |issue| ResponseTemplate::new(200).set_body_json(issue))
            }
            ("PUT", ["issue", id]) => match self.issue(id) {
                Some(_) => ResponseTemplate::new(204),
                None => Self::not_found(),
            },
            ("GET", ["issue", _, "transitions"]) => ResponseTemplate::new(200).set_body_json(json!({ "transitions": [
                { "id": "11", "name": "Reopen", "to": jira_status("To Do", "new") },
                { "id": "21", "name": "Start", "to": jira_status("In Progress", "indeterminate") },
                { "id": "31", "name": "Finish", "to": jira_status("Done", "done") },
            ]})),
            ("POST", ["issue", id, "transitions"]) => {
                let Some(issue) = self.issue(id) else { return Self::not_found() };
                let (name, category) = match body["transition"]["id"].as_str() {
                    Some("11") => ("To Do", "new"),
                    Some("21") => ("In Progress", "indeterminate"),
                    Some("31") => ("Done", "done"),
                    _ => {
                        return ResponseTemplate::new(400).set_body_json(json!({ "errorMessages": ["bad transition"] }))
                    }
                };
                self.set_status(issue["key"].as_str().unwrap_or_default(), name, category);
                ResponseTemplate::new(204)
            }
            ("GET", ["user", "search"]) => {
                let query = request.url.query_pairs().find(|(k, _)| k == "query").map(|(_, v)| v.into_owned());
                let users = match query.as_deref() {
                    Some("ana@acme.example") => json!([{ "accountId": ANA_ACCOUNT, "accountType": "atlassian",
                        "emailAddress": "ana@acme.example", "displayName": "Ana Lima", "active": true }]),
                    _ => json!([]),
                };
                ResponseTemplate::new(200).set_body_json(users)
            }
            _ => ResponseTemplate::new(404).set_body_string("no such resource"),
        }
    }
}

/// The variables of a server exporting to `jira`.
fn jira_env(jira: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("SIMA_TRACKER", "jira".into()),
        ("SIMA_JIRA_URL", jira.uri()),
        ("SIMA_JIRA_EMAIL", JIRA_EMAIL.into()),
        ("SIMA_JIRA_API_TOKEN", JIRA_TOKEN.into()),
        ("SIMA_JIRA_PROJECT", "OPS".into()),
        ("SIMA_JIRA_WEBHOOK_SECRET", JIRA_SECRET.into()),
    ]
}

/// A server with these variables; Slack knows the owner `U0ANA` by the e-mail `ana@acme.example`.
async fn spawn(vars: &[(&'static str, String)]) -> TestApp {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with_env(&vars).await;
    let ana = json!({ "ok": true, "user": { "id": "U0ANA", "name": "ana", "real_name": "Ana Lima",
        "profile": { "email": "ana@acme.example", "real_name": "Ana Lima", "display_name": "ana" } } });
    Mock::given(path("/users.info"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ana))
        .with_priority(1)
        .mount(&app.slack)
        .await;
    app
}

/// Declares INC-1 and adds an action item to it through the API.
async fn incident_with_action(app: &TestApp) -> Value {
    let declared = json!({ "domain": "payments", "summary": "Card payments fail" });
    assert_eq!(app.post_json("/api/v1/incidents", &declared).await.status(), 201);
    let added = app
        .post_json(
            "/api/v1/incidents/INC-1/actions",
            &json!({ "text": "Alert on certificate expiry", "owner": "U0ANA", "due": "2026-12-01" }),
        )
        .await;
    assert_eq!(added.status(), 201);
    added.json().await.expect("the action item")
}

async fn action(app: &TestApp) -> Value {
    app.get_json("/api/v1/incidents/INC-1/actions").await["actions"][0].clone()
}

/// Waits until the action item has a ticket, and answers the item.
async fn exported(app: &TestApp) -> Value {
    wait_at_most(EXPORTED, "the action item's ticket", || async {
        let item = action(app).await;
        item["ticket"].is_object().then_some(item)
    })
    .await
}

/// Jira's `jira:issue_updated` for `issue` as the fake holds it.
fn jira_event(issue: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "timestamp": Utc::now().timestamp_millis(),
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": { "accountId": "5b10a2844c20165700ede21g", "displayName": "Ana" },
        "issue": { "id": issue["id"], "key": issue["key"], "self": "x", "fields": issue["fields"] },
        "changelog": { "id": "10081", "items": [{ "field": "status", "fieldtype": "jira" }] }
    }))
    .expect("JSON")
}

async fn post_raw(app: &TestApp, route: &str, body: &[u8], headers: &[(&str, String)]) -> reqwest::Response {
    let mut request =
        app.http.post(format!("{}{route}", app.address)).header("content-type", "application/json").body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.expect("the server answers")
}

fn actors_of<'a>(events: &'a [Value], kind: &str) -> Vec<&'a str> {
    events.iter().filter(|e| e["kind"] == kind).filter_map(|e| e["actor"].as_str()).collect()
}

#[tokio::test]
async fn jira_gets_one_issue_per_action_item_and_its_signed_webhooks_close_and_reopen_it() {
    let (jira, server) = FakeJira::start().await;
    jira.fail_after_commit.store(1, Ordering::SeqCst);
    let app = spawn(&jira_env(&server)).await;

    let added = incident_with_action(&app).await;
    assert_eq!(added["ticket"], Value::Null, "not exported yet");
    let item = exported(&app).await;
    assert_eq!(
        item["ticket"],
        json!({ "key": "OPS-12", "url": format!("{}/browse/OPS-12", server.uri()), "status": "To Do" })
    );
    app.wait_for_idle_outbox().await;
    let issues = jira.issues();
    assert_eq!(issues.len(), 1, "one issue, though the first create answered 500: {issues:#?}");
    assert_eq!(jira.creates.load(Ordering::SeqCst), 1, "the retry found the issue instead of creating another");
    let fields = &issues[0]["fields"];
    assert_eq!(fields["labels"], json!(["sima-inc-1-1"]), "the issue carries the incident and item numbers");
    assert_eq!(fields["summary"], "Alert on certificate expiry");
    assert_eq!(fields["duedate"], "2026-12-01");
    assert_eq!(fields["assignee"], json!({ "accountId": ANA_ACCOUNT }), "the owner, found by e-mail");
    assert!(fields["description"].to_string().contains("INC-1"), "{}", fields["description"]);

    // Someone finishes it in Jira; forged deliveries change nothing.
    jira.set_status("OPS-12", "Done", "done");
    let body = jira_event(&jira.issues()[0]);
    let good = format!("sha256={}", hmac_hex(JIRA_SECRET, &body));
    let forged = [
        ("no signature", vec![]),
        (
            "another secret",
            vec![("X-Hub-Signature", format!("sha256={}", hmac_hex("another-secret-0123456789", &body)))],
        ),
        ("no sha256= prefix", vec![("X-Hub-Signature", hmac_hex(JIRA_SECRET, &body))]),
        ("another algorithm", vec![("X-Hub-Signature", format!("sha1={}", hmac_hex(JIRA_SECRET, &body)))]),
        ("another body", vec![("X-Hub-Signature", format!("sha256={}", hmac_hex(JIRA_SECRET, b"{}")))]),
        ("Linear's header", vec![("Linear-Signature", hmac_hex(JIRA_SECRET, &body))]),
    ];
    for (what, headers) in forged {
        let response = post_raw(&app, "/webhooks/jira", &body, &headers).await;
        let message = api_error(response, 401, "unauthorized").await;
        assert!(message.contains("X-Hub-Signature"), "{what}: {message}");
    }
    let item = action(&app).await;
    assert_eq!((item["status"].as_str(), item["ticket"]["status"].as_str()), (Some("open"), Some("To Do")));

    // The webhook token is not what signs a tracker's delivery.
    let bearer = app
        .http
        .post(format!("{}/webhooks/jira", app.address))
        .bearer_auth(crate::helpers::WEBHOOK_TOKEN)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    api_error(bearer, 401, "unauthorized").await;

    let response = post_raw(&app, "/webhooks/jira", &body, &[("X-Hub-Signature", good)]).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!((answer["outcome"].as_str(), answer["incident"].as_str()), (Some("recorded"), Some("INC-1")));
    let item = action(&app).await;
    assert_eq!(item["status"], "done");
    assert_eq!(item["ticket"]["status"], "Done");
    let events = app.timeline("INC-1").await;
    assert_eq!(actors_of(&events, "action_item_done"), ["tracker:jira"], "{events:#?}");

    // The same delivery again changes nothing more.
    let again = jira_event(&jira.issues()[0]);
    let signature = format!("sha256={}", hmac_hex(JIRA_SECRET, &again));
    assert!(post_raw(&app, "/webhooks/jira", &again, &[("X-Hub-Signature", signature)]).await.status().is_success());
    assert_eq!(actors_of(&app.timeline("INC-1").await, "action_item_done").len(), 1);

    // Reopened in Jira: open again in SIMA.
    jira.set_status("OPS-12", "In Progress", "indeterminate");
    let body = jira_event(&jira.issues()[0]);
    let signature = format!("sha256={}", hmac_hex(JIRA_SECRET, &body));
    assert_eq!(post_raw(&app, "/webhooks/jira", &body, &[("X-Hub-Signature", signature)]).await.status(), 200);
    let item = action(&app).await;
    assert_eq!((item["status"].as_str(), item["ticket"]["status"].as_str()), (Some("open"), Some("In Progress")));
    assert_eq!(actors_of(&app.timeline("INC-1").await, "action_item_reopened"), ["tracker:jira"]);

    // Deliveries about something else are acknowledged and change nothing.
    let linear_body = serde_json::to_vec(&linear_event(
        &json!({ "id": "x", "identifier": "ENG-1", "url": "https://linear.app/x",
        "state": { "name": "Done", "type": "completed" } }),
        Utc::now().timestamp_millis(),
    ))
    .unwrap();
    let signature = format!("sha256={}", hmac_hex(JIRA_SECRET, &linear_body));
    let foreign = post_raw(&app, "/webhooks/jira", &linear_body, &[("X-Hub-Signature", signature)]).await;
    assert_eq!(foreign.status(), 202, "a Linear body on the Jira route");
    let mut other = jira.issues()[0].clone();
    other["id"] = json!("99999");
    other["key"] = json!("OPS-999");
    other["fields"]["labels"] = json!(["customer"]);
    other["fields"]["status"] = jira_status("Done", "done");
    let body = jira_event(&other);
    let signature = format!("sha256={}", hmac_hex(JIRA_SECRET, &body));
    let unrelated = post_raw(&app, "/webhooks/jira", &body, &[("X-Hub-Signature", signature)]).await;
    assert_eq!(unrelated.status(), 202, "an issue SIMA did not make");
    let comment = br#"{"webhookEvent":"comment_created","comment":{"body":"hi"}}"#;
    let signature = format!("sha256={}", hmac_hex(JIRA_SECRET, comment));
    assert_eq!(post_raw(&app, "/webhooks/jira", comment, &[("X-Hub-Signature", signature)]).await.status(), 202);
    assert_eq!(action(&app).await["status"], "open");

    // Linear is not this server's tracker: its route says what to set.
    let message = api_error(post_raw(&app, "/webhooks/linear", b"{}", &[]).await, 401, "unauthorized").await;
    assert!(message.contains("SIMA_LINEAR_WEBHOOK_SECRET"), "{message}");
    app.stop().await;
}

#[tokio::test]
async fn on_command_exports_only_the_items_asked_for() {
    let (jira, server) = FakeJira::start().await;
    let mut vars = jira_env(&server);
    vars.push(("SIMA_TRACKER__EXPORT", "on_command".into()));
    let app = spawn(&vars).await;
    incident_with_action(&app).await;
    app.wait_for_idle_outbox().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(jira.issues().is_empty(), "nothing exported before it is asked for");
    assert_eq!(action(&app).await["ticket"], Value::Null);

    let missing = app.post_json("/api/v1/incidents/INC-1/actions/7/export", &json!({})).await;
    api_error(missing, 404, "not_found").await;
    let asked = app.post_json("/api/v1/incidents/INC-1/actions/1/export", &json!({})).await;
    assert_eq!(asked.status(), 202);
    let item = exported(&app).await;
    assert_eq!(item["ticket"]["key"], "OPS-12");
    let again = app.post_json("/api/v1/incidents/INC-1/actions/1/export", &json!({})).await;
    assert!(again.status().is_success());
    app.wait_for_idle_outbox().await;
    assert_eq!(jira.issues().len(), 1, "asking twice makes one issue");
    let events = app.timeline("INC-1").await;
    assert!(events.iter().any(|e| e["kind"] == "action_item_export_requested"), "{events:#?}");
    app.stop().await;

    // Without a tracker, exporting is refused and says what to set.
    let plain = TestApp::spawn_with_env(&[]).await;
    incident_with_action(&plain).await;
    let refused = plain.post_json("/api/v1/incidents/INC-1/actions/1/export", &json!({})).await;
    let message = api_error(refused, 409, "no_tracker").await;
    assert!(message.contains("SIMA_TRACKER"), "{message}");
    assert_eq!(action(&plain).await["ticket"], Value::Null);
    let message = api_error(post_raw(&plain, "/webhooks/jira", b"{}", &[]).await, 401, "unauthorized").await;
    assert!(message.contains("SIMA_TRACKER=jira") && message.contains("SIMA_JIRA_WEBHOOK_SECRET"), "{message}");
    plain.stop().await;
}

#[tokio::test]
async fn the_read_back_catches_a_change_no_webhook_reported() {
    let (jira, server) = FakeJira::start().await;
    let mut vars = jira_env(&server);
    vars.push(("SIMA_TRACKER__RECONCILE_EVERY", "1s".into()));
    let app = spawn(&vars).await;
    incident_with_action(&app).await;
    exported(&app).await;
    jira.set_status("OPS-12", "Done", "done");
    let item = wait_at_most(Duration::from_secs(15), "the read-back to close the item", || async {
        let item = action(&app).await;
        (item["status"] == "done").then_some(item)
    })
    .await;
    assert_eq!(item["ticket"]["status"], "Done");
    assert_eq!(actors_of(&app.timeline("INC-1").await, "action_item_done"), ["tracker:jira"]);
    app.stop().await;
}

/// A Linear team: issues by id, created once (a second create with the same
/// id is refused as Linear refuses it), read, moved between workflow states.
#[derive(Clone, Default)]
struct FakeLinear {
    issues: Arc<Mutex<Vec<Value>>>,
    creates: Arc<AtomicUsize>,
    fail_after_commit: Arc<AtomicUsize>,
}

const LINEAR_STATES: [(&str, &str, &str, f64); 4] = [
    ("st-todo", "Todo", "unstarted", 1.0),
    ("st-progress", "In Progress", "started", 2.0),
    ("st-done", "Done", "completed", 3.0),
    ("st-canceled", "Canceled", "canceled", 4.0),
];

impl FakeLinear {
    async fn start() -> (Self, MockServer) {
        let fake = Self::default();
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(fake.clone()).mount(&server).await;
        (fake, server)
    }

    fn issues(&self) -> Vec<Value> {
        self.issues.lock().unwrap().clone()
    }

    fn set_state(&self, identifier: &str, state_id: &str) {
        let (_, name, kind, _) = LINEAR_STATES.iter().find(|s| s.0 == state_id).expect("a state");
        let mut issues = self.issues.lock().unwrap();
        let issue = issues.iter_mut().find(|i| i["identifier"] == identifier).expect("the issue exists");
        issue["state"] = json!({ "name": name, "type": kind });
    }

    fn ok(data: Value) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
    }

    fn refused(message: &str) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({
            "data": null,
            "errors": [{ "message": message, "extensions": { "code": "INPUT_ERROR", "type": "invalid input" } }]
        }))
    }

    fn view(issue: &Value) -> Value {
        json!({ "id": issue["id"], "identifier": issue["identifier"], "url": issue["url"],
                "state": issue["state"], "team": { "id": LINEAR_TEAM } })
    }
}

impl Respond for FakeLinear {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(LINEAR_KEY) {
            return ResponseTemplate::new(400).set_body_json(json!({ "errors": [{
                "message": "Authentication required, not authenticated",
                "extensions": { "code": "AUTHENTICATION_ERROR", "type": "authentication error" } }] }));
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let query = body["query"].as_str().unwrap_or_default();
        let variables = &body["variables"];
        if query.contains("issueCreate(") {
            self.creates.fetch_add(1, Ordering::SeqCst);
            let input = &variables["input"];
            let mut issues = self.issues.lock().unwrap();
            if issues.iter().any(|i| i["id"] == input["id"]) {
                return Self::refused("Argument Validation Error: an entity with this id already exists");
            }
            let number = 101 + issues.len();
            let issue = json!({
                "id": input["id"], "identifier": format!("ENG-{number}"),
                "url": format!("https://linear.app/acme/issue/ENG-{number}/alert"),
                "state": { "name": "Todo", "type": "unstarted" }, "title": input["title"], "description": input["description"],
            });
            issues.push(issue.clone());
            let failing = self.fail_after_commit.load(Ordering::SeqCst);
            if failing > 0 {
                self.fail_after_commit.store(failing - 1, Ordering::SeqCst);
                return ResponseTemplate::new(500).set_body_string("Internal Server Error");
            }
            Self::ok(json!({ "issueCreate": { "success": true, "issue": Self::view(&issue) } }))
        } else if query.contains("issueUpdate(") {
            let id = variables["id"].as_str().unwrap_or_default();
            let state_id = variables["input"]["stateId"].as_str().map(str::to_owned);
            let identifier = self.issues().iter().find(|i| i["id"] == id).map(|i| i["identifier"].clone());
            let Some(identifier) = identifier else { return Self::refused("Entity not found: Issue") };
            if let Some(state_id) = state_id {
                self.set_state(identifier.as_str().unwrap_or_default(), &state_id);
            }
            let issue = self.issues().into_iter().find(|i| i["id"] == id).expect("found above");
            Self::ok(json!({ "issueUpdate": { "success": true, "issue": Self::view(&issue) } }))
        } else if query.contains("workflowStates(") {
            let states: Vec<Value> = LINEAR_STATES
                .iter()
                .map(|(id, name, kind, position)| json!({ "id": id, "name": name, "type": kind, "position": position }))
                .collect();
            Self::ok(json!({ "workflowStates": { "nodes": states } }))
        } else if query.contains("users(") {
            Self::ok(json!({ "users": { "nodes": [] } }))
        } else if query.contains("issue(") {
            match self.issues().iter().find(|i| i["id"] == variables["id"]) {
                Some(issue) => Self::ok(json!({ "issue": Self::view(issue) })),
                None => ResponseTemplate::new(200).set_body_json(json!({ "data": null, "errors": [{
                    "message": "Entity not found: Issue", "path": ["issue"],
                    "extensions": { "code": "INPUT_ERROR", "type": "invalid input", "userError": true } }] })),
            }
        } else {
            Self::refused("Unknown operation")
        }
    }
}

/// Linear's `Issue` `update` delivery for `issue`, sent at `sent_ms`.
fn linear_event(issue: &Value, sent_ms: i64) -> Value {
    json!({
        "action": "update", "type": "Issue", "actor": { "id": "u1", "type": "user", "name": "Ana" },
        "createdAt": Utc::now().to_rfc3339(), "url": issue["url"],
        "data": { "id": issue["id"], "identifier": issue["identifier"], "url": issue["url"],
                  "title": "Alert on certificate expiry", "state": issue["state"], "teamId": LINEAR_TEAM },
        "updatedFrom": { "stateId": "st-todo" },
        "organizationId": "org-1", "webhookTimestamp": sent_ms, "webhookId": "wh-1"
    })
}

#[tokio::test]
async fn linear_gets_one_issue_and_its_signed_fresh_webhooks_close_and_reopen_it() {
    let (linear, server) = FakeLinear::start().await;
    linear.fail_after_commit.store(1, Ordering::SeqCst);
    let app = spawn(&[
        ("SIMA_TRACKER", "linear".into()),
        ("SIMA_LINEAR_API_KEY", LINEAR_KEY.into()),
        ("SIMA_LINEAR_TEAM_ID", LINEAR_TEAM.into()),
        ("SIMA_LINEAR_API_URL", format!("{}/graphql", server.uri())),
        ("SIMA_LINEAR_WEBHOOK_SECRET", LINEAR_SECRET.into()),
    ])
    .await;
    incident_with_action(&app).await;
    let item = exported(&app).await;
    let url = "https://linear.app/acme/issue/ENG-101/alert";
    assert_eq!(item["ticket"], json!({ "key": "ENG-101", "url": url, "status": "Todo" }));
    app.wait_for_idle_outbox().await;
    assert_eq!(linear.issues().len(), 1, "one issue, though the first create answered 500");
    assert!(linear.issues()[0]["description"].as_str().unwrap_or_default().contains("INC-1"));

    linear.set_state("ENG-101", "st-done");
    let now = Utc::now().timestamp_millis();
    let body = serde_json::to_vec(&linear_event(&linear.issues()[0], now)).unwrap();
    let stale = serde_json::to_vec(&linear_event(&linear.issues()[0], now - 5 * 60 * 1000)).unwrap();
    let refused = [
        ("no signature", body.clone(), vec![]),
        ("another secret", body.clone(), vec![("Linear-Signature", hmac_hex("lin_wh_another_secret_0123", &body))]),
        ("Jira's form", body.clone(), vec![("Linear-Signature", format!("sha256={}", hmac_hex(LINEAR_SECRET, &body)))]),
        ("another body", body.clone(), vec![("Linear-Signature", hmac_hex(LINEAR_SECRET, &stale))]),
        ("five minutes old", stale.clone(), vec![("Linear-Signature", hmac_hex(LINEAR_SECRET, &stale))]),
    ];
    for (what, body, headers) in refused {
        let message = api_error(post_raw(&app, "/webhooks/linear", &body, &headers).await, 401, "unauthorized").await;
        assert!(!message.is_empty(), "{what}");
    }
    assert_eq!(action(&app).await["status"], "open", "nothing changed");

    let signature = hmac_hex(LINEAR_SECRET, &body);
    let response = post_raw(&app, "/webhooks/linear", &body, &[("Linear-Signature", signature)]).await;
    assert_eq!(response.status(), 200);
    let item = action(&app).await;
    assert_eq!((item["status"].as_str(), item["ticket"]["status"].as_str()), (Some("done"), Some("Done")));
    assert_eq!(actors_of(&app.timeline("INC-1").await, "action_item_done"), ["tracker:linear"]);

    linear.set_state("ENG-101", "st-progress");
    let body = serde_json::to_vec(&linear_event(&linear.issues()[0], Utc::now().timestamp_millis())).unwrap();
    let signature = hmac_hex(LINEAR_SECRET, &body);
    assert_eq!(post_raw(&app, "/webhooks/linear", &body, &[("Linear-Signature", signature)]).await.status(), 200);
    assert_eq!(action(&app).await["status"], "open");
    assert_eq!(actors_of(&app.timeline("INC-1").await, "action_item_reopened"), ["tracker:linear"]);

    // A Jira body on the Linear route, and a comment event: acknowledged, nothing changes.
    let jira_body = jira_event(&json!({ "id": "10000", "key": "OPS-12",
        "fields": { "labels": ["sima-inc-1-1"], "status": jira_status("Done", "done") } }));
    let signature = hmac_hex(LINEAR_SECRET, &jira_body);
    assert_eq!(post_raw(&app, "/webhooks/linear", &jira_body, &[("Linear-Signature", signature)]).await.status(), 202);
    let comment = serde_json::to_vec(&json!({ "action": "create", "type": "Comment", "data": { "body": "hi" },
        "webhookTimestamp": Utc::now().timestamp_millis() }))
    .unwrap();
    let signature = hmac_hex(LINEAR_SECRET, &comment);
    assert_eq!(post_raw(&app, "/webhooks/linear", &comment, &[("Linear-Signature", signature)]).await.status(), 202);
    assert_eq!(action(&app).await["status"], "open");
    let message = api_error(post_raw(&app, "/webhooks/jira", b"{}", &[]).await, 401, "unauthorized").await;
    assert!(message.contains("SIMA_JIRA_WEBHOOK_SECRET"), "{message}");
    app.stop().await;
}

/// Why a server with these variables does not start (the settings check, or the build).
async fn refusal(vars: &[(&str, &str)]) -> String {
    let mut env: std::collections::HashMap<String, String> =
        vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    env.insert("SIMA_LISTEN".into(), "127.0.0.1:0".into());
    match Settings::from_env(&env) {
        Err(error) => format!("{error:#}"),
        Ok(settings) => format!("{:#}", Application::build(settings).await.err().expect("the start is refused")),
    }
}

#[tokio::test]
async fn settings_errors_name_each_missing_variable() {
    let error = refusal(&[("SIMA_TRACKER", "jira"), ("SIMA_JIRA_URL", "https://acme.atlassian.net")]).await;
    assert!(
        error.contains("SIMA_TRACKER=jira needs SIMA_JIRA_EMAIL, SIMA_JIRA_API_TOKEN, SIMA_JIRA_PROJECT"),
        "{error}"
    );
    let error = refusal(&[("SIMA_TRACKER", "linear")]).await;
    assert!(error.contains("SIMA_TRACKER=linear needs SIMA_LINEAR_API_KEY, SIMA_LINEAR_TEAM_ID"), "{error}");
    let error = refusal(&[("SIMA_TRACKER", "youtrack")]).await;
    assert!(error.contains("accepted: jira, linear, none"), "{error}");
    let error = refusal(&[
        ("SIMA_TRACKER", "linear"),
        ("SIMA_LINEAR_API_KEY", LINEAR_KEY),
        ("SIMA_LINEAR_TEAM_ID", LINEAR_TEAM),
        ("SIMA_LINEAR_API_URL", "http://linear.internal/graphql"),
        ("SIMA_LINEAR_WEBHOOK_SECRET", "short"),
    ])
    .await;
    assert!(error.contains("SIMA_LINEAR_API_URL (linear.api_url) must be an https:// URL"), "{error}");
    assert!(error.contains("SIMA_LINEAR_WEBHOOK_SECRET (linear.webhook_secret) must be at least 16"), "{error}");
    assert!(!error.contains(LINEAR_KEY), "secrets are never shown: {error}");
}

/// Posts `body` to the Jira route signed with `JIRA_SECRET`.
async fn signed_jira(app: &TestApp, body: &[u8]) -> reqwest::Response {
    let signature = format!("sha256={}", hmac_hex(JIRA_SECRET, body));
    post_raw(app, "/webhooks/jira", body, &[("X-Hub-Signature", signature)]).await
}

#[tokio::test]
async fn jira_webhooks_are_a_trigger_only_old_forged_or_oversized_deliveries_change_nothing() {
    const API_TOKEN: &str = "api-token-for-trackers-0123456789";
    let (jira, server) = FakeJira::start().await;
    let mut vars = jira_env(&server);
    vars.push(("SIMA_API_TOKEN", API_TOKEN.into()));
    let app = spawn(&vars).await;
    let declared = json!({ "domain": "payments", "summary": "Card payments fail" });
    let post = |path: &str, body: &Value| {
        app.http.post(format!("{}{path}", app.address)).bearer_auth(API_TOKEN).json(body).send()
    };
    assert_eq!(post("/api/v1/incidents", &declared).await.unwrap().status(), 201);
    let added = post("/api/v1/incidents/INC-1/actions", &json!({ "text": "Alert on certificate expiry" })).await;
    assert_eq!(added.unwrap().status(), 201);
    let read = |path: String| app.http.get(format!("{}{path}", app.address)).bearer_auth(API_TOKEN).send();
    let item = || async {
        let list: Value = read("/api/v1/incidents/INC-1/actions".into()).await.unwrap().json().await.unwrap();
        list["actions"][0].clone()
    };
    wait_at_most(EXPORTED, "the ticket", || async { item().await["ticket"].is_object().then_some(()) }).await;
    app.wait_for_idle_outbox().await;

    // Signatures: only sha256=<HMAC of these very bytes under the Jira secret>.
    jira.set_status("OPS-12", "Done", "done");
    let body = jira_event(&jira.issues()[0]);
    let hex = hmac_hex(JIRA_SECRET, &body);
    let mut spaced = body.clone();
    spaced.push(b' ');
    let reformatted = serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&body).unwrap()).unwrap();
    let refused: [(&str, &[u8], Option<String>); 9] = [
        ("an empty header", &body, Some(String::new())),
        ("sha256= and nothing", &body, Some("sha256=".into())),
        ("an upper-case prefix", &body, Some(format!("SHA256={hex}"))),
        ("a truncated digest", &body, Some(format!("sha256={}", &hex[..40]))),
        ("the API token as the secret", &body, Some(format!("sha256={}", hmac_hex(API_TOKEN, &body)))),
        ("the webhook token", &body, Some(format!("sha256={}", hmac_hex(crate::helpers::WEBHOOK_TOKEN, &body)))),
        ("Linear's secret", &body, Some(format!("sha256={}", hmac_hex(LINEAR_SECRET, &body)))),
        ("a trailing space added", &spaced, Some(format!("sha256={hex}"))),
        ("the same JSON reformatted", &reformatted, Some(format!("sha256={hex}"))),
    ];
    for (what, sent, header) in refused {
        let headers: Vec<(&str, String)> = header.into_iter().map(|h| ("X-Hub-Signature", h)).collect();
        let response = post_raw(&app, "/webhooks/jira", sent, &headers).await;
        api_error(response, 401, "unauthorized").await;
        assert_eq!(item().await["status"], "open", "{what}");
    }
    // Over the body limit: refused before anything is read or signed.
    let mut huge = body.clone();
    huge.extend(std::iter::repeat_n(b' ', sima_server::router::BODY_LIMIT));
    assert_eq!(signed_jira(&app, &huge).await.status(), 413);

    // A label `sima-inc-1-1` put by hand on another issue does not speak for item 1.
    let mut foreign = jira.issues()[0].clone();
    foreign["id"] = json!("10999");
    foreign["key"] = json!("OPS-999");
    let forged = signed_jira(&app, &jira_event(&foreign)).await;
    assert_eq!(forged.status(), 202);
    assert_eq!(item().await["status"], "open", "an issue SIMA did not make");

    // Done, then reopened in Jira; the old `done` delivered again (replayed, or late) is read back, not believed.
    let done = jira_event(&jira.issues()[0]);
    assert_eq!(signed_jira(&app, &done).await.status(), 200);
    assert_eq!(item().await["status"], "done");
    jira.set_status("OPS-12", "In Progress", "indeterminate");
    assert_eq!(signed_jira(&app, &jira_event(&jira.issues()[0])).await.status(), 200);
    assert_eq!(item().await["status"], "open");
    let replayed = signed_jira(&app, &done).await;
    assert!(replayed.status().is_success());
    let now = item().await;
    assert_eq!((now["status"].as_str(), now["ticket"]["status"].as_str()), (Some("open"), Some("In Progress")));
    let events: Value = read("/api/v1/incidents/INC-1/timeline".into()).await.unwrap().json().await.unwrap();
    let events = events["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(actors_of(&events, "action_item_done").len(), 1, "closed once: {events:#?}");

    // Deleted in Jira: acknowledged, nothing recorded.
    jira.issues.lock().unwrap().clear();
    let gone = signed_jira(&app, &done).await;
    assert_eq!(gone.status(), 202);
    assert_eq!(item().await["status"], "open");
    app.stop().await;
}

/// `sima-server check-config` with only these `SIMA_*` variables: (exit code, stdout and stderr).
fn check_config(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("a directory");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sima-server"));
    command.current_dir(dir.path()).arg("check-config").env("NO_COLOR", "1").stdin(std::process::Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SIMA_") {
            command.env_remove(name);
        }
    }
    let out = command.envs(vars.iter().copied()).output().expect("check-config runs");
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn check_config_never_prints_a_tracker_secret() {
    let jira = [
        ("SIMA_TRACKER", "jira"),
        ("SIMA_JIRA_URL", "https://acme.atlassian.net"),
        ("SIMA_JIRA_EMAIL", JIRA_EMAIL),
        ("SIMA_JIRA_API_TOKEN", JIRA_TOKEN),
        ("SIMA_JIRA_PROJECT", "OPS"),
        ("SIMA_JIRA_WEBHOOK_SECRET", JIRA_SECRET),
    ];
    let linear = [
        ("SIMA_TRACKER", "linear"),
        ("SIMA_LINEAR_API_KEY", LINEAR_KEY),
        ("SIMA_LINEAR_TEAM_ID", LINEAR_TEAM),
        ("SIMA_LINEAR_WEBHOOK_SECRET", LINEAR_SECRET),
    ];
    let secrets = [JIRA_TOKEN, JIRA_SECRET, LINEAR_KEY, LINEAR_SECRET];
    let (code, shown) = check_config(&jira);
    assert_eq!(code, Some(0), "{shown}");
    let (code, shown_linear) = check_config(&linear);
    assert_eq!(code, Some(0), "{shown_linear}");
    // Refused: the project missing; or both trackers' credentials at once.
    let (refused, missing) = check_config(&jira[..4]);
    assert_ne!(refused, Some(0), "no project: {missing}");
    let mut both = jira.to_vec();
    both.extend(&linear[1..]);
    let (_, mixed) = check_config(&both);
    for output in [&shown, &shown_linear, &missing, &mixed] {
        for secret in secrets {
            assert!(!output.contains(secret), "{secret} printed: {output}");
        }
    }
}

#[tokio::test]
async fn the_export_route_refuses_each_wrong_caller_and_number() {
    const API_TOKEN: &str = "api-token-for-exports-0123456789";
    const READ_TOKEN: &str = "read-token-for-exports-0123456789";
    let (jira, server) = FakeJira::start().await;
    let mut vars = jira_env(&server);
    vars.push(("SIMA_TRACKER__EXPORT", "on_command".into()));
    vars.push(("SIMA_API_TOKEN", API_TOKEN.into()));
    vars.push(("SIMA_API_READ_TOKEN", READ_TOKEN.into()));
    let app = spawn(&vars).await;
    let url = |path: &str| format!("{}/api/v1/incidents/{path}", app.address);
    let admin = |path: &str| app.http.post(url(path)).bearer_auth(API_TOKEN);
    let declared = json!({ "domain": "payments", "summary": "Card payments fail" });
    let created = app.http.post(format!("{}/api/v1/incidents", app.address)).bearer_auth(API_TOKEN).json(&declared);
    assert_eq!(created.send().await.unwrap().status(), 201);
    let added = admin("INC-1/actions").json(&json!({ "text": "Alert on certificate expiry" })).send().await.unwrap();
    assert_eq!(added.status(), 201);

    let export = "INC-1/actions/1/export";
    let refused = [
        ("no token", app.http.post(url(export)), 401),
        ("the read token", app.http.post(url(export)).bearer_auth(READ_TOKEN), 403),
        ("a foreign page", admin(export).header("origin", "https://evil.example"), 403),
        ("a cookie and no token", app.http.post(url(export)).header("cookie", "sima_session=forged"), 401),
        ("item 0", admin("INC-1/actions/0/export"), 400),
        ("item -1", admin("INC-1/actions/-1/export"), 404),
        ("a number past u32", admin("INC-1/actions/99999999999/export"), 400),
        ("no number", admin("INC-1/actions/abc/export"), 404),
        ("no item 2", admin("INC-1/actions/2/export"), 404),
        ("no such incident", admin("INC-99/actions/1/export"), 404),
    ];
    for (what, request, status) in refused {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{what}: {}", response.text().await.unwrap_or_default());
    }
    app.wait_for_idle_outbox().await;
    assert!(jira.issues().is_empty(), "nothing exported");
    let timeline: Value =
        app.http.get(url("INC-1/timeline")).bearer_auth(READ_TOKEN).send().await.unwrap().json().await.unwrap();
    let events = timeline["events"].as_array().cloned().unwrap_or_default();
    assert!(actors_of(&events, "action_item_export_requested").is_empty(), "{events:#?}");

    // Asked twice: 202 both times, one issue.
    for _ in 0..2 {
        assert_eq!(admin(export).send().await.unwrap().status(), 202);
    }
    wait_at_most(EXPORTED, "the issue", || async { (!jira.issues().is_empty()).then_some(()) }).await;
    assert_eq!(admin(export).send().await.unwrap().status(), 202, "exported already: nothing new");
    app.wait_for_idle_outbox().await;
    assert_eq!(jira.issues().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn signed_deliveries_sima_cannot_read_are_refused_400() {
    let (_jira, server) = FakeJira::start().await;
    let app = spawn(&jira_env(&server)).await;
    let no_issue = br#"{"webhookEvent":"jira:issue_updated"}"#.to_vec();
    let no_status = br#"{"webhookEvent":"jira:issue_updated","issue":{"id":"10000","key":"OPS-1","fields":{}}}"#;
    for (what, body) in [("not JSON", b"not json".to_vec()), ("no issue", no_issue), ("no status", no_status.to_vec())]
    {
        let message = api_error(signed_jira(&app, &body).await, 400, "invalid_input").await;
        assert!(!message.is_empty(), "{what}");
    }
    app.stop().await;

    let (_linear, server) = FakeLinear::start().await;
    let app = spawn(&[
        ("SIMA_TRACKER", "linear".into()),
        ("SIMA_LINEAR_API_KEY", LINEAR_KEY.into()),
        ("SIMA_LINEAR_TEAM_ID", LINEAR_TEAM.into()),
        ("SIMA_LINEAR_API_URL", format!("{}/graphql", server.uri())),
        ("SIMA_LINEAR_WEBHOOK_SECRET", LINEAR_SECRET.into()),
    ])
    .await;
    let now = Utc::now().timestamp_millis();
    let no_state = json!({ "action": "update", "type": "Issue", "webhookTimestamp": now,
        "data": { "id": "x", "identifier": "ENG-1", "url": "https://linear.app/x" } });
    let no_time = json!({ "action": "update", "type": "Issue", "data": {} });
    for (what, body) in [
        ("not JSON", b"not json".to_vec()),
        ("an issue without its state", serde_json::to_vec(&no_state).unwrap()),
        ("no webhookTimestamp", serde_json::to_vec(&no_time).unwrap()),
    ] {
        let signature = hmac_hex(LINEAR_SECRET, &body);
        let response = post_raw(&app, "/webhooks/linear", &body, &[("Linear-Signature", signature)]).await;
        let message = api_error(response, 400, "invalid_input").await;
        assert!(!message.is_empty(), "{what}");
    }
    app.stop().await;
}
