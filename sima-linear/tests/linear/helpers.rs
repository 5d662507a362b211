//! A fake Linear GraphQL endpoint that keeps the issues it is sent and
//! answers as Linear does, errors included.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use serde_json::{json, Value};
use sima_core::domain::FollowUpKey;
use sima_core::ports::TicketDraft;
use sima_linear::{HttpPolicy, LinearConfig, LinearTracker, Secret};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) const API_KEY: &str = "lin_api_test0123456789";
pub(crate) const TEAM: &str = "9cfb482a-81e3-4154-b5b9-2c805e70a02d";
pub(crate) const ANA_ID: &str = "a1f0c1f2-0000-4000-8000-00000000a0a0";

/// The standard workflow of a new team, listed out of position order.
pub(crate) fn standard_states() -> Vec<Value> {
    vec![
        state("st-shipped", "Shipped", "completed", 4.0),
        state("st-backlog", "Backlog", "backlog", 0.0),
        state("st-todo", "Todo", "unstarted", 1.0),
        state("st-progress", "In Progress", "started", 2.0),
        state("st-done", "Done", "completed", 3.0),
        state("st-canceled", "Canceled", "canceled", 5.0),
    ]
}

pub(crate) fn state(id: &str, name: &str, kind: &str, position: f64) -> Value {
    json!({ "id": id, "name": name, "type": kind, "position": position })
}

/// Linear's answer to a query for an issue that does not exist (HTTP 200).
pub(crate) fn issue_not_found(path: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": null,
        "errors": [{
            "message": "Entity not found: Issue",
            "path": [path],
            "extensions": {
                "code": "INPUT_ERROR", "type": "invalid input", "statusCode": 400, "userError": true,
                "userPresentableMessage": "Could not find referenced Issue."
            }
        }]
    }))
}

/// Linear's answer to a request without a valid API key.
pub(crate) fn not_authenticated() -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({
        "errors": [{
            "message": "Authentication required, not authenticated",
            "extensions": {
                "code": "AUTHENTICATION_ERROR", "type": "authentication error", "userError": true,
                "userPresentableMessage": "You need to authenticate to access this operation."
            }
        }]
    }))
}

/// Linear's answer once a budget is spent: HTTP 400, `RATELIMITED`.
pub(crate) fn rate_limited() -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({
        "errors": [{
            "message": "Rate limit exceeded",
            "extensions": { "code": "RATELIMITED", "type": "ratelimited", "userError": true,
                "userPresentableMessage": "Rate limit exceeded, please try again later." }
        }]
    }))
}

/// A refusal of the input, as GraphQL errors with HTTP 200.
pub(crate) fn refused(message: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": null,
        "errors": [{ "message": message, "extensions": { "code": "INPUT_ERROR", "type": "invalid input" } }]
    }))
}

/// A Linear workspace with one team: issues, users and workflow states.
#[derive(Clone)]
pub(crate) struct FakeLinear {
    pub(crate) issues: Arc<Mutex<Vec<Value>>>,
    pub(crate) users: Vec<(String, String)>,
    pub(crate) states: Arc<Mutex<Vec<Value>>>,
    /// The next creates are made, then answered with this instead (a 500, a timeout).
    pub(crate) after_commit: Arc<Mutex<Vec<ResponseTemplate>>>,
}

impl FakeLinear {
    pub(crate) fn new() -> Self {
        Self {
            issues: Arc::default(),
            users: vec![("ana@example.com".into(), ANA_ID.into())],
            states: Arc::new(Mutex::new(standard_states())),
            after_commit: Arc::default(),
        }
    }

    fn issue_json(issue: &Value) -> Value {
        json!({
            "id": issue["id"], "identifier": issue["identifier"], "url": issue["url"],
            "state": { "name": issue["state"]["name"], "type": issue["state"]["type"] },
            "team": { "id": issue["teamId"] }
        })
    }

    fn create(&self, input: &Value) -> ResponseTemplate {
        let mut issues = self.issues.lock().unwrap();
        let id = input["id"].as_str().map(str::to_owned).unwrap_or_else(|| format!("generated-{}", issues.len()));
        if issues.iter().any(|issue| issue["id"] == id.as_str()) {
            return refused("Argument Validation Error: an entity with this id already exists");
        }
        if input["teamId"] != TEAM {
            return refused("Entity not found: Team: teamId could not be found.");
        }
        let number = 101 + issues.len();
        let slug = input["title"].as_str().unwrap_or_default().to_ascii_lowercase().replace(' ', "-");
        let issue = json!({
            "id": id,
            "identifier": format!("ENG-{number}"),
            "url": format!("https://linear.app/acme/issue/ENG-{number}/{slug}"),
            "state": { "name": "Todo", "type": "unstarted" },
            "teamId": input["teamId"], "title": input["title"], "description": input["description"],
            "dueDate": input["dueDate"], "assigneeId": input["assigneeId"],
        });
        issues.push(issue.clone());
        if let Some(answer) = self.after_commit.lock().unwrap().pop() {
            return answer;
        }
        ok(json!({ "issueCreate": { "success": true, "issue": Self::issue_json(&issue) } }))
    }

