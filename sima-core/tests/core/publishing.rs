//! Public updates: published from chat (command, button and form) and
//! through the service, shown in the room, pushed to a hosted status page,
//! and never for private incidents.

use std::sync::Arc;
use std::time::Duration;

use sima_core::chat::{Inbound, Reply};
use sima_core::domain::*;
use sima_core::model::{ActionId, Block, Form, FormId, FormTrigger, InputKind, Message};
use sima_core::ports::{HostedIncident, Incidents, PortError, StatusPagePort};
use sima_core::testkit::{ChatCall, FakeStatusPage, ManualClock};
use sima_core::{EngineBuilder, PublishRequest, Schedule, ServiceError};

use crate::helpers::{alice, buttons, World};

const MINUTE: Duration = Duration::from_secs(60);

fn components() -> Vec<StatusComponent> {
    let email = Domain::parse("outbound-email").unwrap();
    vec![
        StatusComponent::new("Email delivery", vec![email]).unwrap(),
        StatusComponent::new("Checkout", vec![Domain::parse("payments").unwrap()]).unwrap(),
    ]
}

fn with_components(builder: EngineBuilder) -> EngineBuilder {
    builder.status_components(components())
}

fn hosted(builder: EngineBuilder, page: &Arc<FakeStatusPage>) -> EngineBuilder {
    with_components(builder).status_page(page.clone())
}

fn said(reply: &Reply) -> String {
    match reply {
        Reply::Private(Message { blocks, text }) => {
            let blocks: Vec<String> = blocks
                .iter()
                .filter_map(|b| if let Block::Text { text } = b { Some(text.to_string()) } else { None })
                .collect();
            format!("{text} {}", blocks.join(" "))
        }
        other => panic!("expected a private answer, got {other:?}"),
    }
}

/// A sev2 in `outbound-email` with its room up.
async fn opened(world: &World, severity: Severity) -> (Incident, RoomId) {
    let incident = world.declare(severity).await;
    world.worker.run_until_idle().await.unwrap();
    let incident = world.reload(&incident).await;
    let room = incident.room().cloned().unwrap().id;
    (incident, room)
}

fn typed(room: &RoomId, text: &str, trigger: Option<FormTrigger>) -> Inbound {
    Inbound::Command { room: room.clone(), user: alice(), text: text.into(), trigger }
}

fn room_posts(world: &World, room: &RoomId) -> Vec<String> {
    let calls = world.chat.calls();
    calls
        .iter()
        .filter_map(|c| match c {
            ChatCall::Post(r, m) if r == room => Some(m.text.to_string()),
            _ => None,
        })
        .collect()
}

fn opened_forms(world: &World) -> Vec<Form> {
    let calls = world.chat.calls();
    calls.iter().filter_map(|c| if let ChatCall::OpenForm(_, f) = c { Some(f.clone()) } else { None }).collect()
}

fn initial(form: &Form, id: &str) -> Option<String> {
    form.inputs.iter().find(|i| i.id == id).unwrap_or_else(|| panic!("no input {id}")).initial.clone()
}

