//! The worker's promises: owned, renewed leases; released work on shutdown;
//! no provider answer or panic stops it; nothing is given up in silence.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sima_core::domain::*;
use sima_core::ports::*;
use sima_core::testkit::ChatCall;
use sima_core::WorkerConfig;

use crate::helpers::World;

fn create_room_calls(world: &World) -> usize {
    world.chat.calls().iter().filter(|c| matches!(c, ChatCall::CreateRoom(_))).count()
}

fn failures(events: &[IncidentEvent]) -> Vec<(EffectKind, String)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::EffectFailed { effect, error } => Some((*effect, error.clone())),
            _ => None,
        })
        .collect()
}

/// A slow room creation (25 s, past the 10 s lease) raced by a second worker
/// that claims every second: with heartbeats, the room is created once.
async fn race_a_slow_room(heartbeat: Duration) -> usize {
    let config = WorkerConfig { heartbeat, ..WorkerConfig::default() };
    let world = World::with_latency(Duration::from_secs(25), config);
    world.declare(Severity::Sev3).await;
    let first = world.worker.clone();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        first.run(async move { drop(stop_rx.await) }).await;
    });
    let second = world.replica();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        second.run_once().await.unwrap();
    }
    drop(stop_tx);
    running.await.unwrap();
    create_room_calls(&world)
}

#[tokio::test(start_paused = true)]
async fn renewed_leases_keep_a_slow_effect_from_running_twice() {
    assert_eq!(race_a_slow_room(WorkerConfig::default().heartbeat).await, 1, "one room");
}

#[tokio::test(start_paused = true)]
async fn without_renewal_the_same_race_runs_the_effect_twice() {
    // The control experiment: it shows the race above is real.
    let rooms = race_a_slow_room(Duration::from_secs(3600)).await;
    assert!(rooms > 1, "every lapsed lease runs the room again: {rooms} rooms");
}

#[tokio::test(start_paused = true)]
async fn shutdown_waits_a_bounded_time_then_releases_what_it_holds() {
    let config = WorkerConfig { shutdown_grace: Duration::from_secs(2), ..WorkerConfig::default() };
    let world = World::with_latency(Duration::from_secs(60), config);
    world.declare(Severity::Sev3).await;
    let worker = world.worker.clone();
    let started = tokio::time::Instant::now();
    worker.run(tokio::time::sleep(Duration::from_secs(1))).await;
    assert_eq!(started.elapsed(), Duration::from_secs(3), "1 s of work, then 2 s of grace");
    assert!(!worker.is_running());

    let now = world.service.now();
    let taken = world.store.claim_due(10, now, Duration::from_secs(10)).await.unwrap();
    assert_eq!(taken.len(), 1, "the unfinished room is claimable at once, not after its lease");
    assert_eq!(taken[0].attempts, 1, "a released claim does not count as an attempt");
}

#[tokio::test]
async fn a_hostile_retry_after_is_clamped_to_the_longest_backoff() {
    let (world, clock) = World::manual();
    world.pager.fail_next("trigger", PortError::RateLimited { retry_after: Some(Duration::MAX) });
    let incident = world.declare(Severity::Sev1).await;
    world.worker.run_until_idle().await.unwrap();
    assert!(world.reload(&incident).await.open_pages().is_empty());
    clock.advance(WorkerConfig::default().max_backoff);
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(world.reload(&incident).await.open_pages().len(), 1, "paged once the clamped wait passed");
}

/// A pager with a bug.
struct PanickingPager;

#[async_trait]
impl PagingPort for PanickingPager {
    async fn trigger(&self, _page: &Page) -> Result<PageRef, PortError> {
        panic!("index out of bounds in a vendor SDK")
    }
    async fn acknowledge(&self, _page: &PageRef) -> Result<(), PortError> {
        Ok(())
    }
    async fn resolve(&self, _page: &PageRef) -> Result<(), PortError> {
        Ok(())
    }
}

#[tokio::test]
async fn a_panicking_effect_fails_alone_and_the_worker_goes_on() {
    let (world, _clock) = World::manual_with(|builder| builder.paging(Arc::new(PanickingPager)));
    let worker = &world.worker;
    let incident = world.declare(Severity::Sev1).await;
    worker.run_until_idle().await.unwrap();

    let after = world.reload(&incident).await;
    assert!(after.card().is_some() && after.broadcast().is_some(), "the other effects ran");
    let failed = failures(&world.store.events(incident.id()).await.unwrap());
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, EffectKind::Page);
    assert!(failed[0].1.contains("index out of bounds"), "{failed:?}");
    assert_eq!(worker.failures().get(&EffectKind::Page), Some(&1));

    let note = Command::AddNote(Text::parse("still here").unwrap());
    world.service.execute(incident.id(), Actor::Api, note).await.unwrap();
    assert!(worker.run_until_idle().await.unwrap() > 0, "the worker keeps running effects");
}

