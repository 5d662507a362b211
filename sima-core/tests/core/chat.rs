//! The engine's inbound handler driven through neutral inbound chat events,
//! with no chat platform: what the person is answered, what the incident
//! records, and each delivery acted on once.

use std::collections::BTreeMap;
use std::sync::Arc;

use sima_core::chat::{DeliveryKey, Inbound, InboundHandler, Reply, NOT_RECORDED};
use sima_core::domain::*;
use sima_core::model::{ActionId, Form, FormId, FormTrigger, Message};
use sima_core::ports::*;
use sima_core::testkit::{ChatCall, InMemoryStore, TestEngine};

use crate::helpers::{alice, World};

fn bob() -> UserRef {
    UserRef::parse("UBOB").unwrap()
}

fn private_text(reply: &Reply) -> String {
    match reply {
        Reply::Private(Message { text, .. }) => text.to_string(),
        other => panic!("expected a private answer, got {other:?}"),
    }
}

async fn opened(world: &World) -> (Incident, RoomId, Arc<dyn InboundHandler>) {
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let incident = world.reload(&incident).await;
    let room = incident.room().cloned().unwrap().id;
    (incident, room, world.inbound.clone())
}

#[tokio::test]
async fn commands_buttons_forms_and_joins_drive_the_incident() {
    let (world, _clock) = World::manual();
    let (incident, room, handler) = opened(&world).await;

    let typed =
        Inbound::Command { room: room.clone(), user: alice(), text: "status investigating".into(), trigger: None };
    let reply = handler.handle(typed, None).await;
    assert!(private_text(&reply).contains("is investigating (sev2)"), "{reply:?}");

    let pressed = Inbound::ButtonPressed {
        action: ActionId::BecomeIncidentManager,
        value: Some(incident.id().to_string()),
        room: Some(room.clone()),
        user: bob(),
        trigger: None,
    };
    let said = private_text(&handler.handle(pressed, None).await);
    assert!(said.contains("Done.") && said.contains("investigating"), "{said}");

    let submitted = Inbound::FormSubmitted {
        form: FormId::UpdateStatus,
        values: BTreeMap::from([
            ("status".to_owned(), "monitoring".to_owned()),
            ("message".to_owned(), "fix deployed".to_owned()),
        ]),
        metadata: Some(incident.id().to_string()),
        user: alice(),
    };
    assert_eq!(handler.handle(submitted, None).await, Reply::Ack);

    let joined = Inbound::Joined { room: room.clone(), user: bob() };
    assert_eq!(handler.handle(joined, None).await, Reply::Ack);

    let after = world.reload(&incident).await;
    assert_eq!(after.status(), Status::Monitoring);
    assert_eq!(after.roles().incident_manager, Some(bob()));
    let events = world.store.events(incident.id()).await.unwrap();
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::MemberJoined { user } if *user == bob())));
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::StatusChanged { to: Status::Monitoring, .. })
        && e.actor == Actor::User(alice())));
}

#[tokio::test]
async fn mistakes_are_answered_in_words_and_forms_keep_their_errors() {
    let (world, _clock) = World::manual();
    let (incident, room, conversation) = opened(&world).await;

    let outside = Inbound::Command { room: RoomId::new("CGENERAL"), user: alice(), text: "info".into(), trigger: None };
    assert!(private_text(&conversation.handle(outside, None).await).contains("works inside an incident room"));

    let nowhere =
        Inbound::ButtonPressed { action: ActionId::ShowInfo, value: None, room: None, user: alice(), trigger: None };
    assert_eq!(private_text(&conversation.handle(nowhere, None).await), "This button works in a channel.");

    let wrong = Inbound::FormSubmitted {
        form: FormId::UpdateStatus,
        values: BTreeMap::from([("status".to_owned(), "done".to_owned())]),
        metadata: Some(incident.id().to_string()),
        user: alice(),
    };
    let Reply::FormErrors(errors) = conversation.handle(wrong, None).await else { panic!("the form must stay open") };
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["status"]);

    let closed = Inbound::FormClosed { form: FormId::EditIncident, metadata: None, user: alice() };
    assert_eq!(conversation.handle(closed, None).await, Reply::Ack);
    assert_eq!(world.reload(&incident).await.status(), Status::Open);

    let mention = Inbound::Mention { room: room.clone(), user: alice(), text: "info".into() };
    assert_eq!(conversation.handle(mention, None).await, Reply::Ack);
    let answered = world.chat.calls().into_iter().any(
        |c| matches!(&c, ChatCall::Ephemeral(r, u, m) if *r == room && *u == alice() && m.text.to_string().contains("INC-")),
    );
    assert!(answered, "a mention is answered privately in its room");
}

