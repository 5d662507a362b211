//! The opening runbook.

use std::time::Duration;

use sima_core::domain::{DedupKey, Severity, Status};
use sima_core::model::Block;
use sima_core::testkit::ChatCall;

use crate::helpers::{alice, declaration, World};

#[tokio::test]
async fn declaring_opens_a_war_room_pages_and_announces() {
    let (world, _clock) = World::manual();
    let incident = world.declare(Severity::Sev1).await;
    assert_eq!(incident.number().to_string(), "INC-1");
    let ran = world.worker.run_until_idle().await.unwrap();
    assert_eq!(ran, 6, "create room, then invite, card, broadcast, page, then pin");

    let incident = world.reload(&incident).await;
    let room = incident.room().cloned().expect("room recorded");
    assert_eq!(room.name, "incident_11_25_emails-are-late");
    let calls = world.chat.calls();
    assert!(calls.contains(&ChatCall::Invite(room.id.clone(), vec![alice()])));
    let card = incident.card().cloned().expect("card recorded");
    assert!(calls.contains(&ChatCall::Pin(card.clone())));
    let posted_card = calls.iter().find_map(|c| match c {
        ChatCall::Post(r, m) if *r == room.id => Some(m.clone()),
        _ => None,
    });
    let posted_card = posted_card.expect("card posted in the room");
    assert!(
        matches!(&posted_card.blocks[0], Block::Header { text } if text.to_string().contains("INC-1 · Emails are late!"))
    );
    let broadcast = incident.broadcast().cloned().expect("broadcast recorded");
    assert_eq!(broadcast.room.as_str(), "CBROADCAST");

    let alerts = world.pager.alerts();
    let alert = &alerts[&incident.id().to_string()];
    assert_eq!(alert.page.service, "outbound-email");
    assert_eq!(alert.page.severity, Severity::Sev1);
    assert_eq!(alert.page.links[0].url, room.url, "the page deep-links to the room");
    assert_eq!(alert.page.links[1].url, "https://sima.example/api/v1/incidents/INC-1");
    assert_eq!(incident.open_pages().len(), 1);
    assert_eq!(world.service.outbox_stats().await.unwrap().pending, 0);
}

#[tokio::test(start_paused = true)]
async fn the_runbook_takes_its_critical_path_not_the_sum_of_calls() {
    let world = World::with_latency(Duration::from_millis(100), sima_core::WorkerConfig::default());
    world.declare(Severity::Sev2).await;
    let start = tokio::time::Instant::now();
    world.worker.run_until_idle().await.unwrap();
    // Six platform calls of 100 ms: create room, then invite | post+pin card |
    // broadcast | page at once. The critical path is create → post → pin.
    assert_eq!(start.elapsed(), Duration::from_millis(300));
    assert_eq!(world.chat.calls().len(), 5);
    assert_eq!(world.pager.alerts().len(), 1);
}

#[tokio::test]
async fn a_dedup_key_opens_one_incident_until_it_ends() {
    let (world, _clock) = World::manual();
    let mut keyed = declaration(Severity::Sev3);
    keyed.dedup_key = Some(DedupKey::parse("alert-123").unwrap());
    let first = world.service.declare(keyed.clone()).await.unwrap();
    let second = world.service.declare(keyed.clone()).await.unwrap();
    assert!(first.created && !second.created);
    assert_eq!(first.incident.id(), second.incident.id());
    world
        .service
        .execute(
            first.incident.id(),
            sima_core::domain::Actor::Api,
            sima_core::domain::Command::ChangeStatus { to: Status::FalsePositive, message: None },
        )
        .await
        .unwrap();
    let third = world.service.declare(keyed).await.unwrap();
    assert!(third.created, "a terminal incident frees its dedup key");
    assert_eq!(third.incident.number().to_string(), "INC-2");
}
