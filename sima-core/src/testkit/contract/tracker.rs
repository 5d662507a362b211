//! The tracker contract: every [`TrackerPort`] implementation runs
//! [`tracker_contract`] against a tracker of its own (a fake, or a `wiremock`
//! server answering as the vendor's API does).
//!
//! The suite walks one ticket through its life: not found, created, found
//! again (the same ticket, so a retried create never makes a second one),
//! read, closed, closed again (nothing changes), reopened, rewritten. It
//! panics with a message naming the step that went wrong.

use chrono::NaiveDate;

use crate::domain::{FollowUpKey, IncidentNumber, Ticket, TicketState};
use crate::ports::{TicketDraft, TrackerPort};

/// A draft for action item `item` of incident `incident` (from 1), filled
/// as the engine fills it (title, summary, link, owner, due date).
///
/// # Panics
/// If `incident` is 0 (incident numbers start at 1).
pub fn sample_draft(incident: u64, item: u32) -> TicketDraft {
    let number = IncidentNumber::new(incident).expect("incident numbers start at 1");
    TicketDraft {
        key: FollowUpKey::new(number, item),
        title: "Add a retry budget to the mail relay".into(),
        incident_summary: "Outbound email delayed".into(),
        incident_url: Some(format!("https://sima.example/ui/incidents/{number}")),
        owner_email: Some("ada@example.com".into()),
        owner_name: Some("Ada".into()),
        due: NaiveDate::from_ymd_opt(2026, 12, 31),
    }
}

/// Runs the whole life of one ticket against `port`, using `draft` (see
/// [`sample_draft`]) whose key the tracker must not know yet. Answers the
/// ticket as it stands at the end (open, rewritten from `draft`), so the
/// caller can check what its tracker received.
///
/// Steps, in order: `find` answers `None`; `create` answers an open ticket
/// with an id, key and url; `find` answers the same ticket id; `read`
/// answers it open; `set_state(Done)` answers it done and `read` agrees;
/// `set_state(Done)` again answers it done with the same id, key and status
/// (the tracker was left as it was); `set_state(Open)` answers it open and
/// `read` agrees; `update` succeeds and `read` still answers it open.
pub async fn tracker_contract(port: &dyn TrackerPort, draft: &TicketDraft) -> Ticket {
    let name = port.name();
    assert!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "the tracker's name is lower case: {name:?}"
    );

    let before = port.find(draft.key).await.unwrap_or_else(|e| panic!("find before create failed: {e}"));
    assert_eq!(before, None, "find answers None for a key the tracker has never seen");

    let created = port.create(draft).await.unwrap_or_else(|e| panic!("create failed: {e}"));
    assert!(!created.id.is_empty(), "a created ticket has an id: {created:?}");
    assert!(!created.key.is_empty(), "a created ticket has a key: {created:?}");
    assert!(!created.url.is_empty(), "a created ticket has a url: {created:?}");
    assert_eq!(created.state, TicketState::Open, "a created ticket is open: {created:?}");

    let found = port.find(draft.key).await.unwrap_or_else(|e| panic!("find after create failed: {e}"));
    let found = found.unwrap_or_else(|| panic!("find answers the ticket create made for {}", draft.key));
    assert_eq!(found.id, created.id, "find answers the ticket create made, not another one");
    assert_eq!(found.key, created.key, "find answers the created ticket's key");

    let read = port.read(&created).await.unwrap_or_else(|e| panic!("read after create failed: {e}"));
    assert_eq!(read.id, created.id, "read answers the same ticket");
    assert_eq!(read.state, TicketState::Open, "a new ticket reads open: {read:?}");

    let closed =
        port.set_state(&read, TicketState::Done).await.unwrap_or_else(|e| panic!("set_state Done failed: {e}"));
    assert_eq!(closed.id, created.id, "set_state answers the same ticket");
    assert_eq!(closed.state, TicketState::Done, "set_state(Done) answers a done ticket: {closed:?}");
    let read = port.read(&closed).await.unwrap_or_else(|e| panic!("read after closing failed: {e}"));
    assert_eq!(read.state, TicketState::Done, "a closed ticket reads done: {read:?}");

    let again = port
        .set_state(&read, TicketState::Done)
        .await
        .unwrap_or_else(|e| panic!("set_state Done on a done ticket failed: {e}"));
    assert_eq!(again.state, TicketState::Done, "closing a done ticket leaves it done: {again:?}");
    assert_eq!((&again.id, &again.key), (&read.id, &read.key), "closing a done ticket answers the same ticket");
    assert_eq!(again.status, read.status, "closing a done ticket leaves its status as it was");

    let reopened =
        port.set_state(&again, TicketState::Open).await.unwrap_or_else(|e| panic!("set_state Open failed: {e}"));
    assert_eq!(reopened.state, TicketState::Open, "set_state(Open) answers an open ticket: {reopened:?}");
    let read = port.read(&reopened).await.unwrap_or_else(|e| panic!("read after reopening failed: {e}"));
    assert_eq!(read.state, TicketState::Open, "a reopened ticket reads open: {read:?}");

    port.update(&read, draft).await.unwrap_or_else(|e| panic!("update failed: {e}"));
    let last = port.read(&read).await.unwrap_or_else(|e| panic!("read after update failed: {e}"));
    assert_eq!(last.id, created.id, "update keeps the ticket");
    assert_eq!(last.state, TicketState::Open, "update leaves the state alone: {last:?}");
    last
}
