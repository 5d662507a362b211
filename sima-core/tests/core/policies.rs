//! Paging policy, unit-tested with mockall mocks of the ports.

use std::sync::Arc;

use sima_core::domain::{Room, RoomId, Severity};
use sima_core::ports::{MockChatPort, MockDocsPort, MockPagingPort, PortError};
use sima_core::testkit::TestEngine;
use sima_core::{PagingPolicy, RunbookConfig};

use crate::helpers::declaration;

fn chat() -> MockChatPort {
    let mut chat = MockChatPort::new();
    chat.expect_create_room().returning(|spec| {
        Ok(Room { id: RoomId::new("C1"), name: spec.name_hint.clone(), url: "https://chat.example/C1".into() })
    });
    chat.expect_invite().returning(|_, _| Ok(()));
    chat.expect_post().returning(|room, _| Ok(sima_core::domain::MessageRef { room: room.clone(), ts: "1.1".into() }));
    chat.expect_pin().returning(|_| Ok(()));
    chat
}

async fn declare_with(pager: MockPagingPort, severity: Severity) {
    let config = RunbookConfig { paging: PagingPolicy { min_severity: Severity::Sev3 }, ..RunbookConfig::default() };
    let test = TestEngine::with(|builder| {
        builder.runbook(config).chat(Arc::new(chat())).paging(Arc::new(pager)).docs(Arc::new(MockDocsPort::new()))
    });
    let (service, worker) = (test.engine.service(), test.engine.worker());
    let mut declared = declaration(severity);
    declared.domain = sima_core::domain::Domain::parse("api").unwrap();
    service.declare(declared).await.unwrap();
    worker.run_until_idle().await.unwrap();
}

#[tokio::test]
async fn a_sev1_for_api_pages_the_api_on_call_once() {
    let mut pager = MockPagingPort::new();
    pager
        .expect_trigger()
        .withf(|page| {
            page.service == "api" && page.severity == Severity::Sev1 && page.links[0].label == "Incident channel"
        })
        .times(1)
        .returning(|page| {
            Ok(sima_core::domain::PageRef { dedup_key: page.dedup_key.clone(), service: page.service.clone() })
        });
    declare_with(pager, Severity::Sev1).await;
}

#[tokio::test]
async fn a_sev4_below_the_policy_does_not_page() {
    let mut pager = MockPagingPort::new();
    pager.expect_trigger().never();
    declare_with(pager, Severity::Sev4).await;
}

#[tokio::test]
async fn a_failing_pager_does_not_stop_the_rest_of_the_runbook() {
    let mut pager = MockPagingPort::new();
    pager.expect_trigger().times(1).returning(|_| Err(PortError::Unauthorized("bad routing key".into())));
    declare_with(pager, Severity::Sev2).await;
}