#[tokio::test]
async fn a_typed_publish_records_the_update_with_neutral_defaults_and_tells_the_room() {
    let (world, _clock) = World::manual_with(with_components);
    let (incident, room) = opened(&world, Severity::Sev2).await;

    let reply = world.inbound.handle(typed(&room, "publish investigating Some emails are delayed.", None), None).await;
    let answer = said(&reply);
    assert!(answer.contains("Published on the status page"), "{answer}");

    let after = world.reload(&incident).await;
    let update = after.last_public_update().expect("published");
    assert_eq!(update.status, PublicStatus::Investigating);
    assert_eq!(update.title, "Email delivery has a partial outage", "named after the component, not the summary");
    assert_eq!(update.component_status, ComponentStatus::PartialOutage, "a sev2");
    assert_eq!(update.message.as_str(), "Some emails are delayed.");
    let events = world.store.events(incident.id()).await.unwrap();
    let event = events.iter().find(|e| e.seq == update.seq).unwrap();
    assert_eq!(event.actor, Actor::User(alice()));

    assert_eq!(world.worker.run_until_idle().await.unwrap(), 1, "the room is told; no hosted page to push to");
    let posts = room_posts(&world, &room);
    let told = posts.iter().find(|p| p.contains("Status page: Investigating")).expect("the room is told");
    assert!(told.contains("Some emails are delayed."), "{told}");

    let reply = world.inbound.handle(typed(&room, "publish fixed It works", None), None).await;
    assert!(said(&reply).contains("use investigating, identified, monitoring or resolved"), "{reply:?}");
    let reply = world.inbound.handle(typed(&room, "publish monitoring", None), None).await;
    assert!(said(&reply).contains("/incident publish <status> <message>"), "{reply:?}");
    let reply = world.inbound.handle(typed(&room, "publsh resolved done", None), None).await;
    assert!(said(&reply).contains("publish"), "a typo suggests the command: {reply:?}");
    assert_eq!(world.reload(&incident).await.public_updates().len(), 1);
}

#[tokio::test]
async fn the_card_button_opens_a_prefilled_form_whose_submission_publishes() {
    let (world, _clock) = World::manual_with(with_components);
    let (incident, room) = opened(&world, Severity::Sev2).await;
    let card = world.chat.calls().into_iter().find_map(|c| match c {
        ChatCall::Post(r, m) if r == room && m.text.to_string().contains(&incident.number().to_string()) => Some(m),
        _ => None,
    });
    assert!(buttons(&card.expect("the card")).contains(&ActionId::PublishUpdate));
    let update = typed(&room, "status identified Queue stuck on node 3", None);
    world.inbound.handle(update, None).await;

    let pressed = Inbound::ButtonPressed {
        action: ActionId::PublishUpdate,
        value: Some(incident.id().to_string()),
        room: Some(room.clone()),
        user: alice(),
        trigger: Some(FormTrigger("T1".into())),
    };
    let reply = world.inbound.handle(pressed, None).await;
    assert!(said(&reply).contains("Publish update"), "{reply:?}");
    let form = opened_forms(&world).pop().expect("the form opened");
    assert_eq!(form.id, FormId::PublishUpdate);
    assert_eq!(form.metadata, Some(incident.id().to_string()));
    let ids: Vec<&str> = form.inputs.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["status", "component_status", "title", "message"]);
    assert_eq!(initial(&form, "status").as_deref(), Some("identified"), "where the incident is");
    assert_eq!(initial(&form, "component_status").as_deref(), Some("partial_outage"));
    assert_eq!(initial(&form, "title").as_deref(), Some("Email delivery has a partial outage"));
    assert_eq!(initial(&form, "message").as_deref(), Some("Queue stuck on node 3"), "the last internal update");
    for id in ["status", "component_status"] {
        let kind = &form.inputs.iter().find(|i| i.id == id).unwrap().kind;
        assert!(matches!(kind, InputKind::Select { options } if options.len() == 4), "{id}: {kind:?}");
    }

    let submit = |values: &[(&str, &str)]| Inbound::FormSubmitted {
        form: FormId::PublishUpdate,
        values: values.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        metadata: Some(incident.id().to_string()),
        user: alice(),
    };
    let wrong = submit(&[("status", "fixed"), ("component_status", "down"), ("title", ""), ("message", " ")]);
    let Reply::FormErrors(errors) = world.inbound.handle(wrong, None).await else { panic!("the form stays open") };
    let keys: Vec<&str> = errors.keys().map(String::as_str).collect();
    assert_eq!(keys, ["component_status", "message", "status"], "{errors:?}");
    assert!(world.reload(&incident).await.public_updates().is_empty());

    let values = [
        ("status", "identified"),
        ("component_status", "major_outage"),
        ("title", "Emails are delayed"),
        ("message", "We found the cause; emails will catch up within the hour."),
    ];
    assert_eq!(world.inbound.handle(submit(&values), None).await, Reply::Ack);
    let after = world.reload(&incident).await;
    let update = after.last_public_update().expect("published");
    assert_eq!(
        (update.status, update.title.as_str(), update.component_status),
        (PublicStatus::Identified, "Emails are delayed", ComponentStatus::MajorOutage)
    );

    // The next form starts from what customers read now.
    let again = Inbound::ButtonPressed {
        action: ActionId::PublishUpdate,
        value: Some(incident.id().to_string()),
        room: Some(room.clone()),
        user: alice(),
        trigger: Some(FormTrigger("T2".into())),
    };
    world.inbound.handle(again, None).await;
    let form = opened_forms(&world).pop().unwrap();
    assert_eq!(initial(&form, "title").as_deref(), Some("Emails are delayed"));
    assert_eq!(initial(&form, "component_status").as_deref(), Some("major_outage"));
}

