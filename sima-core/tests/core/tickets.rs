//! Action items exported to a tracker: the export (once, even when the
//! tracker fails after saving), export on command, changes made in the
//! tracker coming back (and never written back), changes made in SIMA going
//! out, the read-back that catches missed webhooks, and the ticket links
//! people see.

use std::sync::Arc;
use std::time::Duration;

use sima_core::chat::{Inbound, InboundHandler, Reply};
use sima_core::domain::*;
use sima_core::model::{ActionId, Block, Inline, Message};
use sima_core::ports::{Incidents, PortError, TicketChange};
use sima_core::testkit::{FakeTracker, ManualClock, TrackerCall};
use sima_core::{ReconcileReport, TrackerExport};

use crate::helpers::{alice, World};

const MINUTE: Duration = Duration::from_secs(60);

struct Tracked {
    world: World,
    clock: Arc<ManualClock>,
    tracker: Arc<FakeTracker>,
    incident: Incident,
    room: RoomId,
}

impl Tracked {
    /// An open incident (room up) on an engine exporting to a fake Jira.
    async fn new(export: TrackerExport) -> Self {
        let tracker = Arc::new(FakeTracker::named("jira"));
        let port = tracker.clone();
        let (world, clock) = World::manual_with(|builder| builder.tracker(port).tracker_export(export));
        let incident = world.declare(Severity::Sev2).await;
        world.worker.run_until_idle().await.unwrap();
        let incident = world.reload(&incident).await;
        let room = incident.room().unwrap().id.clone();
        Self { world, clock, tracker, incident, room }
    }

    async fn typed(&self, text: &str) -> Reply {
        let handler: Arc<dyn InboundHandler> = self.world.inbound.clone();
        let typed = Inbound::Command { room: self.room.clone(), user: alice(), text: text.into(), trigger: None };
        handler.handle(typed, None).await
    }

    async fn add(&self, text: &str) {
        let item =
            NewActionItem { text: Text::parse(text).unwrap(), owner: Some(UserRef::parse("UBOB").unwrap()), due: None };
        self.world
            .service
            .execute(self.incident.id(), Actor::User(alice()), Command::AddActionItem(item))
            .await
            .unwrap();
    }

    async fn run(&self) {
        self.world.worker.run_until_idle().await.unwrap();
    }

    async fn now(&self) -> Incident {
        self.world.reload(&self.incident).await
    }

    fn key(&self, item: u32) -> FollowUpKey {
        FollowUpKey::new(self.incident.number(), item)
    }

    /// The tracker's calls that write (create, update, set_state).
    fn writes(&self) -> Vec<TrackerCall> {
        let calls = self.tracker.calls().into_iter();
        calls.filter(|c| !matches!(c, TrackerCall::Find(_) | TrackerCall::Read(_))).collect()
    }

    /// Someone moves the ticket in the tracker, and its webhook reports it.
    async fn moved_in_tracker(&self, item: u32, status: &str, state: TicketState) -> Option<IncidentNumber> {
        let ticket = self.tracker.move_ticket(self.key(item), status, state).unwrap();
        let change = TicketChange { ticket, key: Some(self.key(item)) };
        self.world.service.ticket_changed(change, "jira").await.unwrap()
    }
}

fn private(reply: Reply) -> Message {
    match reply {
        Reply::Private(message) => message,
        other => panic!("expected a private answer, got {other:?}"),
    }
}

/// The buttons of `id` in `message`, by value.
fn buttons(message: &Message, id: ActionId) -> Vec<String> {
    let actions = message.blocks.iter().flat_map(|b| match b {
        Block::Actions { actions } => actions.clone(),
        _ => vec![],
    });
    actions.filter(|a| a.id == id).filter_map(|a| a.value).collect()
}

