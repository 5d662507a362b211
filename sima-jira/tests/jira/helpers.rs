//! A mock Jira Cloud site that keeps the issues it is sent and answers as
//! Jira does, and an adapter pointed at it.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use sima_core::domain::FollowUpKey;
use sima_core::ports::TicketDraft;
use sima_jira::{HttpPolicy, JiraConfig, JiraTracker, Secret};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) const EMAIL: &str = "sima@acme.example";
pub(crate) const TOKEN: &str = "ATATT3xFfGF0-test-token";
pub(crate) const PROJECT: &str = "OPS";
pub(crate) const API: &str = "/rest/api/3";

/// The three statuses of the mock workflow: (id, name, category key).
pub(crate) const TO_DO: (&str, &str, &str) = ("10000", "To Do", "new");
pub(crate) const IN_PROGRESS: (&str, &str, &str) = ("10001", "In Progress", "indeterminate");
pub(crate) const DONE: (&str, &str, &str) = ("10002", "Done", "done");

/// What the mock site holds and how it misbehaves.
#[derive(Default)]
pub(crate) struct SiteState {
    /// Created issues: the fields sent, plus `id`, `key` and `status`.
    pub(crate) issues: Vec<Value>,
    /// The next creates answered 500 after the issue is made.
    pub(crate) failing_creates: u32,
    /// Searches do not see issues created since, unless named in `reconcileIssues`.
    pub(crate) search_lag: bool,
    /// The workflow has no transition into the done category.
    pub(crate) no_done_transition: bool,
    /// `GET /user/search` answers these users to any query.
    pub(crate) users: Vec<Value>,
}

/// A mock Jira Cloud site.
#[derive(Clone, Default)]
pub(crate) struct Site {
    pub(crate) state: Arc<Mutex<SiteState>>,
}

pub(crate) struct TestJira {
    pub(crate) server: MockServer,
    pub(crate) site: Site,
    pub(crate) tracker: JiraTracker,
}

impl TestJira {
    /// A site with no issues behind the adapter; mocks mounted later with a
    /// higher priority answer first.
    pub(crate) async fn start() -> Self {
        let server = MockServer::start().await;
        let site = Site::default();
        Mock::given(path_regex("^/rest/api/3/")).respond_with(site.clone()).with_priority(10).mount(&server).await;
        let tracker = JiraTracker::new(config(&server)).unwrap();
        Self { server, site, tracker }
    }

    /// The requests Jira received with this method and path.
    pub(crate) async fn requests(&self, method: &str, path: &str) -> Vec<Request> {
        let all = self.server.received_requests().await.unwrap_or_default();
        all.into_iter().filter(|r| r.method.as_str() == method && r.url.path() == path).collect()
    }

    /// The JSON body of the one request with this method and path.
    pub(crate) async fn only_body(&self, method: &str, path: &str) -> Value {
        let requests = self.requests(method, path).await;
        assert_eq!(requests.len(), 1, "{method} {path}: {requests:?}");
        serde_json::from_slice(&requests[0].body).unwrap()
    }

    pub(crate) fn with_state<T>(&self, f: impl FnOnce(&mut SiteState) -> T) -> T {
        f(&mut self.site.state.lock().unwrap())
    }
}

/// An adapter configuration against `server`, with short waits.
pub(crate) fn config(server: &MockServer) -> JiraConfig {
    JiraConfig::new(server.uri(), EMAIL, Secret::new(TOKEN), PROJECT).with_http(HttpPolicy {
        timeout_secs: 2,
        backoff_ms: 10,
        max_retry_wait_secs: 5,
        ..HttpPolicy::default()
    })
}

pub(crate) fn key() -> FollowUpKey {
    FollowUpKey::new("INC-7".parse().unwrap(), 2)
}

pub(crate) fn draft() -> TicketDraft {
    TicketDraft {
        key: key(),
        title: "Add a retry budget to the mailer".into(),
        incident_summary: "Emails late & queued".into(),
        incident_url: Some("https://acme.slack.com/archives/C07INC7".into()),
        owner_email: None,
        owner_name: None,
        due: None,
    }
}

/// A status object as Jira nests it in an issue or a transition.
pub(crate) fn status((id, name, category): (&str, &str, &str)) -> Value {
    json!({
        "self": format!("https://acme.atlassian.net/rest/api/3/status/{id}"),
        "id": id,
        "name": name,
        "statusCategory": { "id": 2, "key": category, "name": name, "colorName": "blue-gray" },
    })
}

/// Jira's error envelope.
pub(crate) fn refusal(status: u16, messages: &[&str], errors: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "errorMessages": messages, "errors": errors }))
}