#[tokio::test]
async fn private_incidents_offer_no_publishing_and_refuse_it() {
    let (world, _clock) = World::manual_with(with_components);
    let (incident, room) = opened(&world, Severity::Sev1).await;
    world.inbound.handle(typed(&room, "private", None), None).await;
    world.worker.run_until_idle().await.unwrap();
    let refreshed = world.chat.calls().into_iter().rev().find_map(|c| match c {
        ChatCall::Update(_, m) if m.text.to_string().contains(&incident.number().to_string()) => Some(m),
        _ => None,
    });
    let card = refreshed.expect("the card is refreshed");
    assert!(!buttons(&card).contains(&ActionId::PublishUpdate), "{:?}", buttons(&card));

    let reply = world.inbound.handle(typed(&room, "publish investigating Looking", None), None).await;
    assert!(said(&reply).contains("private incidents are never published on the status page"), "{reply:?}");
    let pressed = Inbound::ButtonPressed {
        action: ActionId::PublishUpdate,
        value: Some(incident.id().to_string()),
        room: Some(room.clone()),
        user: alice(),
        trigger: Some(FormTrigger("T1".into())),
    };
    let reply = world.inbound.handle(pressed, None).await;
    assert!(said(&reply).contains("private incidents are never published"), "{reply:?}");
    assert!(opened_forms(&world).is_empty());
    let through_api =
        world.service.publish(incident.id(), Actor::Api, PublishRequest::new(PublicStatus::Investigating, "x"));
    assert!(matches!(through_api.await, Err(ServiceError::Refused(DomainError::PrivateNotPublished))));
    assert!(world.reload(&incident).await.public_updates().is_empty());
}

#[tokio::test]
async fn the_service_checks_requests_and_defaults_the_title_without_components() {
    let (world, _clock) = World::manual();
    let (incident, _room) = opened(&world, Severity::Sev3).await;
    let publish = |request: PublishRequest| world.service.publish(incident.id(), Actor::Api, request);

    let empty = publish(PublishRequest::new(PublicStatus::Investigating, "  ")).await;
    assert_eq!(empty.unwrap_err(), ServiceError::Invalid(ValidationError::Empty("public message")));
    let long = publish(PublishRequest::new(PublicStatus::Investigating, "x".repeat(2001))).await;
    assert!(matches!(long, Err(ServiceError::Invalid(ValidationError::TooLong { max: 2000, .. }))));
    let titled = PublishRequest { title: Some("x".repeat(121)), ..PublishRequest::new(PublicStatus::Identified, "ok") };
    assert!(matches!(publish(titled).await, Err(ServiceError::Invalid(ValidationError::TooLong { max: 120, .. }))));
    let missing =
        world.service.publish(IncidentId::new(), Actor::Api, PublishRequest::new(PublicStatus::Resolved, "x"));
    assert!(matches!(missing.await, Err(ServiceError::NotFound(_))));

    let after = publish(PublishRequest::new(PublicStatus::Investigating, "Some emails are slow.")).await.unwrap();
    let update = after.last_public_update().unwrap();
    assert_eq!(update.title, "Service disruption", "no component covers outbound-email");
    assert_eq!(update.component_status, ComponentStatus::DegradedPerformance, "a sev3");
    let after = publish(PublishRequest::new(PublicStatus::Resolved, "All emails delivered.")).await.unwrap();
    let update = after.last_public_update().unwrap();
    assert_eq!((update.title.as_str(), update.component_status), ("Service disruption", ComponentStatus::Operational));
    let events = world.store.events(incident.id()).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind.name() == "public_update_published").count(), 2);
}