    fn update(&self, id: &str, input: &Value) -> ResponseTemplate {
        let mut issues = self.issues.lock().unwrap();
        let Some(issue) = issues.iter_mut().find(|issue| issue["id"] == id) else {
            return issue_not_found("issueUpdate");
        };
        for field in ["title", "dueDate", "assigneeId", "description"] {
            if let Some(value) = input.get(field) {
                issue[field] = value.clone();
            }
        }
        if let Some(state_id) = input.get("stateId") {
            let states = self.states.lock().unwrap();
            let Some(state) = states.iter().find(|s| &s["id"] == state_id) else {
                return refused("Entity not found: WorkflowState");
            };
            issue["state"] = json!({ "name": state["name"], "type": state["type"] });
        }
        ok(json!({ "issueUpdate": { "success": true, "issue": Self::issue_json(issue) } }))
    }
}

fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
}

impl Respond for FakeLinear {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let key = request.headers.get("authorization").and_then(|v| v.to_str().ok());
        if key != Some(API_KEY) {
            return not_authenticated();
        }
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return ResponseTemplate::new(400).set_body_string("POST body missing");
        };
        let query = body["query"].as_str().unwrap_or_default();
        let variables = &body["variables"];
        if query.contains("issueCreate(") {
            self.create(&variables["input"])
        } else if query.contains("issueUpdate(") {
            self.update(variables["id"].as_str().unwrap_or_default(), &variables["input"])
        } else if query.contains("workflowStates(") {
            let states = if variables["teamId"] == TEAM { self.states.lock().unwrap().clone() } else { vec![] };
            ok(json!({ "workflowStates": { "nodes": states } }))
        } else if query.contains("users(") {
            let nodes: Vec<Value> = self
                .users
                .iter()
                .filter(|(email, _)| variables["email"] == email.as_str())
                .map(|(_, id)| json!({ "id": id }))
                .collect();
            ok(json!({ "users": { "nodes": nodes } }))
        } else if query.contains("issue(") {
            let issues = self.issues.lock().unwrap();
            match issues.iter().find(|issue| issue["id"] == variables["id"]) {
                Some(issue) => ok(json!({ "issue": Self::issue_json(issue) })),
                None => issue_not_found("issue"),
            }
        } else {
            refused("Unknown operation")
        }
    }
}

/// A tracker pointed at a fake Linear.
pub(crate) struct TestLinear {
    pub(crate) server: MockServer,
    pub(crate) fake: FakeLinear,
    pub(crate) tracker: LinearTracker,
}

impl TestLinear {
    pub(crate) async fn start() -> Self {
        Self::with(FakeLinear::new()).await
    }

    pub(crate) async fn with(fake: FakeLinear) -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(fake.clone()).mount(&server).await;
        let tracker = LinearTracker::new(config(&server)).unwrap();
        Self { server, fake, tracker }
    }

    /// The GraphQL bodies Linear received whose query contains `field`.
    pub(crate) async fn sent(&self, field: &str) -> Vec<Value> {
        let all = self.server.received_requests().await.unwrap_or_default();
        all.iter()
            .filter_map(|request| serde_json::from_slice::<Value>(&request.body).ok())
            .filter(|body| body["query"].as_str().is_some_and(|q| q.contains(&format!("{field}("))))
            .collect()
    }
}

/// A configuration against `server`, with short waits.
pub(crate) fn config(server: &MockServer) -> LinearConfig {
    let mut config = LinearConfig::new(Secret::new(API_KEY), TEAM).with_api_url(format!("{}/graphql", server.uri()));
    config.http = HttpPolicy { timeout_secs: 2, backoff_ms: 10, max_retry_wait_secs: 5, ..HttpPolicy::default() };
    config
}

/// A tracker against a server answering every request with `answer`.
pub(crate) async fn answering(answer: ResponseTemplate) -> (MockServer, LinearTracker) {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(answer).mount(&server).await;
    let tracker = LinearTracker::new(config(&server)).unwrap();
    (server, tracker)
}

pub(crate) fn key() -> FollowUpKey {
    FollowUpKey::new("INC-7".parse().unwrap(), 2)
}

pub(crate) fn draft() -> TicketDraft {
    TicketDraft {
        key: key(),
        title: "Rotate the SMTP keys".into(),
        incident_summary: "Emails queued for 40 min".into(),
        incident_url: Some("https://sima.acme.example/incidents/7".into()),
        owner_email: Some("ana@example.com".into()),
        owner_name: Some("Ana".into()),
        due: NaiveDate::from_ymd_opt(2025, 3, 20),
    }
}
