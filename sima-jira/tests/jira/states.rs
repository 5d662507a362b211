//! Closing and reopening through the workflow's transitions.

use serde_json::{json, Value};
use sima_core::domain::TicketState;
use sima_core::ports::{PortError, TrackerPort};

use crate::helpers::{draft, TestJira};

const TRANSITIONS: &str = "/rest/api/3/issue/10042/transitions";

async fn fired(jira: &TestJira) -> Vec<Value> {
    let posts = jira.requests("POST", TRANSITIONS).await;
    posts.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

#[tokio::test]
async fn closing_fires_the_transition_into_done() {
    let jira = TestJira::start().await;
    let ticket = jira.tracker.create(&draft()).await.unwrap();

    let closed = jira.tracker.set_state(&ticket, TicketState::Done).await.unwrap();

    assert_eq!((closed.status.as_str(), closed.state), ("Done", TicketState::Done));
    assert_eq!(fired(&jira).await, vec![json!({ "transition": { "id": "31" } })]);
    assert_eq!(jira.tracker.read(&ticket).await.unwrap(), closed);

    // Already done: nothing is fired, the transitions are not even read.
    let again = jira.tracker.set_state(&ticket, TicketState::Done).await.unwrap();
    assert_eq!(again, closed);
    assert_eq!(fired(&jira).await.len(), 1);
    assert_eq!(jira.requests("GET", TRANSITIONS).await.len(), 1);
}

#[tokio::test]
async fn reopening_prefers_a_to_do_status() {
    let jira = TestJira::start().await;
    let ticket = jira.tracker.create(&draft()).await.unwrap();
    jira.tracker.set_state(&ticket, TicketState::Done).await.unwrap();

    let reopened = jira.tracker.set_state(&ticket, TicketState::Open).await.unwrap();

    assert_eq!((reopened.status.as_str(), reopened.state), ("To Do", TicketState::Open));
    assert_eq!(fired(&jira).await[1], json!({ "transition": { "id": "41" } }), "Reopen, not Start progress");
}

#[tokio::test]
async fn a_workflow_without_a_done_transition_is_invalid() {
    let jira = TestJira::start().await;
    let ticket = jira.tracker.create(&draft()).await.unwrap();
    jira.with_state(|s| s.no_done_transition = true);

    let error = jira.tracker.set_state(&ticket, TicketState::Done).await.unwrap_err();

    let PortError::Invalid(message) = &error else { panic!("{error:?}") };
    assert!(
        message.contains("workflow") && message.contains("OPS-1") && message.contains("Start progress"),
        "{message}"
    );
    assert!(fired(&jira).await.is_empty());
    assert_eq!(jira.tracker.read(&ticket).await.unwrap().status, "To Do");
}
