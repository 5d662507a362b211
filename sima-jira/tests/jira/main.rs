//! The Jira adapter against a mock Jira Cloud site: the requests it
//! receives, the tickets read back, and the `PortError` each answer becomes.

mod contract;
mod errors;
mod helpers;
mod states;
mod webhooks;

use chrono::NaiveDate;
use serde_json::{json, Value};
use sima_core::domain::TicketState;
use sima_core::ports::{PortError, TrackerPort};
use wiremock::matchers::{basic_auth, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use helpers::{draft, key, TestJira, API, EMAIL, PROJECT, TOKEN};

/// Every text node of an ADF document, in order.
fn adf_texts(doc: &Value) -> Vec<String> {
    fn walk(node: &Value, out: &mut Vec<String>) {
        if node["type"] == "text" {
            out.push(node["text"].as_str().unwrap().to_owned());
        }
        for child in node["content"].as_array().into_iter().flatten() {
            walk(child, out);
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut out);
    out
}

#[tokio::test]
async fn creates_the_issue_jira_expects() {
    let jira = TestJira::start().await;
    let mut draft = draft();
    draft.due = NaiveDate::from_ymd_opt(2025, 3, 21);

    let ticket = jira.tracker.create(&draft).await.unwrap();

    assert_eq!(jira.tracker.name(), "jira");
    assert_eq!((ticket.id.as_str(), ticket.key.as_str()), ("10042", "OPS-1"));
    assert_eq!(ticket.url, format!("{}/browse/OPS-1", jira.server.uri()));
    assert_eq!((ticket.status.as_str(), ticket.state), ("To Do", TicketState::Open));

    let search = jira.only_body("POST", &format!("{API}/search/jql")).await;
    assert_eq!(search["jql"], r#"project = "OPS" AND labels = "sima-inc-7-2" ORDER BY created ASC"#);
    assert_eq!(search["fields"], json!(["summary", "status", "labels"]));
    assert!(search.get("reconcileIssues").is_none(), "nothing created yet: {search}");

    let create = jira.requests("POST", &format!("{API}/issue")).await;
    assert_eq!(create.len(), 1);
    assert_eq!(create[0].headers.get("content-type").unwrap(), "application/json");
    let fields = &serde_json::from_slice::<Value>(&create[0].body).unwrap()["fields"];
    assert_eq!(fields["project"], json!({ "key": PROJECT }));
    assert_eq!(fields["issuetype"], json!({ "name": "Task" }));
    assert_eq!(fields["summary"], "Add a retry budget to the mailer");
    assert_eq!(fields["labels"], json!(["sima-inc-7-2"]));
    assert_eq!(fields["duedate"], "2025-03-21");
    assert!(fields.get("assignee").is_none(), "no owner: unassigned");
    let doc = &fields["description"];
    assert_eq!((doc["type"].as_str(), doc["version"].as_u64()), (Some("doc"), Some(1)));
    let first = &doc["content"][0];
    assert_eq!(first["type"], "paragraph");
    assert_eq!(
        first["content"][1],
        json!({ "type": "text", "text": "INC-7",
                "marks": [{ "type": "link", "attrs": { "href": "https://acme.slack.com/archives/C07INC7" } }] })
    );
    assert!(adf_texts(doc).contains(&"Emails late & queued".to_owned()), "{doc}");
}

#[tokio::test]
async fn every_request_carries_basic_auth() {
    let jira = TestJira::start().await;
    // Mounted above the site: a request without these credentials falls through to it and fails the count.
    Mock::given(method("POST"))
        .and(path(format!("{API}/issue")))
        .and(basic_auth(EMAIL, TOKEN))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "10099", "key": "OPS-99" })))
        .expect(1)
        .mount(&jira.server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/issue/10099")))
        .and(basic_auth(EMAIL, TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "10099", "key": "OPS-99", "fields": { "status": helpers::status(helpers::TO_DO), "labels": [] }
        })))
        .expect(1)
        .mount(&jira.server)
        .await;

    let ticket = jira.tracker.create(&draft()).await.unwrap();

    assert_eq!(ticket.key, "OPS-99");
    for request in jira.server.received_requests().await.unwrap() {
        let auth = request.headers.get("authorization").unwrap().to_str().unwrap();
        assert!(auth.starts_with("Basic "), "{} {}: {auth}", request.method, request.url);
    }
}