impl Respond for Site {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap();
        let path = request.url.path().strip_prefix(API).unwrap_or_default().to_owned();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        match (request.method.as_str(), segments.as_slice()) {
            ("POST", ["search", "jql"]) => state.search(&body),
            ("POST", ["issue"]) => state.create(body),
            ("GET", ["user", "search"]) => ResponseTemplate::new(200).set_body_json(&state.users),
            ("GET", ["issue", id]) => match state.issue(id) {
                Some(issue) => ResponseTemplate::new(200).set_body_json(issue_view(issue)),
                None => not_found(),
            },
            ("PUT", ["issue", id]) => match state.issue_mut(id) {
                Some(issue) => {
                    for (field, value) in body["fields"].as_object().cloned().unwrap_or_default() {
                        issue[field] = value;
                    }
                    ResponseTemplate::new(204)
                }
                None => not_found(),
            },
            ("GET", ["issue", id, "transitions"]) => {
                let no_done = state.no_done_transition;
                match state.issue(id) {
                    Some(issue) => ResponseTemplate::new(200)
                        .set_body_json(json!({ "transitions": transitions(&issue["status"], no_done) })),
                    None => not_found(),
                }
            }
            ("POST", ["issue", id, "transitions"]) => {
                let no_done = state.no_done_transition;
                let Some(issue) = state.issue_mut(id) else { return not_found() };
                let offered = transitions(&issue["status"], no_done);
                let wanted = &body["transition"]["id"];
                match offered.iter().find(|t| &t["id"] == wanted) {
                    Some(transition) => {
                        issue["status"] = transition["to"].clone();
                        ResponseTemplate::new(204)
                    }
                    None => refusal(400, &[], json!({ "transition": "Transition id is not valid for this issue." })),
                }
            }
            _ => ResponseTemplate::new(404).set_body_string("no such mock route"),
        }
    }
}

impl SiteState {
    fn issue(&self, id: &str) -> Option<&Value> {
        self.issues.iter().find(|issue| issue["id"] == id || issue["key"] == id)
    }

    fn issue_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.issues.iter_mut().find(|issue| issue["id"] == id || issue["key"] == id)
    }

    /// Reads `project = "X" AND labels = "y"` as Jira would, for this one query shape.
    fn search(&self, body: &Value) -> ResponseTemplate {
        let jql = body["jql"].as_str().unwrap_or_default();
        let quoted = |after: &str| jql.split(after).nth(1).and_then(|rest| rest.split('"').nth(1)).map(str::to_owned);
        let (Some(project), Some(label)) = (quoted("project = "), quoted("labels = ")) else {
            return refusal(400, &["Error in the JQL Query: unexpected shape."], json!({}));
        };
        let reconciled: Vec<String> = body["reconcileIssues"]
            .as_array()
            .map(|ids| ids.iter().map(|id| id.to_string()).collect())
            .unwrap_or_default();
        let issues: Vec<Value> = self
            .issues
            .iter()
            .filter(|issue| issue["project"]["key"] == project.as_str())
            .filter(|issue| issue["labels"].as_array().is_some_and(|l| l.iter().any(|l| l == label.as_str())))
            .filter(|issue| !self.search_lag || reconciled.contains(&issue["id"].as_str().unwrap().to_owned()))
            .map(issue_view)
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "issues": issues, "isLast": true }))
    }

    fn create(&mut self, body: Value) -> ResponseTemplate {
        let fields = body["fields"].clone();
        if fields["project"]["key"] != PROJECT {
            return refusal(400, &[], json!({ "project": "valid project is required" }));
        }
        if fields["summary"].as_str().is_none_or(str::is_empty) {
            return refusal(400, &[], json!({ "summary": "You must specify a summary of the issue." }));
        }
        let number = self.issues.len() + 1;
        let mut issue = fields;
        issue["id"] = json!((10041 + number).to_string());
        issue["key"] = json!(format!("{PROJECT}-{number}"));
        issue["status"] = status(TO_DO);
        let created = json!({
            "id": issue["id"],
            "key": issue["key"],
            "self": format!("https://acme.atlassian.net/rest/api/3/issue/{}", issue["id"].as_str().unwrap()),
        });
        self.issues.push(issue);
        if self.failing_creates > 0 {
            self.failing_creates -= 1;
            return ResponseTemplate::new(500).set_body_json(json!({ "errorMessages": ["Internal server error"] }));
        }
        ResponseTemplate::new(201).set_body_json(created)
    }
}

/// An issue as `GET /issue/{id}` and searches answer it.
fn issue_view(issue: &Value) -> Value {
    json!({
        "id": issue["id"],
        "key": issue["key"],
        "self": format!("https://acme.atlassian.net/rest/api/3/issue/{}", issue["id"].as_str().unwrap()),
        "fields": { "summary": issue["summary"], "status": issue["status"], "labels": issue["labels"] },
    })
}

/// The mock workflow: anything can start or finish; a finished issue can
/// be reopened to To Do or started again.
fn transitions(current: &Value, no_done: bool) -> Vec<Value> {
    let transition = |id: &str, name: &str, to| json!({ "id": id, "name": name, "to": status(to), "hasScreen": false });
    let done = current["statusCategory"]["key"] == "done";
    // "Start progress" comes first: reopening must still choose To Do.
    let mut offered = vec![transition("21", "Start progress", IN_PROGRESS)];
    if done {
        offered.push(transition("41", "Reopen", TO_DO));
    }
    if !done && !no_done {
        offered.push(transition("31", "Done", DONE));
    }
    offered
}

fn not_found() -> ResponseTemplate {
    refusal(404, &["Issue does not exist or you do not have permission to see it."], json!({}))
}