/// Every link in `message`, as (url, text).
fn links(message: &Message) -> Vec<(String, String)> {
    let texts = message.blocks.iter().flat_map(|b| match b {
        Block::Text { text } => vec![text.clone()],
        Block::Bullets { items } => items.clone(),
        _ => vec![],
    });
    texts
        .flat_map(|t| t.inlines().to_vec())
        .filter_map(|i| match i {
            Inline::Link { url, text } => Some((url, text)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn an_added_item_is_exported_once_even_when_the_create_saves_then_fails() {
    let t = Tracked::new(TrackerExport::All).await;
    t.tracker.commit_then_fail_next_create(PortError::Transient("HTTP 500".into()));
    t.add("Add a retry budget to the mail relay").await;
    t.run().await;
    assert_eq!(t.tracker.tickets().len(), 1, "the tracker saved the ticket");
    assert!(t.now().await.action_item(1).unwrap().ticket.is_none(), "its answer was an error: nothing recorded");

    t.clock.advance(10 * MINUTE);
    t.run().await;
    assert_eq!(t.tracker.creates(), 1, "the retry found the ticket instead of making another");
    assert_eq!(t.tracker.tickets().len(), 1);
    let incident = t.now().await;
    let ticket = incident.action_item(1).unwrap().ticket.clone().expect("linked");
    assert_eq!((ticket.key.as_str(), ticket.state), ("OPS-1", TicketState::Open));

    let draft = t.tracker.draft(t.key(1)).unwrap();
    assert_eq!(draft.title, "Add a retry budget to the mail relay");
    assert_eq!(draft.incident_summary, "Emails are late!");
    assert_eq!(draft.incident_url.as_deref(), Some(incident.room().unwrap().url.as_str()));
    assert_eq!(draft.owner_name.as_deref(), Some("UBOB"));
    assert_eq!(draft.owner_email, None, "the fake chat shows no emails: unassigned");
    let linked = t.world.store.events(incident.id()).await.unwrap();
    assert_eq!(linked.iter().filter(|e| matches!(e.kind, EventKind::TicketLinked { .. })).count(), 1);
}

#[tokio::test]
async fn on_command_items_are_exported_only_when_asked() {
    let t = Tracked::new(TrackerExport::OnCommand).await;
    t.add("alert on queue depth").await;
    t.add("write the runbook").await;
    t.run().await;
    assert!(t.tracker.calls().is_empty(), "nothing is exported unasked: {:?}", t.tracker.calls());

    let list = private(t.typed("actions").await);
    let id = t.incident.id();
    assert_eq!(buttons(&list, ActionId::ExportActionItem), vec![format!("{id} 1"), format!("{id} 2")]);

    let answer = private(t.typed("export 2").await);
    assert!(answer.text.to_string().contains("Done."), "{}", answer.text);
    t.run().await;
    assert_eq!(t.tracker.tickets().len(), 1);
    assert!(t.tracker.ticket(t.key(2)).is_some(), "item 2 is the one exported");
    assert!(t.tracker.ticket(t.key(1)).is_none());

    let list = private(t.typed("actions").await);
    assert_eq!(buttons(&list, ActionId::ExportActionItem), vec![format!("{id} 1")], "item 2 is in the tracker");
    assert_eq!(links(&list), vec![("https://tracker.example/browse/OPS-1".to_owned(), "OPS-1".to_owned())]);
    let said =
        list.blocks.iter().any(|b| matches!(b, Block::Text { text } if text.to_string().contains("OPS-1 (To Do)")));
    assert!(said, "{list:?}");

    let refused = private(t.typed("export 9").await);
    assert!(refused.text.to_string().contains("no action item 9"), "{}", refused.text);
    let pressed = Inbound::ButtonPressed {
        action: ActionId::ExportActionItem,
        value: Some(format!("{id} 1")),
        room: Some(t.room.clone()),
        user: alice(),
        trigger: None,
    };
    t.world.inbound.handle(pressed, None).await;
    t.run().await;
    assert!(t.tracker.ticket(t.key(1)).is_some(), "the Export button exports item 1");
    assert_eq!(t.tracker.creates(), 2);
}

#[tokio::test]
async fn a_done_reported_by_the_tracker_marks_the_item_done_once_and_writes_nothing_back() {
    let t = Tracked::new(TrackerExport::All).await;
    t.add("alert on queue depth").await;
    t.run().await;
    let writes = t.writes();

    let found = t.moved_in_tracker(1, "Done", TicketState::Done).await;
    assert_eq!(found, Some(t.incident.number()));
    let incident = t.now().await;
    assert!(!incident.action_item(1).unwrap().is_open(), "done in the tracker, done in SIMA");
    let events = t.world.store.events(incident.id()).await.unwrap();
    let done = events.iter().find(|e| matches!(e.kind, EventKind::ActionItemDone { number: 1 })).unwrap();
    assert_eq!(done.actor.to_string(), "tracker:jira");
    assert!(events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::TicketUpdated { ticket, .. } if ticket.status == "Done")));

    let version = incident.version();
    let again = t.tracker.ticket(t.key(1)).unwrap();
    let found = t.world.service.ticket_changed(TicketChange { ticket: again, key: Some(t.key(1)) }, "jira").await;
    assert_eq!(found, Ok(Some(t.incident.number())));
    assert_eq!(t.now().await.version(), version, "the same webhook twice records once");

    t.run().await;
    assert_eq!(t.writes(), writes, "a change the tracker made is not written back to it");

    // Reopened in the tracker: reopened in SIMA, and still nothing written back.
    t.moved_in_tracker(1, "In Progress", TicketState::Open).await;
    let incident = t.now().await;
    assert!(incident.action_item(1).unwrap().is_open());
    let events = t.world.store.events(incident.id()).await.unwrap();
    let reopened = events.iter().find(|e| matches!(e.kind, EventKind::ActionItemReopened { number: 1 })).unwrap();
    assert_eq!(reopened.actor, Actor::Tracker("jira".into()));
    t.run().await;
    assert_eq!(t.writes(), writes);

    // A status renamed without a move is recorded, and only that.
    t.moved_in_tracker(1, "In Review", TicketState::Open).await;
    let incident = t.now().await;
    assert!(incident.action_item(1).unwrap().is_open());
    assert_eq!(incident.action_item(1).unwrap().ticket.as_ref().unwrap().status, "In Review");
}

#[tokio::test]
async fn unknown_tickets_and_foreign_keys_are_ignored() {
    let t = Tracked::new(TrackerExport::All).await;
    t.add("alert on queue depth").await;
    t.run().await;
    let stranger = Ticket {
        id: "99999".into(),
        key: "OPS-99".into(),
        url: "https://tracker.example/browse/OPS-99".into(),
        status: "Done".into(),
        state: TicketState::Done,
    };
    let service = &t.world.service;
    assert_eq!(service.ticket_changed(TicketChange { ticket: stranger.clone(), key: None }, "jira").await, Ok(None));
    // A key naming item 1, on a ticket that is not item 1's: not taken for it.
    let claimed = TicketChange { ticket: stranger, key: Some(t.key(1)) };
    assert_eq!(service.ticket_changed(claimed, "jira").await, Ok(None));
    assert!(t.now().await.action_item(1).unwrap().is_open());
    // Found by its id when the key is missing.
    let ticket = t.tracker.move_ticket(t.key(1), "Done", TicketState::Done).unwrap();
    let found = service.ticket_changed(TicketChange { ticket, key: None }, "jira").await;
    assert_eq!(found, Ok(Some(t.incident.number())));
    assert!(!t.now().await.action_item(1).unwrap().is_open());
}

#[tokio::test]
async fn done_and_reopened_in_sima_move_the_ticket() {
    let t = Tracked::new(TrackerExport::All).await;
    t.add("alert on queue depth").await;
    t.run().await;
    t.typed("done 1").await;
    t.run().await;
    assert_eq!(t.tracker.ticket(t.key(1)).unwrap().state, TicketState::Done, "closed in the tracker");
    assert!(t.writes().contains(&TrackerCall::SetState("OPS-1".into(), TicketState::Done)));
    let recorded = t.now().await.action_item(1).unwrap().ticket.clone().unwrap();
    assert_eq!((recorded.status.as_str(), recorded.state), ("Done", TicketState::Done), "the new status is recorded");

    t.world.service.execute(t.incident.id(), Actor::User(alice()), Command::ReopenActionItem(1)).await.unwrap();
    t.run().await;
    assert_eq!(t.tracker.ticket(t.key(1)).unwrap().state, TicketState::Open, "reopened in the tracker");

    // The ticket's own webhook about SIMA's change brings nothing new.
    let version = t.now().await.version();
    let ticket = t.tracker.ticket(t.key(1)).unwrap();
    t.world.service.ticket_changed(TicketChange { ticket, key: Some(t.key(1)) }, "jira").await.unwrap();
    assert_eq!(t.now().await.version(), version);
}

#[tokio::test]
async fn an_item_done_before_its_export_ran_gets_a_closed_ticket() {
    let t = Tracked::new(TrackerExport::All).await;
    t.add("alert on queue depth").await;
    t.world.service.execute(t.incident.id(), Actor::User(alice()), Command::CompleteActionItem(1)).await.unwrap();
    t.run().await;
    assert_eq!(t.tracker.creates(), 1);
    assert_eq!(t.tracker.ticket(t.key(1)).unwrap().state, TicketState::Done, "the linked ticket was closed");
}

#[tokio::test]
async fn reconciliation_picks_up_a_change_whose_webhook_was_lost() {
    let t = Tracked::new(TrackerExport::All).await;
    t.add("alert on queue depth").await;
    t.add("write the runbook").await;
    t.run().await;
    t.tracker.move_ticket(t.key(2), "Done", TicketState::Done).unwrap();

    let report = t.world.service.reconcile_tickets(100).await.unwrap();
    assert_eq!(report, ReconcileReport { checked: 2, changed: 1, failed: 0 });
    let incident = t.now().await;
    assert!(incident.action_item(1).unwrap().is_open());
    assert!(!incident.action_item(2).unwrap().is_open(), "the missed change is recorded");
    let events = t.world.store.events(incident.id()).await.unwrap();
    let done = events.iter().find(|e| matches!(e.kind, EventKind::ActionItemDone { number: 2 })).unwrap();
    assert_eq!(done.actor, Actor::Tracker("jira".into()));

    let report = t.world.service.reconcile_tickets(100).await.unwrap();
    assert_eq!(report, ReconcileReport { checked: 2, changed: 0, failed: 0 }, "nothing new the second time");

    t.tracker.fail_next(1, PortError::NotFound("deleted".into()));
    let report = t.world.service.reconcile_tickets(100).await.unwrap();
    assert_eq!(report, ReconcileReport { checked: 2, changed: 0, failed: 1 }, "one failure, the rest go on");
    assert_eq!(t.world.service.reconcile_tickets(1).await.unwrap().checked, 1, "at most `limit`");
}

#[tokio::test]
async fn without_a_tracker_nothing_is_exported_and_export_is_refused() {
    let (world, _clock) = World::manual();
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let room = world.reload(&incident).await.room().unwrap().id.clone();
    let typed = |text: &str| Inbound::Command { room: room.clone(), user: alice(), text: text.into(), trigger: None };
    world.inbound.handle(typed("action alert on queue depth"), None).await;
    world.inbound.handle(typed("done 1"), None).await;
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(world.unfinished_effects().await, 0);
    let refused = private(world.inbound.handle(typed("export 1"), None).await);
    assert!(refused.text.to_string().contains("no tracker is configured"), "{}", refused.text);
    let events = world.store.events(incident.id()).await.unwrap();
    let ticket_events = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::ActionItemExportRequested { .. } | EventKind::TicketLinked { .. }));
    assert_eq!(ticket_events.count(), 0);
    let list = private(world.inbound.handle(typed("actions"), None).await);
    assert!(buttons(&list, ActionId::ExportActionItem).is_empty());
    let report = world.service.reconcile_tickets(10).await.unwrap();
    assert_eq!(report, ReconcileReport::default());
}