#[tokio::test]
async fn pushes_create_the_hosted_incident_once_then_update_it() {
    let page = Arc::new(FakeStatusPage::new());
    let (world, _clock) = World::manual_with(|b| hosted(b, &page));
    let (incident, _room) = opened(&world, Severity::Sev2).await;
    let first = PublishRequest::new(PublicStatus::Investigating, "Some emails are delayed.");
    world.service.publish(incident.id(), Actor::Api, first).await.unwrap();
    assert_eq!(world.worker.run_until_idle().await.unwrap(), 2, "the room is told, the page is pushed");

    let pushes = page.pushes();
    assert_eq!(pushes.len(), 1);
    assert_eq!(pushes[0].hosted, None, "the first push creates it");
    let notice = &pushes[0].notice;
    assert_eq!(notice.incident, incident.number().to_string());
    assert_eq!(notice.title, "Email delivery has a partial outage");
    assert_eq!(notice.status, PublicStatus::Investigating);
    assert_eq!(notice.message, "Some emails are delayed.");
    assert_eq!(notice.components, vec![("Email delivery".to_owned(), ComponentStatus::PartialOutage)]);
    let linked = world.reload(&incident).await;
    let expected =
        HostedStatus { id: "hosted-1".into(), url: Some("https://status.example/incidents/hosted-1".into()) };
    assert_eq!(linked.hosted_status(), Some(&expected));

    let resolved = PublishRequest {
        component_status: Some(ComponentStatus::PartialOutage),
        ..PublishRequest::new(PublicStatus::Resolved, "All emails delivered.")
    };
    world.service.publish(incident.id(), Actor::Api, resolved).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    let pushes = page.pushes();
    assert_eq!(pushes.len(), 2);
    assert_eq!(pushes[1].hosted, Some(HostedIncident { id: "hosted-1".into(), url: expected.url.clone() }));
    assert_eq!(pushes[1].notice.status, PublicStatus::Resolved);
    assert_eq!(
        pushes[1].notice.components,
        vec![("Email delivery".to_owned(), ComponentStatus::Operational)],
        "operational once resolved"
    );
    let events = world.store.events(incident.id()).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind.name() == "status_page_linked").count(), 1, "linked once");
    assert_eq!(page.incidents().len(), 1);
}

#[tokio::test]
async fn a_transient_push_failure_is_retried_and_a_refusal_is_shown() {
    let page = Arc::new(FakeStatusPage::new());
    let (world, clock) = World::manual_with(|b| hosted(b, &page));
    let (incident, room) = opened(&world, Severity::Sev2).await;
    page.fail_next(PortError::Transient("503".into()));
    let request = PublishRequest::new(PublicStatus::Investigating, "Looking into it.");
    world.service.publish(incident.id(), Actor::Api, request).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    assert!(page.pushes().is_empty());
    assert!(world.reload(&incident).await.hosted_status().is_none());
    clock.advance(Duration::from_secs(2));
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(page.pushes().len(), 1, "retried");
    assert!(world.reload(&incident).await.hosted_status().is_some());

    page.fail_next(PortError::Invalid("component Email delivery is unknown".into()));
    let request = PublishRequest::new(PublicStatus::Monitoring, "A fix is out.");
    world.service.publish(incident.id(), Actor::Api, request).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    let events = world.store.events(incident.id()).await.unwrap();
    let failed = events.iter().find_map(|e| match &e.kind {
        EventKind::EffectFailed { effect: EffectKind::PushStatusPage, error } => Some(error.clone()),
        _ => None,
    });
    assert!(failed.expect("given up and recorded").contains("component Email delivery is unknown"));
    assert!(room_posts(&world, &room).iter().any(|p| p.contains("component Email delivery is unknown")));
}