#[tokio::test]
async fn user_text_is_sent_as_text_never_as_markup() {
    let jira = TestJira::start().await;
    let mut draft = draft();
    draft.title = "Fix <script>alert(1)</script> **now** [x](https://evil.example) {color:red}h1. y".into();
    draft.incident_summary = "<img src=x onerror=alert(1)> & `rm -rf` _it_".into();
    draft.owner_email = Some("nobody@acme.example".into());
    draft.owner_name = Some("Ada <b>Lovelace</b>".into());

    jira.tracker.create(&draft).await.unwrap();

    let fields = jira.only_body("POST", &format!("{API}/issue")).await["fields"].clone();
    assert_eq!(fields["summary"], draft.title);
    let texts = adf_texts(&fields["description"]);
    assert!(texts.contains(&draft.incident_summary), "{texts:?}");
    assert!(texts.contains(&"Ada <b>Lovelace</b>".to_owned()), "{texts:?}");
    let marks: Vec<&Value> = fields["description"]["content"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["content"].as_array().unwrap())
        .filter_map(|node| node.get("marks"))
        .flat_map(|marks| marks.as_array().unwrap())
        .filter(|mark| mark["type"] == "link")
        .collect();
    assert_eq!(marks.len(), 1, "only the incident link is a link: {marks:?}");
    // Node types are only doc, paragraph and text: nothing the user wrote became structure.
    let raw = fields["description"].to_string();
    for kind in ["codeBlock", "heading", "mention", "inlineCard", "hardBreak"] {
        assert!(!raw.contains(kind), "{kind} in {raw}");
    }
}

#[tokio::test]
async fn a_create_answered_500_after_committing_is_found_by_the_retry() {
    let jira = TestJira::start().await;
    jira.with_state(|s| s.failing_creates = 1);

    let first = jira.tracker.create(&draft()).await.unwrap_err();
    assert!(matches!(first, PortError::Transient(_)), "{first:?}");

    // The effect retries: find, then (had it found nothing) create.
    let found = jira.tracker.find(key()).await.unwrap().expect("the issue the failed create made");
    let again = jira.tracker.create(&draft()).await.unwrap();

    assert_eq!(found.key, "OPS-1");
    assert_eq!(again, found);
    assert_eq!(jira.requests("POST", &format!("{API}/issue")).await.len(), 1, "exactly one create reached Jira");
    assert_eq!(jira.with_state(|s| s.issues.len()), 1);
}

#[tokio::test]
async fn a_retry_waits_for_the_search_index_after_an_unknown_outcome() {
    let jira = TestJira::start().await;
    jira.with_state(|s| {
        s.failing_creates = 1;
        s.search_lag = true;
    });

    assert!(matches!(jira.tracker.create(&draft()).await, Err(PortError::Transient(_))));
    // The issue exists but the index does not show it yet: no second create.
    let early = jira.tracker.create(&draft()).await.unwrap_err();
    assert!(matches!(&early, PortError::Transient(m) if m.contains("waiting")), "{early:?}");
    assert_eq!(jira.requests("POST", &format!("{API}/issue")).await.len(), 1);

    jira.with_state(|s| s.search_lag = false);
    let found = jira.tracker.create(&draft()).await.unwrap();

    assert_eq!(found.key, "OPS-1");
    assert_eq!(jira.requests("POST", &format!("{API}/issue")).await.len(), 1, "exactly one create reached Jira");
    assert_eq!(jira.with_state(|s| s.issues.len()), 1);
}