#[tokio::test]
async fn the_postmortem_and_the_closing_summary_link_each_ticket() {
    let t = Tracked::new(TrackerExport::All).await;
    t.add("alert on queue depth").await;
    t.run().await;
    t.world
        .service
        .execute(t.incident.id(), Actor::User(alice()), Command::ChangeStatus { to: Status::Resolved, message: None })
        .await
        .unwrap();
    t.run().await;
    let documents = t.world.docs.documents();
    let document = format!("{:?}", documents.values().next().expect("a post-mortem"));
    assert!(document.contains("https://tracker.example/browse/OPS-1"), "{document}");
    assert!(document.contains("OPS-1") && document.contains("(To Do)"), "{document}");

    // A status change in the tracker rewrites the post-mortem with it.
    t.moved_in_tracker(1, "Done", TicketState::Done).await;
    t.run().await;
    let incident = t.now().await;
    let summary = sima_core::testkit::messages::closing_summary(&incident);
    assert!(links(&summary).is_empty(), "a done item is not listed as open");
    assert!(!t.world.docs.updates().is_empty(), "the post-mortem was rewritten after the ticket moved");
    let document = format!("{:?}", t.world.docs.documents().values().next().unwrap());
    assert!(document.contains("(Done)"), "{document}");
}

#[tokio::test]
async fn an_old_done_delivered_again_after_a_reopen_does_not_close_the_item() {
    let t = Tracked::new(TrackerExport::All).await;
    t.add("alert on queue depth").await;
    t.run().await;
    let done = t.tracker.move_ticket(t.key(1), "Done", TicketState::Done).unwrap();
    let service = &t.world.service;
    service.ticket_changed(TicketChange { ticket: done.clone(), key: Some(t.key(1)) }, "jira").await.unwrap();
    assert!(!t.now().await.action_item(1).unwrap().is_open());
    t.moved_in_tracker(1, "In Progress", TicketState::Open).await;
    assert!(t.now().await.action_item(1).unwrap().is_open());

    // The first delivery, replayed (or late): the ticket is open now, and so is the item.
    let version = t.now().await.version();
    let found = service.ticket_changed(TicketChange { ticket: done, key: Some(t.key(1)) }, "jira").await;
    assert_eq!(found, Ok(Some(t.incident.number())));
    let item = t.now().await.action_item(1).unwrap().clone();
    assert!(item.is_open(), "a stale delivery does not close the item");
    assert_eq!(item.ticket.unwrap().status, "In Progress");
    assert_eq!(t.now().await.version(), version, "nothing recorded");
}