#[tokio::test]
async fn an_incident_made_private_before_its_push_is_never_pushed() {
    let page = Arc::new(FakeStatusPage::new());
    let (world, _clock) = World::manual_with(|b| hosted(b, &page));
    let (incident, _room) = opened(&world, Severity::Sev2).await;
    let request = PublishRequest::new(PublicStatus::Investigating, "Looking into it.");
    world.service.publish(incident.id(), Actor::Api, request).await.unwrap();
    world.service.execute(incident.id(), Actor::Api, Command::SetVisibility { private: true }).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    assert!(page.pushes().is_empty(), "{:?}", page.pushes());
    let after = world.reload(&incident).await;
    assert!(after.hosted_status().is_none());
    assert!(after.failed_effects().is_empty(), "skipped, not failed");
}

#[tokio::test]
async fn without_a_hosted_page_nothing_is_pushed() {
    let (world, _clock) = World::manual_with(with_components);
    let (incident, _room) = opened(&world, Severity::Sev2).await;
    let request = PublishRequest::new(PublicStatus::Investigating, "Looking into it.");
    world.service.publish(incident.id(), Actor::Api, request).await.unwrap();
    assert_eq!(world.worker.run_until_idle().await.unwrap(), 1, "only the room is told");
    assert!(world.reload(&incident).await.failed_effects().is_empty());
}

fn reminders(world: &World, room: &RoomId) -> Vec<String> {
    let calls = world.chat.calls();
    calls
        .iter()
        .filter_map(|c| match c {
            ChatCall::Post(r, m) if r == room && m.text.to_string().contains("no update on") => {
                let lines: Vec<String> = m
                    .blocks
                    .iter()
                    .filter_map(|b| if let Block::Text { text } = b { Some(text.to_string()) } else { None })
                    .collect();
                Some(lines.join("\n"))
            }
            _ => None,
        })
        .collect()
}

fn reminding_after(after: Duration) -> impl FnOnce(EngineBuilder) -> EngineBuilder {
    move |builder: EngineBuilder| {
        let schedule = Schedule { update_after: Some(after), ..Schedule::off() };
        let runbook = sima_core::RunbookConfig { schedule, ..crate::helpers::config() };
        with_components(builder.runbook(runbook))
    }
}

async fn tick(world: &World, clock: &ManualClock, by: Duration) {
    clock.advance(by);
    world.worker.run_until_idle().await.unwrap();
}

#[tokio::test]
async fn the_reminder_tells_the_communication_lead_the_status_page_went_quiet() {
    let (world, clock) = World::manual_with(reminding_after(45 * MINUTE));
    let (incident, room) = opened(&world, Severity::Sev2).await;
    world.inbound.handle(typed(&room, "comms @UCAROL", None), None).await;
    world
        .service
        .publish(incident.id(), Actor::Api, PublishRequest::new(PublicStatus::Investigating, "Looking."))
        .await
        .unwrap();
    world.worker.run_until_idle().await.unwrap();

    tick(&world, &clock, 45 * MINUTE).await;
    let sent = reminders(&world, &room);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("📣 @UCAROL: The status page has not been updated for 45 minutes."), "{}", sent[0]);
    assert!(sent[0].contains("/incident publish <status> <message>"), "{}", sent[0]);
}

