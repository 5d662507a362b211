//! SIMA's engine with `TeamsChat` as its chat port: the in-memory store, a
//! manual clock, fake paging and documents, and the Teams route answering
//! through the engine's inbound handler.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::Value;

use sima_core::domain::{
    Actor, Declaration, Description, Domain, Incident, IncidentRef, RoomId, Severity, Summary, UserRef,
};
use sima_core::testkit::TestEngine;
use sima_core::{DomainChoice, EffectWorker, IncidentService, RunbookConfig, Schedule};

use sima_teams::{router, TeamsState};

use crate::helpers::Teams;

/// The company-wide channel where incidents are announced.
pub(crate) const BROADCAST: &str = "19:broadcast@thread.tacv2";

pub(crate) struct World {
    pub(crate) teams: Teams,
    pub(crate) service: IncidentService,
    pub(crate) worker: EffectWorker,
    pub(crate) app: axum::Router,
}

impl World {
    pub(crate) async fn start() -> Self {
        let teams = Teams::start().await;
        let config = RunbookConfig {
            broadcast_room: RoomId::new(BROADCAST),
            public_url: "https://sima.example".into(),
            schedule: Schedule::off(),
            ..RunbookConfig::default()
        };
        let domains = vec![DomainChoice { domain: Domain::parse("checkout").unwrap(), description: "Payments".into() }];
        // One `TeamsChat` for the engine and the route: forms the engine opens
        // as dialogs are the route's answers, and names the route learns show
        // in what the engine posts.
        let chat = teams.chat();
        let engine =
            TestEngine::with(|builder| builder.runbook(config).chat(Arc::new(chat.clone())).domains(domains)).engine;
        let app = router(TeamsState::new(&teams.config(), chat, engine.inbound()));
        Self { teams, service: engine.service().clone(), worker: engine.worker().clone(), app }
    }

    /// Declares a sev2 in `checkout` and runs the opening runbook.
    pub(crate) async fn declare(&self, summary: &str) -> Incident {
        let declaration = Declaration {
            domain: Domain::parse("checkout").unwrap(),
            summary: Summary::parse(summary).unwrap(),
            description: Description::parse("Card payments are refused").unwrap(),
            severity: Severity::Sev2,
            impact: None,
            started_at: None,
            dedup_key: None,
            reporter: Actor::User(UserRef::parse("aad-ann").unwrap()),
            private: false,
            incident_type: None,
            fields: Default::default(),
        };
        let declared = self.service.declare(declaration).await.unwrap();
        self.worker.run_until_idle().await.unwrap();
        self.reload(&declared.incident).await
    }

    /// Posts `activity` to the route with this `Authorization` header.
    pub(crate) async fn deliver(&self, activity: &Value, authorization: Option<String>) -> StatusCode {
        self.teams.deliver(&self.app, activity, authorization).await
    }

    /// Posts `activity` to the route with a valid token.
    pub(crate) async fn deliver_signed(&self, activity: &Value) -> StatusCode {
        self.teams.deliver_signed(&self.app, activity).await
    }

    /// Posts `activity` (an invoke) with a valid token; the status and the JSON answered.
    pub(crate) async fn invoke(&self, activity: &Value) -> (StatusCode, Value) {
        self.teams.invoke(&self.app, activity).await
    }

    pub(crate) async fn reload(&self, incident: &Incident) -> Incident {
        self.service.get(IncidentRef::Id(incident.id())).await.unwrap()
    }

    /// The kinds of the incident's events, in order.
    pub(crate) async fn kinds(&self, incident: &Incident) -> Vec<&'static str> {
        let (_, events) = self.service.timeline(IncidentRef::Id(incident.id())).await.unwrap();
        events.iter().map(|e| e.kind.name()).collect()
    }
}