#[tokio::test]
async fn a_three_minute_outage_loses_nothing() {
    let (world, clock) = World::manual();
    for _ in 0..12 {
        world.pager.fail_next("trigger", PortError::Transient("HTTP 503".into()));
    }
    let incident = world.declare(Severity::Sev1).await;
    world.worker.run_until_idle().await.unwrap();
    for _ in 0..36 {
        clock.advance(Duration::from_secs(5));
        world.worker.run_until_idle().await.unwrap();
    }
    let incident = world.reload(&incident).await;
    assert!(incident.failed_effects().is_empty(), "nothing given up: {:?}", incident.failed_effects());
    for _ in 0..12 {
        clock.advance(Duration::from_secs(300));
        world.worker.run_until_idle().await.unwrap();
    }
    assert_eq!(world.reload(&incident).await.open_pages().len(), 1, "paged once the outage ended");
    assert_eq!(world.pager.alerts()[&incident.id().to_string()].triggers, 1);
}

#[tokio::test]
async fn an_effect_failing_past_the_horizon_is_shown_everywhere_and_can_be_retried() {
    let config = WorkerConfig { retry_for: Duration::from_secs(3600), ..WorkerConfig::default() };
    let (world, clock) = World::manual_with(|builder| builder.worker(config));
    let worker = &world.worker;
    for _ in 0..1_000 {
        world.pager.fail_next("trigger", PortError::Transient("HTTP 503".into()));
    }
    let incident = world.declare(Severity::Sev1).await;
    worker.run_until_idle().await.unwrap();
    for _ in 0..30 {
        clock.advance(Duration::from_secs(300));
        worker.run_until_idle().await.unwrap();
    }
    let after = world.reload(&incident).await;
    assert_eq!(after.failed_effects(), vec![EffectKind::Page]);
    let failed = failures(&world.store.events(incident.id()).await.unwrap());
    assert_eq!(failed.len(), 1, "given up once");
    assert!(failed[0].1.contains("HTTP 503"), "{failed:?}");
    let room = after.room().cloned().unwrap();
    let told = world.chat.calls().into_iter().any(|c| {
        matches!(&c, ChatCall::Post(r, m)
            if *r == room.id && m.text.to_string().contains("could not page the on-call") && m.text.to_string().contains("/incident retry"))
    });
    assert!(told, "the room is told");
    assert_eq!(worker.failures().get(&EffectKind::Page), Some(&1));
    assert_eq!(world.service.outbox_stats().await.unwrap().failed, 1);

    // The provider is back; someone runs `/incident retry`.
    world.pager.clear_failures();
    let queued = world.service.retry_failed_effects(incident.id(), Actor::Api).await.unwrap();
    assert_eq!(queued, 1);
    worker.run_until_idle().await.unwrap();
    let after = world.reload(&incident).await;
    assert_eq!(after.open_pages().len(), 1, "paged on retry");
    assert!(after.failed_effects().is_empty(), "nothing failed any more");
    let kinds: Vec<_> = world.store.events(incident.id()).await.unwrap().into_iter().map(|e| e.kind.name()).collect();
    assert!(kinds.contains(&"effects_retried"), "{kinds:?}");
    assert_eq!(world.service.retry_failed_effects(incident.id(), Actor::Api).await.unwrap(), 0, "nothing left");
}

#[tokio::test]
async fn a_refused_prerequisite_fails_what_depends_on_it() {
    let (world, _clock) = World::manual();
    world.chat.fail_next("create_room", PortError::Unauthorized("invalid_auth".into()));
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let change = Command::ChangeStatus { to: Status::Investigating, message: None };
    world.service.execute(incident.id(), Actor::Api, change).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    let failed = failures(&world.store.events(incident.id()).await.unwrap());
    assert!(failed.iter().any(|(kind, _)| *kind == EffectKind::CreateRoom), "{failed:?}");
    assert!(failed.iter().any(|(kind, why)| *kind == EffectKind::AnnounceUpdate && why.contains("incident room")));
    assert_eq!(world.service.outbox_stats().await.unwrap().pending, 0, "nothing left waiting forever");
}

fn war_room_calls(world: &World) -> (usize, usize, usize, usize) {
    let calls = world.chat.calls();
    let count = |f: fn(&ChatCall) -> bool| calls.iter().filter(|c| f(c)).count();
    let posts = count(|c| matches!(c, ChatCall::Post(..)));
    (
        count(|c| matches!(c, ChatCall::CreateRoom(_))),
        posts,
        count(|c| matches!(c, ChatCall::Pin(_))),
        world.pager.alerts().len(),
    )
}

#[tokio::test]
async fn the_follow_ups_of_an_outcome_run_at_once_without_a_claim() {
    let (world, _clock) = World::manual();
    world.declare(Severity::Sev2).await;
    // One claim takes the room; the card, its pin, the broadcast and the page
    // are handed to the same worker as the room is recorded, and run at once.
    let ran = world.worker.run_once().await.unwrap();
    assert_eq!(war_room_calls(&world), (1, 2, 1, 1), "room, card and broadcast, pin, page");
    assert_eq!(ran, 6, "create room, invite, post card, pin, broadcast, page");
    assert_eq!(world.service.outbox_stats().await.unwrap().pending, 0);
}
