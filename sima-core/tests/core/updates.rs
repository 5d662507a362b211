//! Status updates, roles, joins, typos and resolution, driven like people do.

use std::collections::BTreeMap;
use std::sync::Arc;

use sima_core::chat::{Inbound, InboundHandler, Reply};
use sima_core::domain::*;
use sima_core::model::{ActionId, Block, FormId, FormTrigger, Message};
use sima_core::ports::Incidents;
use sima_core::testkit::ChatCall;

use crate::helpers::{alice, buttons, World};

fn bob() -> UserRef {
    UserRef::parse("UBOB").unwrap()
}

/// People typing, pressing, joining and submitting, through the engine's inbound handler.
struct Chat(Arc<dyn InboundHandler>);

impl Chat {
    /// `/incident <text>`; the private answer, if any.
    async fn typed(&self, room: &RoomId, user: &UserRef, text: &str, trigger: Option<FormTrigger>) -> Option<Message> {
        let typed = Inbound::Command { room: room.clone(), user: user.clone(), text: text.into(), trigger };
        match self.0.handle(typed, None).await {
            Reply::Private(message) => Some(message),
            Reply::Ack => None,
            other => panic!("a command is answered privately or not at all, not {other:?}"),
        }
    }

    async fn pressed(&self, action: ActionId, value: Option<&str>, room: &RoomId, user: &UserRef) -> Reply {
        let pressed = Inbound::ButtonPressed {
            action,
            value: value.map(str::to_owned),
            room: Some(room.clone()),
            user: user.clone(),
            trigger: None,
        };
        self.0.handle(pressed, None).await
    }

    async fn joined(&self, room: &RoomId, user: &UserRef) -> Reply {
        self.0.handle(Inbound::Joined { room: room.clone(), user: user.clone() }, None).await
    }

    async fn submitted(&self, form: FormId, values: &BTreeMap<String, String>, user: &UserRef) -> Reply {
        let submitted = Inbound::FormSubmitted { form, values: values.clone(), metadata: None, user: user.clone() };
        self.0.handle(submitted, None).await
    }
}

async fn opened(world: &World) -> (Incident, Chat) {
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    (world.reload(&incident).await, Chat(world.inbound.clone()))
}

