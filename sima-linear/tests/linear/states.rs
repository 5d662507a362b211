//! Closing and reopening through the team's workflow states.

use serde_json::json;
use sima_core::domain::TicketState;
use sima_core::ports::{PortError, TrackerPort};

use crate::helpers::{draft, state, FakeLinear, TestLinear, TEAM};

#[tokio::test]
async fn done_moves_to_the_first_completed_state_and_reopen_to_the_first_unstarted() {
    let linear = TestLinear::start().await;
    let ticket = linear.tracker.create(&draft()).await.unwrap();

    let done = linear.tracker.set_state(&ticket, TicketState::Done).await.unwrap();

    assert_eq!((done.status.as_str(), done.state), ("Done", TicketState::Done));
    assert_eq!(done.key, ticket.key);
    let states = linear.sent("workflowStates").await;
    assert_eq!(states[0]["variables"], json!({ "teamId": TEAM }));
    let updates = linear.sent("issueUpdate").await;
    assert_eq!(updates[0]["variables"], json!({ "id": ticket.id, "input": { "stateId": "st-done" } }));
    assert_eq!(linear.tracker.read(&ticket).await.unwrap(), done);

    let again = linear.tracker.set_state(&done, TicketState::Done).await.unwrap();
    assert_eq!(again, done);
    assert_eq!(linear.sent("issueUpdate").await.len(), 1, "already done: nothing sent");

    let reopened = linear.tracker.set_state(&done, TicketState::Open).await.unwrap();
    assert_eq!((reopened.status.as_str(), reopened.state), ("Todo", TicketState::Open));
    let updates = linear.sent("issueUpdate").await;
    assert_eq!(updates[1]["variables"]["input"], json!({ "stateId": "st-todo" }));
}

#[tokio::test]
async fn a_canceled_issue_counts_as_done() {
    let linear = TestLinear::start().await;
    let ticket = linear.tracker.create(&draft()).await.unwrap();
    linear.fake.issues.lock().unwrap()[0]["state"] = json!({ "name": "Canceled", "type": "canceled" });

    let read = linear.tracker.read(&ticket).await.unwrap();
    assert_eq!((read.status.as_str(), read.state), ("Canceled", TicketState::Done));
    let unchanged = linear.tracker.set_state(&ticket, TicketState::Done).await.unwrap();
    assert_eq!(unchanged, read);
    assert!(linear.sent("issueUpdate").await.is_empty());
}

#[tokio::test]
async fn reopening_without_an_unstarted_state_goes_to_the_backlog() {
    let fake = FakeLinear::new();
    *fake.states.lock().unwrap() = vec![
        state("st-triage", "Triage", "triage", 0.0),
        state("st-later", "Someday", "backlog", 2.0),
        state("st-icebox", "Icebox", "backlog", 1.0),
        state("st-done", "Done", "completed", 3.0),
    ];
    let linear = TestLinear::with(fake).await;
    let ticket = linear.tracker.create(&draft()).await.unwrap();
    let done = linear.tracker.set_state(&ticket, TicketState::Done).await.unwrap();

    let reopened = linear.tracker.set_state(&done, TicketState::Open).await.unwrap();

    assert_eq!(reopened.status, "Icebox");
    assert_eq!(linear.sent("issueUpdate").await[1]["variables"]["input"], json!({ "stateId": "st-icebox" }));
}

#[tokio::test]
async fn a_workflow_without_a_completed_state_is_invalid() {
    let fake = FakeLinear::new();
    *fake.states.lock().unwrap() =
        vec![state("st-todo", "Todo", "unstarted", 1.0), state("st-canceled", "Canceled", "canceled", 2.0)];
    let linear = TestLinear::with(fake).await;
    let ticket = linear.tracker.create(&draft()).await.unwrap();

    let error = linear.tracker.set_state(&ticket, TicketState::Done).await.unwrap_err();

    let PortError::Invalid(message) = &error else { panic!("{error:?}") };
    assert!(message.contains("no workflow state of type completed"), "{message}");
    assert!(linear.sent("issueUpdate").await.is_empty());
}

#[tokio::test]
async fn moving_a_deleted_issue_is_not_found() {
    let linear = TestLinear::start().await;
    let ticket = linear.tracker.create(&draft()).await.unwrap();
    linear.fake.issues.lock().unwrap().clear();

    let error = linear.tracker.set_state(&ticket, TicketState::Done).await.unwrap_err();

    assert!(matches!(error, PortError::NotFound(_)), "{error:?}");
}
