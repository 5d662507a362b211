//! Store checks for action items exported to a tracker: finding the item a
//! ticket belongs to, and listing the tickets worth reading back. Re-exported
//! from [`contract`](super) and run by
//! [`store_contract_tests!`](crate::store_contract_tests) like every check.

use crate::domain::{Command, IncidentId, NewActionItem, Outcome, Severity, Text, Ticket, TicketState};
use crate::ports::IncidentStore;

use super::{at_ms, create_new, declaration, must_act, new_incident};

fn ticket(id: &str, key: &str, state: TicketState) -> Ticket {
    let status = if state == TicketState::Done { "Done" } else { "In Progress" };
    Ticket {
        id: id.to_owned(),
        key: key.to_owned(),
        url: format!("https://acme.atlassian.net/browse/{key}"),
        status: status.to_owned(),
        state,
    }
}

fn add(text: &str) -> Command {
    Command::AddActionItem(NewActionItem::from(Text::parse(text).unwrap_or_else(|e| panic!("{e}"))))
}

fn link(number: u32, ticket: &Ticket) -> Command {
    Command::Record(Outcome::TicketLinked { number, ticket: ticket.clone() })
}

/// `find_by_ticket` answers the incident and item number holding a ticket's
/// id, with the ticket as last recorded; `None` for an id no item holds.
pub async fn tickets_are_found_by_their_id(store: &dyn IncidentStore) {
    let a = create_new(store, new_incident(&declaration("payments", Severity::Sev2, None), at_ms(0))).await;
    let b = create_new(store, new_incident(&declaration("search", Severity::Sev3, None), at_ms(1))).await;
    let ops2 = ticket("10002", "OPS-2", TicketState::Open);
    let ops7 = ticket("10007", "OPS-7", TicketState::Open);
    for (command, ms) in [(add("alert on queue depth"), 10), (add("write the runbook"), 11), (link(2, &ops2), 12)] {
        must_act(store, a.id(), command, at_ms(ms)).await;
    }
    for (command, ms) in [(add("rotate the keys"), 20), (link(1, &ops7), 21)] {
        must_act(store, b.id(), command, at_ms(ms)).await;
    }

    let found = store.find_by_ticket("10002").await.unwrap_or_else(|e| panic!("find_by_ticket: {e}"));
    let (incident, number) = found.unwrap_or_else(|| panic!("the ticket 10002 is on {} item 2", a.number()));
    assert_eq!((incident.id(), number), (a.id(), 2), "the incident and item holding ticket 10002");
    assert_eq!(incident.action_item(2).and_then(|i| i.ticket.clone()), Some(ops2.clone()));
    let found = store.find_by_ticket("10007").await.unwrap_or_else(|e| panic!("find_by_ticket: {e}"));
    assert_eq!(found.map(|(i, n)| (i.id(), n)), Some((b.id(), 1)), "the incident and item holding ticket 10007");
    for unknown in ["10003", "OPS-2", ""] {
        let found = store.find_by_ticket(unknown).await.unwrap_or_else(|e| panic!("find_by_ticket: {e}"));
        assert!(found.is_none(), "no item holds ticket {unknown:?}");
    }

    let done = Ticket { status: "Done".into(), state: TicketState::Done, ..ops2 };
    let updated = Command::Record(Outcome::TicketUpdated { number: 2, ticket: done.clone() });
    must_act(store, a.id(), updated, at_ms(30)).await;
    let found = store.find_by_ticket("10002").await.unwrap_or_else(|e| panic!("find_by_ticket: {e}"));
    let ticket = found.and_then(|(i, n)| i.action_item(n).and_then(|item| item.ticket.clone()));
    assert_eq!(ticket, Some(done), "the ticket as last recorded");
}

