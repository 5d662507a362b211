//! Update reminders on a manual clock: when they fire, when they do not,
//! and that each interval gets exactly one, whatever the number of workers.

use std::time::Duration;

use sima_core::domain::*;
use sima_core::model::{ActionId, Inline, Message};
use sima_core::ports::Incidents;
use sima_core::testkit::{ChatCall, ManualClock};
use sima_core::Schedule;

use crate::helpers::{alice, buttons, World};

const MINUTE: Duration = Duration::from_secs(60);

fn reminders_only(after: Duration) -> Schedule {
    Schedule { update_after: Some(after), ..Schedule::off() }
}

/// The reminders posted in `room` so far.
fn reminders(world: &World, room: &RoomId) -> Vec<Message> {
    world
        .chat
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            ChatCall::Post(r, m) if &r == room && m.text.to_string().contains("no update") => Some(m),
            _ => None,
        })
        .collect()
}

fn mentions(message: &Message) -> Vec<UserRef> {
    message
        .text
        .inlines()
        .iter()
        .filter_map(|i| if let Inline::Mention(u) = i { Some(u.clone()) } else { None })
        .collect()
}

/// An incident whose room is up, at 10:00 on `clock`.
async fn opened(world: &World) -> (Incident, RoomId) {
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let incident = world.reload(&incident).await;
    let room = incident.room().cloned().expect("room created").id;
    (incident, room)
}

async fn tick(world: &World, clock: &ManualClock, by: Duration) {
    clock.advance(by);
    world.worker.run_until_idle().await.unwrap();
}

#[tokio::test]
async fn a_reminder_comes_at_the_threshold_not_before_and_mentions_the_reporter() {
    let (world, clock) = World::scheduled(reminders_only(30 * MINUTE));
    let (incident, room) = opened(&world).await;

    tick(&world, &clock, 30 * MINUTE - Duration::from_secs(1)).await;
    assert!(reminders(&world, &room).is_empty(), "nothing before the threshold");

    tick(&world, &clock, Duration::from_secs(1)).await;
    let sent = reminders(&world, &room);
    assert_eq!(sent.len(), 1, "one reminder at the threshold");
    assert_eq!(mentions(&sent[0]), vec![alice()], "nobody leads: the reporter is asked");
    assert_eq!(
        buttons(&sent[0]),
        vec![ActionId::UpdateStatus, ActionId::ResolveIncident, ActionId::BecomeIncidentManager]
    );
    let events = world.store.events(incident.id()).await.unwrap();
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::UpdateReminderPosted { .. })), "on the timeline");
}

#[tokio::test]
async fn reminders_repeat_each_interval_and_every_update_restarts_the_clock() {
    let (world, clock) = World::scheduled(reminders_only(30 * MINUTE));
    let (incident, room) = opened(&world).await;
    tick(&world, &clock, 30 * MINUTE).await; // 10:30, first reminder
    assert_eq!(reminders(&world, &room).len(), 1);

    tick(&world, &clock, 20 * MINUTE).await; // 10:50, an update
    let bob = UserRef::parse("UBOB").unwrap();
    world
        .service
        .execute(
            incident.id(),
            Actor::User(bob.clone()),
            Command::AssignRole { role: Role::IncidentManager, user: bob.clone() },
        )
        .await
        .unwrap();
    world.worker.run_until_idle().await.unwrap();

    tick(&world, &clock, 15 * MINUTE).await; // 11:05: past 11:00, when the next one was due before the update
    assert_eq!(reminders(&world, &room).len(), 1, "the update restarted the clock");

    tick(&world, &clock, 15 * MINUTE).await; // 11:20: 30 min after the update
    let sent = reminders(&world, &room);
    assert_eq!(sent.len(), 2);
    assert_eq!(mentions(&sent[1]), vec![bob], "the Incident Manager is asked");

    tick(&world, &clock, 30 * MINUTE).await; // 11:50: still nothing, the same interval again
    assert_eq!(reminders(&world, &room).len(), 3);
    let note = Command::AddNote(Text::parse("still digging").unwrap());
    world.service.execute(incident.id(), Actor::User(alice()), note).await.unwrap();
    tick(&world, &clock, 29 * MINUTE).await;
    assert_eq!(reminders(&world, &room).len(), 3, "a note is an update too");
}

#[tokio::test]
async fn no_reminder_after_resolution() {
    let (world, clock) = World::scheduled(reminders_only(30 * MINUTE));
    let (incident, room) = opened(&world).await;
    tick(&world, &clock, 30 * MINUTE).await;
    assert_eq!(reminders(&world, &room).len(), 1);
    let resolve = Command::ChangeStatus { to: Status::Resolved, message: None };
    world.service.execute(incident.id(), Actor::User(alice()), resolve).await.unwrap();
    for _ in 0..6 {
        tick(&world, &clock, 30 * MINUTE).await;
    }
    assert_eq!(reminders(&world, &room).len(), 1);
    assert_eq!(world.unfinished_effects().await, 0, "the obsolete reminder completed");
}

#[tokio::test]
async fn exactly_one_reminder_per_interval_across_two_workers_and_a_restart() {
    let (world, clock) = World::scheduled(reminders_only(30 * MINUTE));
    let (_incident, room) = opened(&world).await;
    let other = world.replica();
    for interval in 1..=4 {
        clock.advance(30 * MINUTE);
        let (a, b) = tokio::join!(world.worker.run_until_idle(), other.run_until_idle());
        a.unwrap();
        b.unwrap();
        // Running both again changes nothing: the interval's reminder is done.
        world.worker.run_until_idle().await.unwrap();
        other.run_until_idle().await.unwrap();
        assert_eq!(reminders(&world, &room).len(), interval, "interval {interval}");
    }
    // A restarted process (a fresh engine on the same store) carries on.
    let restarted = world.restarted(world.service.config().clone());
    clock.advance(30 * MINUTE);
    restarted.worker().run_until_idle().await.unwrap();
    assert_eq!(reminders(&world, &room).len(), 5);
}

#[tokio::test]
async fn severities_have_their_own_interval_and_off_disables() {
    let mut schedule = reminders_only(30 * MINUTE);
    schedule.update_after_by_severity.insert(Severity::Sev2, Some(15 * MINUTE));
    let (world, clock) = World::scheduled(schedule);
    let (_incident, room) = opened(&world).await;
    tick(&world, &clock, 15 * MINUTE).await;
    assert_eq!(reminders(&world, &room).len(), 1, "sev2 is reminded after 15 min");

    let (world, clock) = World::scheduled(Schedule::off());
    let (_incident, room) = opened(&world).await;
    tick(&world, &clock, 24 * 60 * MINUTE).await;
    assert!(reminders(&world, &room).is_empty());
    assert_eq!(world.unfinished_effects().await, 0, "nothing scheduled when off");
}

#[tokio::test]
async fn reminders_turned_off_at_a_restart_stay_off_for_those_already_queued() {
    let (world, clock) = World::scheduled(reminders_only(30 * MINUTE));
    let (_incident, room) = opened(&world).await;
    let config = sima_core::RunbookConfig { schedule: Schedule::off(), ..world.service.config().clone() };
    let restarted = world.restarted(config);
    clock.advance(30 * MINUTE);
    restarted.worker().run_until_idle().await.unwrap();
    assert!(reminders(&world, &room).is_empty());
    assert_eq!(world.unfinished_effects().await, 0, "the queued reminder completed silently");
}
