//! Acme's policy, checked against mocks of the ports.

use std::sync::Arc;

use sima_core::domain::{
    Actor, Declaration, Description, Domain, MessageRef, PageRef, Room, RoomId, Severity, Summary, UserRef,
};
use sima_core::ports::{MockChatPort, MockDocsPort, MockPagingPort};
use sima_core::testkit::TestEngine;

fn declaration(severity: Severity) -> Declaration {
    Declaration {
        domain: Domain::parse("checkout").unwrap(),
        summary: Summary::parse("Payments fail").unwrap(),
        description: Description::empty(),
        severity,
        impact: None,
        started_at: None,
        dedup_key: None,
        reporter: Actor::User(UserRef::parse("U1").unwrap()),
        private: false,
        incident_type: None,
        fields: Default::default(),
    }
}

/// A chat mock that accepts the opening runbook and checks where the broadcast goes.
fn chat() -> MockChatPort {
    let mut chat = MockChatPort::new();
    chat.expect_create_room()
        .withf(|spec| spec.name_hint.starts_with("inc_") && spec.name_hint.ends_with("_payments-fail"))
        .returning(|spec| {
            Ok(Room { id: RoomId::new("C1"), name: spec.name_hint.clone(), url: "https://slack/C1".into() })
        });
    chat.expect_invite().returning(|_, _| Ok(()));
    chat.expect_pin().returning(|_| Ok(()));
    chat.expect_post()
        .withf(|room, _| room.as_str() == "C1" || room.as_str() == "C0INCIDENTS")
        .times(2)
        .returning(|room, _| Ok(MessageRef { room: room.clone(), ts: "1.0".into() }));
    chat
}

async fn run(severity: Severity, pager: MockPagingPort) {
    let test = TestEngine::with(|builder| {
        builder
            .runbook(policy_tests::runbook())
            .chat(Arc::new(chat()))
            .paging(Arc::new(pager))
            .docs(Arc::new(MockDocsPort::new()))
    });
    test.engine.service().declare(declaration(severity)).await.unwrap();
    test.engine.worker().run_until_idle().await.unwrap();
}

#[tokio::test]
async fn a_sev2_pages_the_checkout_on_call_with_a_link_to_the_room() {
    let mut pager = MockPagingPort::new();
    pager
        .expect_trigger()
        .withf(|page| page.service == "checkout" && page.links[0].url == "https://slack/C1")
        .times(1)
        .returning(|page| Ok(PageRef { dedup_key: page.dedup_key.clone(), service: page.service.clone() }));
    run(Severity::Sev2, pager).await;
}

#[tokio::test]
async fn a_sev3_is_announced_but_pages_nobody() {
    let mut pager = MockPagingPort::new();
    pager.expect_trigger().never();
    run(Severity::Sev3, pager).await;
}