#[tokio::test]
async fn the_reminder_suggests_publishing_a_severe_incident_never_published() {
    let (world, clock) = World::manual_with(reminding_after(30 * MINUTE));
    let (_incident, room) = opened(&world, Severity::Sev1).await;
    tick(&world, &clock, 30 * MINUTE).await;
    let sent = reminders(&world, &room);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("Communication Lead: "), "nobody holds the role: {}", sent[0]);
    assert!(sent[0].contains("the status page says nothing yet"), "{}", sent[0]);
    assert!(sent[0].contains("/incident publish investigating <message>"), "{}", sent[0]);

    let (world, clock) = World::manual_with(reminding_after(30 * MINUTE));
    let (_incident, room) = opened(&world, Severity::Sev4).await;
    tick(&world, &clock, 30 * MINUTE).await;
    let sent = reminders(&world, &room);
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].contains("status page"), "a sev4 is not pushed to the status page: {}", sent[0]);
}

#[tokio::test]
async fn a_recent_or_resolved_publication_adds_nothing_to_the_reminder() {
    let (world, clock) = World::manual_with(reminding_after(30 * MINUTE));
    let (incident, room) = opened(&world, Severity::Sev2).await;
    tick(&world, &clock, 20 * MINUTE).await;
    let publish = PublishRequest::new(PublicStatus::Investigating, "Looking.");
    world.service.publish(incident.id(), Actor::Api, publish).await.unwrap();
    tick(&world, &clock, 10 * MINUTE).await;
    let sent = reminders(&world, &room);
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].contains("status page"), "published 10 minutes ago: {}", sent[0]);

    let publish = PublishRequest::new(PublicStatus::Resolved, "Fixed.");
    world.service.publish(incident.id(), Actor::Api, publish).await.unwrap();
    tick(&world, &clock, 60 * MINUTE).await;
    let sent = reminders(&world, &room);
    assert!(sent.len() >= 2);
    assert!(!sent.last().unwrap().contains("status page"), "resolved publicly: {}", sent.last().unwrap());
}

/// Making an incident private withdraws what was published: made public
/// again, it shows nothing (and reuses no withdrawn title) until a new update.
#[tokio::test]
async fn an_incident_made_private_then_public_again_shows_nothing_until_a_new_publication() {
    let (world, _clock) = World::manual_with(with_components);
    let (incident, _room) = opened(&world, Severity::Sev2).await;
    let titled = PublishRequest {
        title: Some("Acquisition of Initech delays emails".into()),
        component_status: Some(ComponentStatus::MajorOutage),
        ..PublishRequest::new(PublicStatus::Identified, "Emails are delayed.")
    };
    let published = world.service.publish(incident.id(), Actor::Api, titled).await.unwrap();
    assert_eq!(published.shown_public_updates().len(), 1);

    let visibility =
        |private: bool| world.service.execute(incident.id(), Actor::Api, Command::SetVisibility { private });
    let hidden = visibility(true).await.unwrap();
    assert!(hidden.shown_public_updates().is_empty(), "nothing is shown while private");
    let public_again = visibility(false).await.unwrap();
    assert!(public_again.shown_public_updates().is_empty(), "the withdrawn update stays withdrawn");
    assert_eq!(public_again.public_updates().len(), 1, "the timeline keeps what was published");
    assert_ne!(
        world.service.default_public_title(&public_again, ComponentStatus::PartialOutage),
        "Acquisition of Initech delays emails",
        "a withdrawn title is not offered again"
    );

    let request = PublishRequest::new(PublicStatus::Investigating, "We are looking into delayed emails.");
    let republished = world.service.publish(incident.id(), Actor::Api, request).await.unwrap();
    let shown = republished.shown_public_updates();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].title, "Email delivery has a partial outage");
    assert_eq!(shown[0].component_status, ComponentStatus::PartialOutage, "from the severity, not the withdrawn one");
    let replayed = world.reload(&incident).await;
    assert_eq!(replayed.shown_public_updates(), shown, "the same after reading the store again");
}