fn text_of(message: &sima_core::model::Message) -> String {
    message
        .blocks
        .iter()
        .map(|b| match b {
            Block::Text { text } | Block::Context { text } | Block::Header { text } => text.to_string(),
            Block::Bullets { items } => items.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_status_update_reaches_the_room_the_broadcast_thread_and_refreshes_both_cards() {
    let (world, _clock) = World::manual();
    let (incident, conversation) = opened(&world).await;
    let room = incident.room().cloned().unwrap();
    let before = world.chat.calls().len();
    let reply = conversation.typed(&room.id, &alice(), "status investigating looking at the queue", None).await;
    assert!(text_of(&reply.unwrap()).contains("investigating"));
    world.worker.run_until_idle().await.unwrap();
    let calls = world.chat.calls()[before..].to_vec();
    let posted = calls.iter().find_map(|c| match c {
        ChatCall::Post(r, m) if *r == room.id => Some(text_of(m)),
        _ => None,
    });
    assert!(posted.unwrap().contains("open → investigating"));
    let broadcast = incident.broadcast().cloned().unwrap();
    assert!(calls.iter().any(|c| matches!(c, ChatCall::Reply(parent, m) if *parent == broadcast && text_of(m).contains("looking at the queue"))));
    assert!(calls
        .iter()
        .any(|c| matches!(c, ChatCall::Update(target, m) if *target == broadcast && m.text.to_string().contains("investigating"))));
    let card = incident.card().cloned().unwrap();
    assert!(calls.iter().any(|c| matches!(c, ChatCall::Update(target, _) if *target == card)));
}

#[tokio::test]
async fn roles_by_command_and_by_button() {
    let (world, _clock) = World::manual();
    let (incident, conversation) = opened(&world).await;
    let room = incident.room().cloned().unwrap();
    conversation.typed(&room.id, &alice(), "manager me", None).await;
    let id = incident.id().to_string();
    let pressed = conversation.pressed(ActionId::BecomeCommunicationLead, Some(&id), &room.id, &bob()).await;
    assert!(matches!(pressed, Reply::Private(_)), "{pressed:?}");
    let incident = world.reload(&incident).await;
    assert_eq!(incident.roles().incident_manager, Some(alice()));
    assert_eq!(incident.roles().communication_lead, Some(bob()));
}

#[tokio::test]
async fn whoever_joins_is_welcomed_with_buttons() {
    let (world, _clock) = World::manual();
    let (incident, conversation) = opened(&world).await;
    let room = incident.room().cloned().unwrap();
    assert_eq!(conversation.joined(&room.id, &bob()).await, Reply::Ack);
    world.worker.run_until_idle().await.unwrap();
    let welcome = world.chat.calls().into_iter().find_map(|c| match c {
        ChatCall::Ephemeral(r, u, m) if r == room.id && u == bob() => Some(m),
        _ => None,
    });
    let welcome = welcome.expect("an ephemeral welcome for bob");
    assert!(text_of(&welcome).contains("Welcome to INC-1"));
    assert_eq!(
        buttons(&welcome),
        vec![
            ActionId::BecomeIncidentManager,
            ActionId::BecomeCommunicationLead,
            ActionId::ShowInfo,
            ActionId::UpdateStatus,
            ActionId::ShowHelp
        ]
    );
}

#[tokio::test]
async fn a_mistyped_command_gets_the_closest_commands_and_buttons() {
    let (world, _clock) = World::manual();
    let (incident, conversation) = opened(&world).await;
    let room = incident.room().cloned().unwrap();
    let reply = conversation.typed(&room.id, &alice(), "stauts resolved", None).await.unwrap();
    assert!(text_of(&reply).contains("/incident status <status> [message]"));
    assert_eq!(buttons(&reply), vec![ActionId::UpdateStatus, ActionId::ShowInfo, ActionId::ShowHelp]);
    let refused = conversation.typed(&room.id, &alice(), "status closed", None).await.unwrap();
    assert!(text_of(&refused).contains("cannot go from open to closed"));
}

#[tokio::test]
async fn the_declare_form_opens_and_its_submission_declares() {
    let (world, _clock) = World::manual();
    let conversation = Chat(world.inbound.clone());
    let trigger = FormTrigger("trigger-1".into());
    conversation.typed(&RoomId::new("CGENERAL"), &alice(), "", Some(trigger.clone())).await;
    assert!(
        matches!(&world.chat.calls()[0], ChatCall::OpenForm(t, f) if *t == trigger && f.id == FormId::DeclareIncident)
    );

    let mut values = BTreeMap::from([
        ("domain".to_owned(), "Outbound Email".to_owned()),
        ("summary".to_owned(), String::new()),
        ("severity".to_owned(), "sev2".to_owned()),
    ]);
    let Reply::FormErrors(errors) = conversation.submitted(FormId::DeclareIncident, &values, &alice()).await else {
        panic!("invalid input must be refused");
    };
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["domain", "summary"]);
    values.insert("domain".into(), "outbound-email".into());
    values.insert("summary".into(), "Emails are late".into());
    values.insert("impact".into(), "120".into());
    let accepted = conversation.submitted(FormId::DeclareIncident, &values, &alice()).await;
    assert_eq!(accepted, Reply::Ack, "the form closes");
    let listed = world.store.list(&Default::default()).await.unwrap();
    assert_eq!(listed[0].impact(), Some(Impact::new(120)));
    assert_eq!(listed[0].reporter(), &Actor::User(alice()));
}

#[tokio::test]
async fn resolving_writes_the_postmortem_posts_its_link_and_resolves_pages() {
    let (world, clock) = World::manual();
    let (incident, conversation) = opened(&world).await;
    let room = incident.room().cloned().unwrap();
    for (minutes, text) in [
        (4, "status investigating"),
        (6, "rootcause certificate expired"),
        (7, "action alert on expiry"),
        (20, "resolve renewed"),
    ] {
        clock.set(
            "2026-11-25T10:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap()
                + chrono::Duration::minutes(minutes),
        );
        conversation.typed(&room.id, &alice(), text, None).await;
    }
    world.worker.run_until_idle().await.unwrap();
    let incident = world.reload(&incident).await;
    assert!(incident.postmortem().is_some());
    assert!(incident.open_pages().is_empty());
    assert!(world.pager.alerts().values().all(|a| a.resolved));
    let doc = &world.docs.documents()["INC-1"];
    assert_eq!(doc.properties.mtta_minutes, Some(4.0));
    assert_eq!(doc.properties.mttr_minutes, Some(20.0));
    let markdown = sima_core::postmortem_markdown(doc);
    assert!(markdown.contains("certificate expired"));
    assert!(markdown.contains("- [ ] alert on expiry"));
    assert!(markdown.contains("Status open → investigating"));
    let link_posted =
        world.chat.calls().into_iter().any(
            |c| matches!(c, ChatCall::Post(r, m) if r == room.id && m.text.to_string().contains("https://docs.example/INC-1")),
        );
    assert!(link_posted);
}

#[tokio::test]
async fn concurrent_changes_to_one_incident_all_land() {
    let (world, _clock) = World::manual();
    let incident = world.declare(Severity::Sev3).await;
    let id = incident.id();
    let service = Arc::new(world.service.clone());
    let tasks: Vec<_> = (0..16)
        .map(|n| {
            let service = service.clone();
            tokio::spawn(async move {
                let note = Command::AddNote(Text::parse(&format!("note {n}")).unwrap());
                service.execute(id, Actor::Api, note).await.unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let events = world.store.events(incident.id()).await.unwrap();
    assert_eq!(events.len(), 17);
    assert!(events.iter().zip(1..).all(|(e, seq)| e.seq == seq));
}

#[tokio::test]
async fn an_update_waits_for_the_card_it_must_refresh() {
    let (world, clock) = World::manual();
    world.chat.fail_next("post", sima_core::ports::PortError::Transient("timeout".into()));
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    assert!(world.reload(&incident).await.card().is_none(), "the card effect failed and waits for its retry");

    let change = Command::ChangeStatus { to: Status::Investigating, message: None };
    world.service.execute(incident.id(), Actor::Api, change).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    let card_updates = || {
        let card = world.chat.calls();
        card.into_iter().filter(|c| matches!(c, ChatCall::Update(m, _) if m.room.as_str() != "CBROADCAST")).count()
    };
    assert_eq!(card_updates(), 0, "no card refresh before the card exists");

    for _ in 0..3 {
        clock.advance(std::time::Duration::from_secs(1));
        world.worker.run_until_idle().await.unwrap();
    }
    let card = world.reload(&incident).await.card().cloned().expect("card recorded on retry");
    let refreshed = world.chat.calls().into_iter().any(
        |c| matches!(c, ChatCall::Update(target, m) if target == card && m.text.to_string().contains("investigating")),
    );
    assert!(refreshed, "the waiting refresh updated the card once it was recorded");
}

fn posts_in(world: &World, room: &str) -> Vec<sima_core::model::Message> {
    let calls = world.chat.calls();
    calls
        .into_iter()
        .filter_map(|c| matches!(&c, ChatCall::Post(r, _) if r.as_str() == room).then_some(c))
        .map(|c| match c {
            ChatCall::Post(_, m) => m,
            _ => unreachable!("filtered to posts"),
        })
        .collect()
}

#[tokio::test]
async fn a_failed_pin_never_posts_the_card_twice() {
    let (world, clock) = World::manual();
    world.chat.fail_next("pin", sima_core::ports::PortError::Transient("HTTP 500".into()));
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let incident = world.reload(&incident).await;
    let card = incident.card().cloned().expect("the card is recorded before the pin is tried");
    clock.advance(std::time::Duration::from_secs(2));
    world.worker.run_until_idle().await.unwrap();

    let room = incident.room().expect("room");
    let cards = posts_in(&world, room.id.as_str());
    assert_eq!(cards.len(), 1, "one card in the room: {cards:?}");
    let pins: Vec<_> = world.chat.calls().into_iter().filter(|c| matches!(c, ChatCall::Pin(_))).collect();
    assert_eq!(pins, vec![ChatCall::Pin(card.clone()), ChatCall::Pin(card)], "the pin alone was retried");
}

#[tokio::test]
async fn a_failed_broadcast_reply_never_reposts_the_room_update() {
    let (world, clock) = World::manual();
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    world.chat.fail_next("reply", sima_core::ports::PortError::Transient("HTTP 503".into()));
    world.chat.fail_next("update", sima_core::ports::PortError::Transient("HTTP 503".into()));
    let change = Command::ChangeStatus { to: Status::Identified, message: Some(Text::parse("bad deploy").unwrap()) };
    world.service.execute(incident.id(), Actor::Api, change).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    clock.advance(std::time::Duration::from_secs(2));
    world.worker.run_until_idle().await.unwrap();

    let room = world.reload(&incident).await.room().cloned().expect("room");
    let updates: Vec<_> =
        posts_in(&world, room.id.as_str()).into_iter().filter(|m| m.text.to_string().contains("identified")).collect();
    assert_eq!(updates.len(), 1, "the update is in the room once: {updates:?}");
    let replies = world
        .chat
        .calls()
        .into_iter()
        .filter(|c| matches!(c, ChatCall::Reply(_, m) if m.text.to_string().contains("identified")));
    assert_eq!(replies.count(), 2, "the reply alone was retried (one failed, one landed)");
    let refreshes = world.chat.calls().into_iter().filter(|c| matches!(c, ChatCall::Update(..))).count();
    assert_eq!(refreshes, 3, "card and broadcast refreshed; only the failed refresh was repeated");
}