/// `linked_tickets` lists the linked items that are open or were done at or
/// after `done_since` (with their tickets as recorded), never an item
/// without a ticket, and at most `limit` of them, in order of incident id
/// then item number from after the cursor, so that pages cover them all.
pub async fn linked_tickets_are_open_or_recently_done(store: &dyn IncidentStore) {
    let a = create_new(store, new_incident(&declaration("payments", Severity::Sev2, None), at_ms(0))).await;
    let b = create_new(store, new_incident(&declaration("search", Severity::Sev3, None), at_ms(1))).await;
    let minute = 60_000;
    let open = ticket("1", "OPS-1", TicketState::Open);
    let recent = ticket("2", "OPS-2", TicketState::Done);
    let old = ticket("4", "OPS-4", TicketState::Done);
    let other = ticket("5", "ENG-5", TicketState::Open);
    let steps = [
        (a.id(), add("open and linked"), 1),
        (a.id(), add("done recently"), 2),
        (a.id(), add("never exported"), 3),
        (a.id(), add("done long ago"), 4),
        (a.id(), link(1, &open), 5),
        (a.id(), link(2, &recent), 6),
        (a.id(), link(4, &old), 7),
        (a.id(), Command::CompleteActionItem(4), 8),
        (a.id(), Command::CompleteActionItem(3), 9),
        (a.id(), Command::CompleteActionItem(2), 60),
        (b.id(), add("on another incident"), 61),
        (b.id(), link(1, &other), 62),
    ];
    for (id, command, minutes) in steps {
        must_act(store, id, command, at_ms(minutes * minute)).await;
    }

    let since = at_ms(30 * minute);
    let linked = store.linked_tickets(since, None, 100).await.unwrap_or_else(|e| panic!("linked_tickets: {e}"));
    let mut expected: Vec<(IncidentId, u32, Ticket)> = vec![(a.id(), 1, open), (a.id(), 2, recent), (b.id(), 1, other)];
    expected.sort_by_key(|(id, number, _)| (*id, *number));
    assert_eq!(
        linked, expected,
        "open linked items and those done since {since} by incident id and number, not older ones nor unlinked ones"
    );

    let at_the_edge = store.linked_tickets(at_ms(60 * minute), None, 100).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(at_the_edge.len(), 3, "an item done exactly at `done_since` is listed: {at_the_edge:?}");
    assert!(store.linked_tickets(since, None, 0).await.unwrap_or_else(|e| panic!("{e}")).is_empty(), "limit 0");

    let first = store.linked_tickets(since, None, 2).await.unwrap_or_else(|e| panic!("linked_tickets: {e}"));
    assert_eq!(first, expected[..2], "the first page: the first `limit` items");
    let cursor = first.last().map(|(id, number, _)| (*id, *number));
    let second = store.linked_tickets(since, cursor, 2).await.unwrap_or_else(|e| panic!("linked_tickets: {e}"));
    assert_eq!(second, expected[2..], "the second page: the items after the first page's last");
    let cursor = second.last().map(|(id, number, _)| (*id, *number));
    let after_all = store.linked_tickets(since, cursor, 2).await.unwrap_or_else(|e| panic!("linked_tickets: {e}"));
    assert!(after_all.is_empty(), "nothing after the last item: {after_all:?}");
    let unlisted = (a.id(), 3);
    let after_unlisted = store.linked_tickets(since, Some(unlisted), 100).await.unwrap_or_else(|e| panic!("{e}"));
    let later: Vec<_> = expected.iter().filter(|(id, n, _)| (*id, *n) > unlisted).cloned().collect();
    assert_eq!(after_unlisted, later, "a cursor on an item not listed still pages from after it");

    must_act(store, a.id(), Command::ReopenActionItem(4), at_ms(70 * minute)).await;
    let linked = store.linked_tickets(since, None, 100).await.unwrap_or_else(|e| panic!("linked_tickets: {e}"));
    assert!(linked.iter().any(|(id, n, t)| (*id, *n, t.key.as_str()) == (a.id(), 4, "OPS-4")), "reopened: {linked:?}");
    assert_eq!(linked.len(), 4, "{linked:?}");
}