/// Pushes an update to the hosted page and waits for its link to be recorded.
async fn pushed(world: &World, incident: &Incident) -> HostedStatus {
    let request = PublishRequest::new(PublicStatus::Investigating, "Some emails are delayed.");
    world.service.publish(incident.id(), Actor::Api, request).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    world.reload(incident).await.hosted_status().cloned().expect("pushed and linked")
}

async fn set_private(world: &World, incident: &Incident, private: bool) {
    world.service.execute(incident.id(), Actor::Api, Command::SetVisibility { private }).await.unwrap();
}

fn failure_of(events: &[IncidentEvent], kind: EffectKind) -> Option<String> {
    events.iter().find_map(|e| match &e.kind {
        EventKind::EffectFailed { effect, error } if *effect == kind => Some(error.clone()),
        _ => None,
    })
}

#[tokio::test]
async fn making_a_pushed_incident_private_withdraws_it_and_a_later_publication_starts_afresh() {
    let page = Arc::new(FakeStatusPage::new());
    let (world, _clock) = World::manual_with(|b| hosted(b, &page));
    let (incident, _room) = opened(&world, Severity::Sev2).await;
    let linked = pushed(&world, &incident).await;
    assert_eq!(linked.id, "hosted-1");

    set_private(&world, &incident, true).await;
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(page.withdrawals(), vec![HostedIncident { id: "hosted-1".into(), url: linked.url.clone() }]);
    assert!(page.incidents().is_empty(), "deleted from the hosted page");
    let after = world.reload(&incident).await;
    assert!(after.hosted_status().is_none(), "the link is cleared");
    assert!(!after.hosted_withdrawal_due());
    assert!(after.failed_effects().is_empty(), "{:?}", after.failed_effects());
    let events = world.store.events(incident.id()).await.unwrap();
    let withdrawn: Vec<_> = events.iter().filter(|e| e.kind.name() == "status_page_withdrawn").collect();
    assert_eq!(withdrawn.len(), 1);
    assert_eq!(withdrawn[0].kind, EventKind::StatusPageWithdrawn { id: "hosted-1".into() });

    set_private(&world, &incident, false).await;
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(page.withdrawals().len(), 1, "made public again: nothing more to withdraw");
    assert_eq!(page.pushes().len(), 1, "nothing is pushed until a new publication");
    let request = PublishRequest::new(PublicStatus::Identified, "We found the cause.");
    world.service.publish(incident.id(), Actor::Api, request).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    let pushes = page.pushes();
    assert_eq!(pushes.len(), 2);
    assert_eq!(pushes[1].hosted, None, "a fresh hosted incident is created");
    assert_eq!(pushes[1].notice.message, "We found the cause.");
    let relinked = world.reload(&incident).await.hosted_status().cloned().expect("linked again");
    assert_eq!(relinked.id, "hosted-2", "not the deleted one");
    let events = world.store.events(incident.id()).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind.name() == "status_page_linked").count(), 2);
}

#[tokio::test]
async fn a_push_queued_before_the_incident_was_made_private_is_skipped_and_withdrawn() {
    let page = Arc::new(FakeStatusPage::new());
    let (world, _clock) = World::manual_with(|b| hosted(b, &page));
    let (incident, _room) = opened(&world, Severity::Sev2).await;
    pushed(&world, &incident).await;
    let request = PublishRequest::new(PublicStatus::Monitoring, "A fix is out.");
    world.service.publish(incident.id(), Actor::Api, request).await.unwrap();
    set_private(&world, &incident, true).await;
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(page.pushes().len(), 1, "the queued push is skipped: {:?}", page.pushes());
    assert_eq!(page.withdrawals().len(), 1);
    let after = world.reload(&incident).await;
    assert!(after.hosted_status().is_none());
    assert!(after.failed_effects().is_empty(), "skipped, not failed: {:?}", after.failed_effects());
}

