//! `Conversation` driven through neutral inbound chat events, with no chat
//! platform: what the person is answered, and what the incident records.

use std::collections::BTreeMap;
use std::sync::Arc;

use sima_core::chat::{Inbound, InboundHandler, Reply};
use sima_core::domain::*;
use sima_core::model::{ActionId, Form, FormId, FormTrigger, Message};
use sima_core::ports::*;
use sima_core::testkit::{ChatCall, FakeChat, ManualClock};
use sima_core::RunbookConfig;
use sima_core::{Conversation, IncidentService};

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

async fn opened(world: &World) -> (Incident, RoomId, Conversation) {
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let incident = world.reload(&incident).await;
    let room = incident.room().cloned().unwrap().id;
    (incident, room, Conversation::new(world.service.clone(), world.chat.clone(), vec![]))
}

#[tokio::test]
async fn commands_buttons_forms_and_joins_drive_the_incident() {
    let (world, _clock) = World::manual();
    let (incident, room, conversation) = opened(&world).await;
    let handler: Arc<dyn InboundHandler> = Arc::new(conversation);

    let typed =
        Inbound::Command { room: room.clone(), user: alice(), text: "status investigating".into(), trigger: None };
    let reply = handler.handle(typed).await;
    assert!(private_text(&reply).contains("is investigating (sev2)"), "{reply:?}");

    let pressed = Inbound::ButtonPressed {
        action: ActionId::BecomeIncidentManager,
        value: Some(incident.id().to_string()),
        room: Some(room.clone()),
        user: bob(),
        trigger: None,
    };
    let said = private_text(&handler.handle(pressed).await);
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
    assert_eq!(handler.handle(submitted).await, Reply::Ack);

    let joined = Inbound::Joined { room: room.clone(), user: bob() };
    assert_eq!(handler.handle(joined).await, Reply::Ack);

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
    assert!(private_text(&conversation.handle(outside).await).contains("works inside an incident room"));

    let nowhere =
        Inbound::ButtonPressed { action: ActionId::ShowInfo, value: None, room: None, user: alice(), trigger: None };
    assert_eq!(private_text(&conversation.handle(nowhere).await), "This button works in a channel.");

    let wrong = Inbound::FormSubmitted {
        form: FormId::UpdateStatus,
        values: BTreeMap::from([("status".to_owned(), "done".to_owned())]),
        metadata: Some(incident.id().to_string()),
        user: alice(),
    };
    let Reply::FormErrors(errors) = conversation.handle(wrong).await else { panic!("the form must stay open") };
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["status"]);

    let closed = Inbound::FormClosed { form: FormId::EditIncident, metadata: None, user: alice() };
    assert_eq!(conversation.handle(closed).await, Reply::Ack);
    assert_eq!(world.reload(&incident).await.status(), Status::Open);

    let mention = Inbound::Mention { room: room.clone(), user: alice(), text: "info".into() };
    assert_eq!(conversation.handle(mention).await, Reply::Ack);
    let answered = world.chat.calls().into_iter().any(
        |c| matches!(&c, ChatCall::Ephemeral(r, u, m) if *r == room && *u == alice() && m.text.to_string().contains("INC-")),
    );
    assert!(answered, "a mention is answered privately in its room");
}

#[tokio::test]
async fn a_command_typed_outside_a_room_opens_the_declare_form() {
    let (world, _clock) = World::manual();
    let conversation = Conversation::new(world.service.clone(), world.chat.clone(), vec![]);
    let trigger = FormTrigger("trigger-7".into());
    let typed = Inbound::Command {
        room: RoomId::new("CGENERAL"),
        user: alice(),
        text: String::new(),
        trigger: Some(trigger.clone()),
    };
    assert!(private_text(&conversation.handle(typed).await).contains("Opening"));
    assert!(matches!(
        &world.chat.calls()[..],
        [ChatCall::OpenForm(t, Form { id: FormId::DeclareIncident, .. })] if *t == trigger
    ));
}

/// A database that refuses every call, with a secret in its error.
struct Unreachable;

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
    async fn remember(&self, _: &str, _: chrono::DateTime<chrono::Utc>) -> Result<bool, PortError> {
        down()
    }
    async fn forget_keys_before(&self, _: chrono::DateTime<chrono::Utc>) -> Result<u64, PortError> {
        down()
    }
}

#[tokio::test]
async fn a_storage_outage_is_told_without_its_details_and_a_join_is_retried() {
    let store: Arc<dyn IncidentStore> = Arc::new(Unreachable);
    let service =
        IncidentService::new(store, Arc::new(ManualClock::at_str("2026-11-25T10:00:00Z")), RunbookConfig::default());
    let conversation = Conversation::new(service, Arc::new(FakeChat::new()), vec![]);

    let typed = Inbound::Command { room: RoomId::new("C1"), user: alice(), text: "info".into(), trigger: None };
    let said = private_text(&conversation.handle(typed).await);
    assert!(said.contains(sima_core::chat::NOT_RECORDED), "{said}");
    assert!(said.contains("could not record this yet (storage unavailable); please try again in a moment"), "{said}");
    assert!(!said.contains("hunter2"));

    let joined = Inbound::Joined { room: RoomId::new("C1"), user: alice() };
    assert_eq!(conversation.handle(joined).await, Reply::Retry);
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
    assert!(private_text(&conversation.handle(pressed).await).contains("Opening"));
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