#[tokio::test]
async fn a_just_created_issue_is_found_despite_search_lag() {
    let jira = TestJira::start().await;
    jira.with_state(|s| s.search_lag = true);

    let created = jira.tracker.create(&draft()).await.unwrap();
    let found = jira.tracker.find(key()).await.unwrap();

    assert_eq!(found, Some(created));
    let searches = jira.requests("POST", &format!("{API}/search/jql")).await;
    let last: Value = serde_json::from_slice(&searches.last().unwrap().body).unwrap();
    assert_eq!(last["reconcileIssues"], json!([10042]));
    // Another adapter (another process) has no such memory: the lag shows.
    let other = sima_jira::JiraTracker::new(helpers::config(&jira.server)).unwrap();
    assert_eq!(other.find(key()).await.unwrap(), None);
}

#[tokio::test]
async fn the_owner_is_assigned_only_on_an_exact_email_match() {
    let jira = TestJira::start().await;
    jira.with_state(|s| {
        s.users = vec![
            json!({ "accountId": "5b10a2844c20165700ede21g", "emailAddress": "ada.lovelace@acme.example",
                    "displayName": "Ada L", "active": true, "accountType": "atlassian" }),
            json!({ "accountId": "5b10ac8d82e05b22cc7d4ef5", "emailAddress": "Ada@acme.example",
                    "displayName": "Ada", "active": true, "accountType": "atlassian" }),
        ]
    });
    let mut draft = draft();
    draft.owner_email = Some("ada@acme.example".into());
    draft.owner_name = Some("Ada".into());

    jira.tracker.create(&draft).await.unwrap();

    let lookups = jira.requests("GET", &format!("{API}/user/search")).await;
    assert_eq!(lookups[0].url.query(), Some("query=ada%40acme.example"));
    let fields = jira.only_body("POST", &format!("{API}/issue")).await["fields"].clone();
    assert_eq!(fields["assignee"], json!({ "accountId": "5b10ac8d82e05b22cc7d4ef5" }));
    assert!(!adf_texts(&fields["description"]).iter().any(|t| t.contains("Owner")), "assigned: no owner line");
}

#[tokio::test]
async fn an_owner_jira_does_not_know_is_named_in_the_description() {
    let jira = TestJira::start().await;
    jira.with_state(|s| {
        s.users = vec![json!({ "accountId": "5b10a2844c20165700ede21g", "emailAddress": "ada.lovelace@acme.example",
                               "active": true, "accountType": "atlassian" })]
    });
    let mut draft = draft();
    draft.owner_email = Some("ada@acme.example".into());
    draft.owner_name = Some("Ada Lovelace".into());

    jira.tracker.create(&draft).await.unwrap();

    let fields = jira.only_body("POST", &format!("{API}/issue")).await["fields"].clone();
    assert!(fields.get("assignee").is_none(), "{fields}");
    assert!(adf_texts(&fields["description"]).contains(&"Ada Lovelace".to_owned()));
}

#[tokio::test]
async fn update_rewrites_summary_due_date_and_assignee() {
    let jira = TestJira::start().await;
    let mut draft = draft();
    draft.due = NaiveDate::from_ymd_opt(2025, 3, 21);
    let ticket = jira.tracker.create(&draft).await.unwrap();
    jira.with_state(|s| s.users = vec![json!({ "accountId": "acc-1", "emailAddress": "grace@acme.example" })]);

    draft.title = "Add a retry budget\nto the mailer, v2".into();
    draft.owner_email = Some("grace@acme.example".into());
    jira.tracker.update(&ticket, &draft).await.unwrap();
    draft.due = None;
    draft.owner_email = None;
    jira.tracker.update(&ticket, &draft).await.unwrap();

    let edits = jira.requests("PUT", &format!("{API}/issue/10042")).await;
    let bodies: Vec<Value> = edits.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
    assert_eq!(
        bodies,
        vec![
            json!({ "fields": { "summary": "Add a retry budget to the mailer, v2", "duedate": "2025-03-21",
                                "assignee": { "accountId": "acc-1" } } }),
            json!({ "fields": { "summary": "Add a retry budget to the mailer, v2", "duedate": null, "assignee": null } }),
        ]
    );
    assert_eq!(jira.with_state(|s| s.issues[0]["duedate"].clone()), Value::Null);
}