#[tokio::test]
async fn a_command_typed_outside_a_room_opens_the_declare_form() {
    let (world, _clock) = World::manual();
    let conversation = world.inbound.clone();
    let trigger = FormTrigger("trigger-7".into());
    let typed = Inbound::Command {
        room: RoomId::new("CGENERAL"),
        user: alice(),
        text: String::new(),
        trigger: Some(trigger.clone()),
    };
    assert!(private_text(&conversation.handle(typed, None).await).contains("Opening"));
    assert!(matches!(
        &world.chat.calls()[..],
        [ChatCall::OpenForm(t, Form { id: FormId::DeclareIncident, .. })] if *t == trigger
    ));
}

/// A database that refuses every call, with a secret in its error; with
/// `keys`, its idempotency keys still answer (the outage began after the
/// delivery was recorded).
#[derive(Default)]
struct Unreachable {
    keys: Option<InMemoryStore>,
}

fn down<T>() -> Result<T, PortError> {
    Err(PortError::Transient("password=hunter2 refused".into()))
}

#[async_trait::async_trait]
impl Incidents for Unreachable {
    async fn create(&self, _: NewIncident) -> Result<Created, PortError> {
        down()
    }
    async fn append(&self, _: AppendBatch) -> Result<Incident, PortError> {
        down()
    }
    async fn get(&self, _: IncidentId) -> Result<Option<Incident>, PortError> {
        down()
    }
    async fn get_by_number(&self, _: IncidentNumber) -> Result<Option<Incident>, PortError> {
        down()
    }
    async fn find_by_room(&self, _: &RoomId) -> Result<Option<Incident>, PortError> {
        down()
    }
    async fn find_open_by_dedup_key(&self, _: &DedupKey) -> Result<Option<Incident>, PortError> {
        down()
    }
    async fn list(&self, _: &IncidentFilter) -> Result<Vec<Incident>, PortError> {
        down()
    }
    async fn events(&self, _: IncidentId) -> Result<Vec<IncidentEvent>, PortError> {
        down()
    }
    async fn milestones(&self, _: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
        down()
    }
    async fn ping(&self) -> Result<(), PortError> {
        down()
    }
}

#[async_trait::async_trait]
impl Outbox for Unreachable {
    async fn claim_due(
        &self,
        _: usize,
        _: chrono::DateTime<chrono::Utc>,
        _: std::time::Duration,
    ) -> Result<Vec<ClaimedEffect>, PortError> {
        down()
    }
    async fn renew(&self, _: &[Claim], _: chrono::DateTime<chrono::Utc>) -> Result<Vec<EffectId>, PortError> {
        down()
    }
    async fn complete(&self, _: Claim, _: chrono::DateTime<chrono::Utc>) -> Result<(), PortError> {
        down()
    }
    async fn retry_at(&self, _: Claim, _: chrono::DateTime<chrono::Utc>, _: &str) -> Result<(), PortError> {
        down()
    }
    async fn give_up(&self, _: Claim, _: chrono::DateTime<chrono::Utc>, _: &str) -> Result<(), PortError> {
        down()
    }
    async fn release(&self, _: Claim) -> Result<(), PortError> {
        down()
    }
    async fn retry_failed(&self, _: IncidentId, _: chrono::DateTime<chrono::Utc>) -> Result<u64, PortError> {
        down()
    }
    async fn outbox_stats(&self, _: chrono::DateTime<chrono::Utc>) -> Result<OutboxStats, PortError> {
        down()
    }
}

#[async_trait::async_trait]
impl IdempotencyKeys for Unreachable {
    async fn remember(&self, key: &str, now: chrono::DateTime<chrono::Utc>) -> Result<bool, PortError> {
        match &self.keys {
            Some(keys) => keys.remember(key, now).await,
            None => down(),
        }
    }
    async fn forget_key(&self, key: &str) -> Result<(), PortError> {
        match &self.keys {
            Some(keys) => keys.forget_key(key).await,
            None => down(),
        }
    }
    async fn forget_keys_before(&self, _: chrono::DateTime<chrono::Utc>) -> Result<u64, PortError> {
        down()
    }
}

/// An engine over `store`.
fn engine_over(store: Unreachable) -> TestEngine {
    TestEngine::with(|builder| builder.store(Arc::new(store)))
}

fn key(id: &str) -> Option<DeliveryKey> {
    Some(DeliveryKey::new(format!("test:{id}")))
}