#[tokio::test]
async fn a_delivery_for_an_item_not_yet_exported_is_ignored() {
    let t = Tracked::new(TrackerExport::OnCommand).await;
    t.add("alert on queue depth").await;
    t.run().await;
    // Someone puts `sima-inc-<n>-1` on an issue of their own and closes it.
    let forged = Ticket {
        id: "77777".into(),
        key: "OPS-77".into(),
        url: "https://tracker.example/browse/OPS-77".into(),
        status: "Done".into(),
        state: TicketState::Done,
    };
    let found = t.world.service.ticket_changed(TicketChange { ticket: forged, key: Some(t.key(1)) }, "jira").await;
    assert_eq!(found, Ok(None));
    let item = t.now().await.action_item(1).unwrap().clone();
    assert!(item.is_open(), "not closed by an issue SIMA did not make");
    assert_eq!(item.ticket, None, "and not linked to it");
}

#[tokio::test]
async fn a_delivery_the_tracker_cannot_confirm_changes_nothing() {
    let t = Tracked::new(TrackerExport::All).await;
    t.add("alert on queue depth").await;
    t.run().await;
    let done = t.tracker.move_ticket(t.key(1), "Done", TicketState::Done).unwrap();
    t.tracker.move_ticket(t.key(1), "To Do", TicketState::Open).unwrap();
    let service = &t.world.service;
    let change = || TicketChange { ticket: done.clone(), key: Some(t.key(1)) };
    // Deleted meanwhile: nothing to record.
    t.tracker.fail_next(1, PortError::NotFound("Issue does not exist".into()));
    assert_eq!(service.ticket_changed(change(), "jira").await, Ok(None));
    // Down: an error, so that the tracker delivers it again.
    t.tracker.fail_next(1, PortError::Transient("HTTP 503".into()));
    assert!(service.ticket_changed(change(), "jira").await.is_err());
    assert!(t.now().await.action_item(1).unwrap().is_open(), "what the delivery said was not taken on trust");
}

