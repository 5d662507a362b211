//! Action items through chat (command, list, done button), in the
//! post-mortem, and the post-mortem reminder.

use std::sync::Arc;
use std::time::Duration;

use sima_core::chat::{Inbound, InboundHandler, Reply};
use sima_core::domain::*;
use sima_core::model::{ActionId, Block, Message};
use sima_core::testkit::ChatCall;
use sima_core::Schedule;

use crate::helpers::{alice, World};

const DAY: Duration = Duration::from_secs(24 * 3600);

fn said(reply: Reply) -> Message {
    match reply {
        Reply::Private(message) => message,
        other => panic!("expected a private answer, got {other:?}"),
    }
}

#[tokio::test]
async fn action_items_are_added_listed_done_by_button_and_land_in_the_postmortem() {
    let (world, _clock) = World::manual();
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let room = world.reload(&incident).await.room().unwrap().id.clone();
    let handler: Arc<dyn InboundHandler> = world.inbound.clone();
    let typed = |text: &str| Inbound::Command { room: room.clone(), user: alice(), text: text.into(), trigger: None };

    handler.handle(typed("action @UBOB alert on queue depth due 2026-12-01"), None).await;
    handler.handle(typed("action write the runbook"), None).await;
    let incident = world.reload(&incident).await;
    let bob = UserRef::parse("UBOB").unwrap();
    assert_eq!(incident.action_items()[0].owner, Some(bob));
    assert_eq!(incident.action_items()[0].due, Some("2026-12-01".parse().unwrap()));
    assert_eq!(incident.action_items()[1].owner, None);

    let list = said(handler.handle(typed("actions"), None).await);
    let done_buttons: Vec<Option<String>> = list
        .blocks
        .iter()
        .flat_map(|b| match b {
            Block::Actions { actions } => {
                actions.iter().filter(|a| a.id == ActionId::CompleteActionItem).map(|a| a.value.clone()).collect()
            }
            _ => vec![],
        })
        .collect();
    assert_eq!(done_buttons, vec![Some(format!("{} 1", incident.id())), Some(format!("{} 2", incident.id()))]);

    let pressed = Inbound::ButtonPressed {
        action: ActionId::CompleteActionItem,
        value: done_buttons[1].clone(),
        room: Some(room.clone()),
        user: alice(),
        trigger: None,
    };
    handler.handle(pressed, None).await;
    let incident = world.reload(&incident).await;
    assert_eq!(incident.action_items()[1].status, ActionStatus::Done);
    assert_eq!(incident.action_items()[0].status, ActionStatus::Open);
    let wrong = said(handler.handle(typed("done 7"), None).await);
    assert!(wrong.text.to_string().contains("no action item 7"), "{}", wrong.text);

    let resolve = Command::ChangeStatus { to: Status::Resolved, message: None };
    world.service.execute(incident.id(), Actor::User(alice()), resolve).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    let markdown = sima_core::postmortem_markdown(&world.docs.documents()["INC-1"]);
    assert!(markdown.contains("- [ ] alert on queue depth (@UBOB) due 2026-12-01"), "{markdown}");
    assert!(markdown.contains("- [x] write the runbook"), "{markdown}");
}

#[tokio::test]
async fn the_postmortem_reminder_comes_once_and_only_when_something_is_missing() {
    let schedule = Schedule { postmortem_reminder_after: Some(2 * DAY), ..Schedule::off() };
    let reminded = |world: &World| {
        world
            .chat
            .calls()
            .iter()
            .filter(|c| matches!(c, ChatCall::Post(_, m) if m.text.to_string().contains("post-mortem of")))
            .count()
    };

    let (world, clock) = World::scheduled(schedule.clone());
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let resolve = Command::ChangeStatus { to: Status::Resolved, message: None };
    world.service.execute(incident.id(), Actor::User(alice()), resolve.clone()).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    clock.advance(2 * DAY - Duration::from_secs(1));
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(reminded(&world), 0);
    clock.advance(Duration::from_secs(1));
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(reminded(&world), 1);
    // Reopened and resolved again: still once.
    let reopen = Command::ChangeStatus { to: Status::Investigating, message: None };
    world.service.execute(incident.id(), Actor::User(alice()), reopen).await.unwrap();
    world.service.execute(incident.id(), Actor::User(alice()), resolve.clone()).await.unwrap();
    clock.advance(3 * DAY);
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(reminded(&world), 1);

    let (world, clock) = World::scheduled(schedule);
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let commands = [
        Command::SetRootCause(Text::parse("a full disk").unwrap()),
        Command::AddActionItem(Text::parse("alert on disk usage").unwrap().into()),
        resolve,
    ];
    world.service.execute_all(incident.id(), Actor::User(alice()), &commands).await.unwrap();
    clock.advance(3 * DAY);
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(reminded(&world), 0, "root cause and action items are there");
}