#[tokio::test]
async fn a_storage_outage_is_told_without_its_details_and_a_join_is_retried() {
    let conversation = engine_over(Unreachable::default()).engine.inbound();

    let typed = Inbound::Command { room: RoomId::new("C1"), user: alice(), text: "info".into(), trigger: None };
    let said = private_text(&conversation.handle(typed, None).await);
    assert!(said.contains(sima_core::chat::NOT_RECORDED), "{said}");
    assert!(said.contains("could not record this yet (storage unavailable); please try again in a moment"), "{said}");
    assert!(!said.contains("hunter2"));

    let joined = Inbound::Joined { room: RoomId::new("C1"), user: alice() };
    assert_eq!(conversation.handle(joined, None).await, Reply::Retry);
}

#[tokio::test]
async fn a_repeated_delivery_acts_once_and_a_new_key_acts_again() {
    let (world, _clock) = World::manual();
    let (incident, room, handler) = opened(&world).await;
    let note = |text: &str| Inbound::Command { room: room.clone(), user: alice(), text: text.into(), trigger: None };

    let first = handler.handle(note("note checked the relay"), key("request-1")).await;
    assert!(private_text(&first).contains("Done."), "{first:?}");
    assert_eq!(handler.handle(note("note checked the relay"), key("request-1")).await, Reply::Ack, "a replay");
    handler.handle(note("note checked the relay"), key("request-2")).await;
    handler.handle(note("note checked the relay"), None).await;

    let events = world.store.events(incident.id()).await.unwrap();
    let notes = events.iter().filter(|e| matches!(e.kind, EventKind::NoteAdded { .. })).count();
    assert_eq!(notes, 3, "request-1 once, request-2, and the one without a key");
}

#[tokio::test]
async fn a_delivery_whose_handling_failed_is_handled_again_when_redelivered() {
    let handler = engine_over(Unreachable { keys: Some(InMemoryStore::new()) }).engine.inbound();
    let joined = || Inbound::Joined { room: RoomId::new("C1"), user: alice() };
    assert_eq!(handler.handle(joined(), key("event-1")).await, Reply::Retry, "the join could not be recorded");
    assert_eq!(handler.handle(joined(), key("event-1")).await, Reply::Retry, "handled again, not ignored");

    // A command whose answer was given (that nothing was recorded) keeps its key.
    let typed = || Inbound::Command { room: RoomId::new("C1"), user: alice(), text: "info".into(), trigger: None };
    assert!(private_text(&handler.handle(typed(), key("request-1")).await).contains(NOT_RECORDED));
    assert_eq!(handler.handle(typed(), key("request-1")).await, Reply::Ack);
}

#[tokio::test]
async fn when_a_delivery_cannot_be_recorded_nothing_is_done_and_the_platform_is_told() {
    let test = engine_over(Unreachable::default());
    let handler = test.engine.inbound();
    let room = RoomId::new("C1");
    let typed = Inbound::Command { room: room.clone(), user: alice(), text: "info".into(), trigger: None };
    assert!(private_text(&handler.handle(typed, key("request-1")).await).contains(NOT_RECORDED));
    let pressed = Inbound::ButtonPressed {
        action: ActionId::ShowInfo,
        value: None,
        room: Some(room.clone()),
        user: alice(),
        trigger: None,
    };
    assert!(private_text(&handler.handle(pressed, key("request-2")).await).contains(NOT_RECORDED));
    let submitted = Inbound::FormSubmitted {
        form: FormId::DeclareIncident,
        values: BTreeMap::new(),
        metadata: None,
        user: alice(),
    };
    assert_eq!(handler.handle(submitted, key("request-3")).await, Reply::form_error("summary", NOT_RECORDED));
    let joined = Inbound::Joined { room: room.clone(), user: alice() };
    assert_eq!(handler.handle(joined, key("event-1")).await, Reply::Retry);
    let mention = Inbound::Mention { room, user: alice(), text: "help".into() };
    assert_eq!(handler.handle(mention, key("event-2")).await, Reply::Retry);
    assert!(test.chat.calls().is_empty(), "nothing was answered in the room");
}

#[tokio::test]
async fn the_update_status_button_opens_the_status_form_of_its_incident() {
    let (world, _clock) = World::manual();
    let (incident, room, conversation) = opened(&world).await;
    let before = world.chat.calls().len();
    let trigger = FormTrigger("trigger-9".into());
    let pressed = Inbound::ButtonPressed {
        action: ActionId::UpdateStatus,
        value: Some(incident.id().to_string()),
        room: Some(room),
        user: alice(),
        trigger: Some(trigger.clone()),
    };
    assert!(private_text(&conversation.handle(pressed, None).await).contains("Opening"));
    let calls = world.chat.calls();
    assert!(
        matches!(
            &calls[before..],
            [ChatCall::OpenForm(t, Form { id: FormId::UpdateStatus, metadata: Some(m), .. })]
                if *t == trigger && *m == incident.id().to_string()
        ),
        "{:?}",
        &calls[before..]
    );
}