#[tokio::test]
async fn a_transient_withdraw_failure_is_retried_and_holds_back_the_next_push() {
    let page = Arc::new(FakeStatusPage::new());
    let (world, clock) = World::manual_with(|b| hosted(b, &page));
    let (incident, _room) = opened(&world, Severity::Sev2).await;
    pushed(&world, &incident).await;
    page.fail_next(PortError::Transient("503".into()));
    set_private(&world, &incident, true).await;
    world.worker.run_until_idle().await.unwrap();
    assert!(page.withdrawals().is_empty());
    assert!(world.reload(&incident).await.hosted_withdrawal_due(), "still due");

    // Public again and published before the retry: the push waits for the withdrawal.
    set_private(&world, &incident, false).await;
    let request = PublishRequest::new(PublicStatus::Identified, "We found the cause.");
    world.service.publish(incident.id(), Actor::Api, request).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(page.pushes().len(), 1, "held back: {:?}", page.pushes());

    clock.advance(Duration::from_secs(2));
    world.worker.run_until_idle().await.unwrap();
    clock.advance(Duration::from_secs(2));
    world.worker.run_until_idle().await.unwrap();
    assert_eq!(page.withdrawals().len(), 1, "retried");
    let pushes = page.pushes();
    assert_eq!(pushes.len(), 2);
    assert_eq!(pushes[1].hosted, None, "pushed to a new hosted incident after the withdrawal");
    let after = world.reload(&incident).await;
    assert_eq!(after.hosted_status().map(|h| h.id.as_str()), Some("hosted-2"));
    assert!(after.failed_effects().is_empty(), "{:?}", after.failed_effects());
}

#[tokio::test]
async fn a_page_that_cannot_withdraw_records_the_failure_and_an_already_deleted_one_counts_as_withdrawn() {
    let page = Arc::new(FakeStatusPage::new());
    let (world, _clock) = World::manual_with(|b| hosted(b, &page));
    let (incident, room) = opened(&world, Severity::Sev2).await;
    pushed(&world, &incident).await;
    page.fail_next(PortError::Unsupported("deleting incidents".into()));
    set_private(&world, &incident, true).await;
    world.worker.run_until_idle().await.unwrap();
    let after = world.reload(&incident).await;
    assert!(after.failed_effects().contains(&EffectKind::WithdrawStatusPage));
    assert!(after.hosted_status().is_some(), "still recorded: it is still on the page");
    let events = world.store.events(incident.id()).await.unwrap();
    let error = failure_of(&events, EffectKind::WithdrawStatusPage).expect("recorded as failed");
    assert!(error.contains("remove hosted incident hosted-1 by hand"), "{error}");
    assert!(room_posts(&world, &room).iter().any(|p| p.contains("remove hosted incident hosted-1 by hand")));

    // Removed by hand, then retried: the page answers not found, which is done.
    page.withdraw(HostedIncident { id: "hosted-1".into(), url: None }).await.unwrap();
    world.service.retry_failed_effects(incident.id(), Actor::Api).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
    let after = world.reload(&incident).await;
    assert!(after.hosted_status().is_none(), "withdrawn");
    assert!(after.failed_effects().is_empty(), "{:?}", after.failed_effects());
    assert_eq!(page.withdrawals().len(), 2, "by hand, then the retry");
}

#[tokio::test]
async fn without_a_hosted_link_making_an_incident_private_withdraws_nothing() {
    let page = Arc::new(FakeStatusPage::new());
    let (world, _clock) = World::manual_with(|b| hosted(b, &page));
    let (incident, _room) = opened(&world, Severity::Sev2).await;
    set_private(&world, &incident, true).await;
    world.worker.run_until_idle().await.unwrap();
    assert!(page.withdrawals().is_empty());
    assert!(world.reload(&incident).await.failed_effects().is_empty());
}
