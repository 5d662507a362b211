//! The core's tracker contract, run against the fake Linear.

use sima_core::domain::TicketState;
use sima_core::testkit::contract::tracker::{sample_draft, tracker_contract};
use sima_linear::issue_id;

use crate::helpers::{TestLinear, TEAM};

#[tokio::test]
async fn linear_passes_the_tracker_contract() {
    let linear = TestLinear::start().await;
    let draft = sample_draft(7, 2);

    let last = tracker_contract(&linear.tracker, &draft).await;

    assert_eq!(last.id, issue_id(TEAM, draft.key));
    assert_eq!((last.status.as_str(), last.state), ("Todo", TicketState::Open));
    assert_eq!(linear.fake.issues.lock().unwrap().len(), 1, "one issue for the whole life");
    let moves: Vec<_> =
        linear.sent("issueUpdate").await.into_iter().map(|body| body["variables"]["input"].clone()).collect();
    assert_eq!(moves[0], serde_json::json!({ "stateId": "st-done" }));
    assert_eq!(moves[1], serde_json::json!({ "stateId": "st-todo" }));
    assert_eq!(moves.len(), 3, "done, reopened, rewritten: closing twice sent nothing");
}