#[tokio::test]
async fn a_pass_stops_at_the_first_sign_the_tracker_is_down_and_a_deleted_ticket_is_counted() {
    let t = Tracked::new(TrackerExport::All).await;
    for text in ["one", "two", "three"] {
        t.add(text).await;
    }
    t.run().await;
    let reads = || t.tracker.calls().iter().filter(|c| matches!(c, TrackerCall::Read(_))).count();

    // Down: one read fails, the others wait for the next pass instead of each waiting out their timeouts.
    t.tracker.fail_next(1, PortError::Transient("connection refused".into()));
    let before = reads();
    let report = t.world.service.reconcile_tickets(100).await.unwrap();
    assert_eq!(report, ReconcileReport { checked: 1, changed: 0, failed: 1 });
    assert_eq!(reads() - before, 1, "one read while the tracker is down");
    t.tracker.fail_next(1, PortError::RateLimited { retry_after: Some(Duration::from_secs(30)) });
    assert_eq!(t.world.service.reconcile_tickets(100).await.unwrap().checked, 1, "throttled: stop too");

    // A ticket deleted in the tracker: counted, the others read.
    t.tracker.fail_next(1, PortError::NotFound("Issue does not exist".into()));
    let report = t.world.service.reconcile_tickets(100).await.unwrap();
    assert_eq!(report, ReconcileReport { checked: 3, changed: 0, failed: 1 });
}

