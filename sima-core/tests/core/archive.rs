//! Room archiving on a manual clock: after the delay, not when reopened,
//! the card refreshed and the summary posted first, nothing posted after.

use std::time::Duration;

use sima_core::domain::*;
use sima_core::ports::{Incidents, PortError};
use sima_core::testkit::{ChatCall, ManualClock};
use sima_core::Schedule;

use crate::helpers::{alice, World};

const DAY: Duration = Duration::from_secs(24 * 3600);

fn archive_only() -> Schedule {
    Schedule { archive_after: Some(7 * DAY), ..Schedule::off() }
}

async fn opened(world: &World) -> Incident {
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    world.reload(&incident).await
}

async fn set_status(world: &World, incident: &Incident, to: Status) {
    let change = Command::ChangeStatus { to, message: None };
    world.service.execute(incident.id(), Actor::User(alice()), change).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
}

async fn tick(world: &World, clock: &ManualClock, by: Duration) {
    clock.advance(by);
    world.worker.run_until_idle().await.unwrap();
}

fn archives(world: &World) -> usize {
    world.chat.calls().iter().filter(|c| matches!(c, ChatCall::Archive(_))).count()
}

#[tokio::test]
async fn the_room_is_archived_after_the_delay_once_the_card_is_refreshed_and_the_summary_posted() {
    let (world, clock) = World::scheduled(archive_only());
    let incident = opened(&world).await;
    let item = Command::AddActionItem(Text::parse("alert on queue depth").unwrap().into());
    world.service.execute(incident.id(), Actor::User(alice()), item).await.unwrap();
    set_status(&world, &incident, Status::Resolved).await;

    tick(&world, &clock, 7 * DAY - Duration::from_secs(1)).await;
    assert_eq!(archives(&world), 0, "not before the delay");

    let before = world.chat.calls().len();
    tick(&world, &clock, Duration::from_secs(1)).await;
    let incident = world.reload(&incident).await;
    let room = incident.room().cloned().unwrap();
    let card = incident.card().cloned().unwrap();
    let last: Vec<ChatCall> = world.chat.calls().split_off(before);
    assert_eq!(last.len(), 3, "{last:#?}");
    assert!(matches!(&last[0], ChatCall::Update(m, _) if *m == card), "the card is refreshed first: {last:#?}");
    let ChatCall::Post(r, summary) = &last[1] else { panic!("then the summary: {last:#?}") };
    assert_eq!(*r, room.id);
    let shown = format!("{:?}", summary.blocks);
    assert!(shown.contains("https://docs.example/INC-1"), "the post-mortem link: {shown}");
    assert!(shown.contains("alert on queue depth"), "open action items: {shown}");
    assert!(shown.contains("Time to recover"), "durations: {shown}");
    assert_eq!(last[2], ChatCall::Archive(room.id.clone()));
    assert_eq!(incident.room_state(), RoomState::Archived);

    tick(&world, &clock, 30 * DAY).await;
    assert_eq!(archives(&world), 1, "archived once");
}

#[tokio::test]
async fn a_room_reopened_within_the_window_is_not_archived() {
    let (world, clock) = World::scheduled(archive_only());
    let incident = opened(&world).await;
    set_status(&world, &incident, Status::Resolved).await;
    tick(&world, &clock, 3 * DAY).await;
    set_status(&world, &incident, Status::Investigating).await;
    tick(&world, &clock, 10 * DAY).await;
    assert_eq!(archives(&world), 0, "reopened: not archived");

    set_status(&world, &incident, Status::Resolved).await;
    tick(&world, &clock, 7 * DAY).await;
    assert_eq!(archives(&world), 1, "resolved again: a fresh window");
}

#[tokio::test]
async fn nothing_is_posted_in_an_archived_room_later_updates_go_to_the_broadcast_thread() {
    let (world, clock) = World::scheduled(archive_only());
    let incident = opened(&world).await;
    set_status(&world, &incident, Status::Resolved).await;
    tick(&world, &clock, 7 * DAY).await;
    assert_eq!(archives(&world), 1);
    let room = world.reload(&incident).await.room().unwrap().id.clone();

    let before = world.chat.calls().len();
    set_status(&world, &incident, Status::Investigating).await;
    let note = Command::AddNote(Text::parse("it is back").unwrap());
    world.service.execute(incident.id(), Actor::User(alice()), note).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    let after: Vec<ChatCall> = world.chat.calls().split_off(before);
    let in_room = after.iter().any(|c| match c {
        ChatCall::Post(r, _) | ChatCall::Invite(r, _) | ChatCall::Ephemeral(r, _, _) => *r == room,
        ChatCall::Update(m, _) | ChatCall::Pin(m) | ChatCall::Reply(m, _) => m.room == room,
        _ => false,
    });
    assert!(!in_room, "nothing reaches the archived room: {after:#?}");
    assert!(after.iter().any(|c| matches!(c, ChatCall::Reply(m, _) if m.room.as_str() == "CBROADCAST")), "{after:#?}");
}

#[tokio::test]
async fn platforms_that_cannot_archive_are_skipped_without_a_failure() {
    let (world, clock) = World::scheduled(archive_only());
    let incident = opened(&world).await;
    set_status(&world, &incident, Status::Resolved).await;
    world.chat.fail_next("archive", PortError::Unsupported("archiving".into()));
    tick(&world, &clock, 7 * DAY).await;
    let events = world.store.events(incident.id()).await.unwrap();
    assert!(events.iter().any(|e| e.kind == EventKind::ClosingSummaryPosted));
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::RoomArchived | EventKind::EffectFailed { .. })));
    assert_eq!(world.reload(&incident).await.room_state(), RoomState::Closing);
}
