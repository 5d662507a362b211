//! The core's tracker contract, run against the adapter and the mock Jira,
//! with the search index lagging behind as Jira Cloud's does.

use serde_json::{json, Value};
use sima_core::domain::TicketState;
use sima_core::testkit::contract::tracker::{sample_draft, tracker_contract};

use crate::helpers::{TestJira, API, DONE, TO_DO};

#[tokio::test]
async fn the_adapter_passes_the_tracker_contract() {
    let jira = TestJira::start().await;
    jira.with_state(|s| {
        s.search_lag = true;
        s.users = vec![json!({ "accountId": "acc-ada", "emailAddress": "ada@example.com", "active": true })];
    });
    let draft = sample_draft(7, 2);

    let last = tracker_contract(&jira.tracker, &draft).await;

    assert_eq!((last.key.as_str(), last.status.as_str(), last.state), ("OPS-1", TO_DO.1, TicketState::Open));
    let issue = jira.with_state(|s| s.issues.clone());
    assert_eq!(issue.len(), 1, "one issue for one key");
    assert_eq!(issue[0]["assignee"], json!({ "accountId": "acc-ada" }));
    assert_eq!(issue[0]["duedate"], "2026-12-31");
    assert_eq!(issue[0]["labels"], json!(["sima-inc-7-2"]));
    let fired: Vec<Value> = jira
        .requests("POST", &format!("{API}/issue/10042/transitions"))
        .await
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["transition"]["id"].clone())
        .collect();
    assert_eq!(fired, vec![json!("31"), json!("41")], "closed once ({}), reopened once", DONE.1);
}