/// The keys of the tickets `t`'s tracker was asked to read back so far.
fn read_keys(t: &Tracked) -> Vec<String> {
    let calls = t.tracker.calls().into_iter();
    calls.filter_map(|c| if let TrackerCall::Read(key) = c { Some(key) } else { None }).collect()
}

/// One read-back pass of at most two tickets: the keys it read.
async fn pass_of_two(t: &Tracked) -> Vec<String> {
    let before = read_keys(t).len();
    let report = t.world.service.reconcile_tickets(2).await.unwrap();
    let read = read_keys(t)[before..].to_vec();
    assert_eq!(report.checked, read.len());
    read
}

#[tokio::test]
async fn passes_take_turns_over_more_tickets_than_one_pass_reads() {
    let t = Tracked::new(TrackerExport::All).await;
    for text in ["one", "two", "three"] {
        t.add(text).await;
    }
    t.run().await;
    let key = |item: u32| t.tracker.ticket(t.key(item)).unwrap().key;

    assert_eq!(pass_of_two(&t).await, [key(1), key(2)], "the first pass: the first two");
    t.tracker.move_ticket(t.key(3), "Done", TicketState::Done).unwrap();
    assert_eq!(pass_of_two(&t).await, [key(3)], "the second pass: the one the first left");
    assert!(!t.now().await.action_item(3).unwrap().is_open(), "its missed change is recorded");
    assert_eq!(pass_of_two(&t).await, [key(1), key(2)], "a short pass wraps the next to the start");

    // Down: the pass stops, and the next one starts at the same ticket.
    t.tracker.fail_next(1, PortError::Transient("connection refused".into()));
    assert_eq!(pass_of_two(&t).await, [key(3)]);
    assert_eq!(pass_of_two(&t).await, [key(3)], "read again after the tracker came back");
    assert_eq!(pass_of_two(&t).await, [key(1), key(2)]);
}
