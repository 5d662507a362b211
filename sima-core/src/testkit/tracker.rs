//! A tracker in memory: tickets found by their [`FollowUpKey`], every call
//! recorded, failures scripted (including a create that commits and then
//! answers an error, as a tracker answering 500 after saving does).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use crate::domain::{FollowUpKey, Ticket, TicketState};
use crate::ports::{PortError, TicketDraft, TrackerPort};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One call a [`FakeTracker`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackerCall {
    /// `find(key)`.
    Find(FollowUpKey),
    /// `create(draft)`.
    Create(TicketDraft),
    /// `update(ticket, draft)`, with the ticket's key.
    Update(String, TicketDraft),
    /// `read(ticket)`, with the ticket's key.
    Read(String),
    /// `set_state(ticket, state)`, with the ticket's key.
    SetState(String, TicketState),
}

/// A ticket the fake holds, with the draft it was last written from.
#[derive(Debug, Clone)]
struct Stored {
    ticket: Ticket,
    draft: TicketDraft,
}

/// An issue tracker in memory. Keys run `OPS-1`, `OPS-2`…; open tickets are
/// `To Do`, done ones `Done`.
#[derive(Default)]
pub struct FakeTracker {
    name: String,
    calls: Mutex<Vec<TrackerCall>>,
    tickets: Mutex<BTreeMap<FollowUpKey, Stored>>,
    failures: Mutex<VecDeque<PortError>>,
    commit_then_fail: Mutex<Option<PortError>>,
}

impl FakeTracker {
    /// A tracker named `fake` that answers at once.
    pub fn new() -> Self {
        Self::named("fake")
    }

    /// A tracker with the given (lower-case) name, the actor of the changes
    /// it reports (`jira` gives `tracker:jira`).
    pub fn named(name: &str) -> Self {
        Self { name: name.to_owned(), ..Self::default() }
    }

    /// The next `calls` calls (of any method) fail with `error`, doing nothing.
    pub fn fail_next(&self, calls: usize, error: PortError) {
        let mut failures = lock(&self.failures);
        failures.extend(std::iter::repeat_n(error, calls));
    }

    /// The next create saves the ticket and then answers `error` (a tracker
    /// that answered 500 after committing); other calls are not affected.
    pub fn commit_then_fail_next_create(&self, error: PortError) {
        *lock(&self.commit_then_fail) = Some(error);
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<TrackerCall> {
        lock(&self.calls).clone()
    }

    /// How many calls to `create` were made (failed ones included).
    pub fn creates(&self) -> usize {
        self.calls().iter().filter(|c| matches!(c, TrackerCall::Create(_))).count()
    }

    /// Every ticket the tracker holds, in key order.
    pub fn tickets(&self) -> Vec<Ticket> {
        lock(&self.tickets).values().map(|s| s.ticket.clone()).collect()
    }

    /// The ticket made for `key`, if any.
    pub fn ticket(&self, key: FollowUpKey) -> Option<Ticket> {
        lock(&self.tickets).get(&key).map(|s| s.ticket.clone())
    }

    /// The draft the ticket for `key` was last written from.
    pub fn draft(&self, key: FollowUpKey) -> Option<TicketDraft> {
        lock(&self.tickets).get(&key).map(|s| s.draft.clone())
    }

    /// Moves the ticket for `key` as someone working in the tracker would
    /// (no call recorded), and answers it as it is now.
    pub fn move_ticket(&self, key: FollowUpKey, status: &str, state: TicketState) -> Option<Ticket> {
        let mut tickets = lock(&self.tickets);
        let stored = tickets.get_mut(&key)?;
        stored.ticket.status = status.to_owned();
        stored.ticket.state = state;
        Some(stored.ticket.clone())
    }

    /// Records `call`, and fails it if a failure is scripted.
    fn enter(&self, call: TrackerCall) -> Result<(), PortError> {
        lock(&self.calls).push(call);
        lock(&self.failures).pop_front().map_or(Ok(()), Err)
    }

    fn by_id(&self, ticket: &Ticket) -> Result<(FollowUpKey, Stored), PortError> {
        lock(&self.tickets)
            .iter()
            .find(|(_, s)| s.ticket.id == ticket.id)
            .map(|(k, s)| (*k, s.clone()))
            .ok_or_else(|| PortError::NotFound(format!("no ticket {}", ticket.key)))
    }
}

fn status_of(state: TicketState) -> &'static str {
    match state {
        TicketState::Open => "To Do",
        TicketState::Done => "Done",
    }
}

#[async_trait]
impl TrackerPort for FakeTracker {
    fn name(&self) -> &str {
        &self.name
    }

    async fn find(&self, key: FollowUpKey) -> Result<Option<Ticket>, PortError> {
        self.enter(TrackerCall::Find(key))?;
        Ok(self.ticket(key))
    }

    async fn create(&self, draft: &TicketDraft) -> Result<Ticket, PortError> {
        self.enter(TrackerCall::Create(draft.clone()))?;
        let ticket = {
            let mut tickets = lock(&self.tickets);
            let n = 10_000 + tickets.len() + 1;
            let key = format!("OPS-{}", tickets.len() + 1);
            let ticket = Ticket {
                id: n.to_string(),
                url: format!("https://tracker.example/browse/{key}"),
                key,
                status: status_of(TicketState::Open).into(),
                state: TicketState::Open,
            };
            tickets.insert(draft.key, Stored { ticket: ticket.clone(), draft: draft.clone() });
            ticket
        };
        match lock(&self.commit_then_fail).take() {
            Some(error) => Err(error),
            None => Ok(ticket),
        }
    }

    async fn update(&self, ticket: &Ticket, draft: &TicketDraft) -> Result<(), PortError> {
        self.enter(TrackerCall::Update(ticket.key.clone(), draft.clone()))?;
        let (key, _) = self.by_id(ticket)?;
        if let Some(stored) = lock(&self.tickets).get_mut(&key) {
            stored.draft = draft.clone();
        }
        Ok(())
    }

    async fn read(&self, ticket: &Ticket) -> Result<Ticket, PortError> {
        self.enter(TrackerCall::Read(ticket.key.clone()))?;
        Ok(self.by_id(ticket)?.1.ticket)
    }

    async fn set_state(&self, ticket: &Ticket, state: TicketState) -> Result<Ticket, PortError> {
        self.enter(TrackerCall::SetState(ticket.key.clone(), state))?;
        let (key, stored) = self.by_id(ticket)?;
        if stored.ticket.state == state {
            return Ok(stored.ticket);
        }
        self.move_ticket(key, status_of(state), state)
            .ok_or_else(|| PortError::NotFound(format!("no ticket {}", ticket.key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::contract::tracker::{sample_draft, tracker_contract};

    #[tokio::test]
    async fn the_fake_passes_the_tracker_contract() {
        let tracker = FakeTracker::named("jira");
        let last = tracker_contract(&tracker, &sample_draft(7, 2)).await;
        assert_eq!(last.key, "OPS-1");
        assert_eq!(tracker.creates(), 1);
        let transitions = tracker.calls().iter().filter(|c| matches!(c, TrackerCall::SetState(..))).count();
        assert_eq!(transitions, 3, "{:?}", tracker.calls());
    }

    #[tokio::test]
    async fn a_create_that_commits_then_fails_is_found_by_the_next_find() {
        let tracker = FakeTracker::new();
        let draft = sample_draft(3, 1);
        tracker.commit_then_fail_next_create(PortError::Transient("500".into()));
        assert_eq!(tracker.create(&draft).await, Err(PortError::Transient("500".into())));
        let found = tracker.find(draft.key).await.unwrap().expect("the committed ticket");
        assert_eq!(found.key, "OPS-1");
        assert_eq!(tracker.tickets().len(), 1);
    }

    #[tokio::test]
    async fn scripted_failures_fail_that_many_calls_then_stop() {
        let tracker = FakeTracker::new();
        tracker.fail_next(2, PortError::RateLimited { retry_after: None });
        let key = sample_draft(3, 1).key;
        assert!(tracker.find(key).await.is_err());
        assert!(tracker.find(key).await.is_err());
        assert_eq!(tracker.find(key).await, Ok(None));
        assert_eq!(tracker.calls().len(), 3);
    }

    #[tokio::test]
    async fn a_contract_that_breaks_is_reported() {
        // A tracker whose find never sees what create made must fail the suite.
        struct Forgetful(FakeTracker);
        #[async_trait]
        impl TrackerPort for Forgetful {
            fn name(&self) -> &str {
                "forgetful"
            }
            async fn find(&self, _: FollowUpKey) -> Result<Option<Ticket>, PortError> {
                Ok(None)
            }
            async fn create(&self, d: &TicketDraft) -> Result<Ticket, PortError> {
                self.0.create(d).await
            }
            async fn update(&self, t: &Ticket, d: &TicketDraft) -> Result<(), PortError> {
                self.0.update(t, d).await
            }
            async fn read(&self, t: &Ticket) -> Result<Ticket, PortError> {
                self.0.read(t).await
            }
            async fn set_state(&self, t: &Ticket, s: TicketState) -> Result<Ticket, PortError> {
                self.0.set_state(t, s).await
            }
        }
        let run = tokio::spawn(async {
            let port = Forgetful(FakeTracker::new());
            tracker_contract(&port, &sample_draft(1, 1)).await;
        });
        assert!(run.await.is_err(), "the suite must panic");
    }
}
