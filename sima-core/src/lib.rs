//! `sima-core` is the pure heart of SIMA, an incident-management engine that runs
//! production incidents through chat. It decides; adapters act. Nothing here
//! speaks HTTP or SQL: chat, paging, documents, storage and time are ports
//! (traits) that adapter crates implement.
//!
//! Embed it with [`Engine::builder`]: give it a store and a clock (and the chat,
//! paging and documents adapters you use, and your company's [`Policy`]:
//! guards on commands and extra steps on events), then declare incidents through
//! [`Engine::service`], hand your chat adapter [`Engine::inbound`], and run
//! [`Engine::run`] beside your own service. The engine is the one way in:
//! tests use the same builder (`testkit::TestEngine` builds one on fakes).
//!
//! # Layout
//! Public modules, for adapter authors:
//! - [`domain`]: incidents, statuses, roles, events, and the pure `decide`/`apply` pair.
//! - [`model`]: neutral messages, forms and documents in platform-free rich text, for adapters to render.
//! - [`ports`]: the traits adapters implement, and the one [`ports::PortError`].
//! - [`chat`]: inbound chat, platform-free: what people do ([`chat::Inbound`]), each
//!   delivery named by a [`chat::DeliveryKey`], and SIMA's [`chat::Reply`].
//! - `testkit` (feature `testkit`): an engine on fakes, in-memory store, manual clock,
//!   store contract suite, and the messages SIMA posts, for adapters to test their
//!   rendering against.
//!
//! Everything an embedder wires is re-exported here: [`Engine`] (with the
//! [`IncidentService`] and the [`EffectWorker`] it hands out), the settings
//! ([`RunbookConfig`], [`WorkerConfig`], [`PagingPolicy`]), the embedded
//! adapters ([`LogChat`], [`LogPager`], [`MarkdownDocs`]), the metrics
//! ([`compute_metrics`]), and what HTTP adapters share ([`HttpPolicy`], [`Secret`]).
//!
//! Private modules: `engine`, `service` (use cases), `runbook` (effects and
//! the outbox worker), `grammar` (the `/incident …` text commands),
//! `metrics`, `postmortem`, `messages` (what SIMA posts), `wording` (phrases
//! both share), `secret`,
//! `http_policy`, `adapters` (embedded defaults).

#![forbid(unsafe_code)]

mod adapters;
pub mod chat;
pub mod domain;
mod engine;
mod grammar;
mod http_policy;
// Reachable through `testkit::messages` only: adapters test their rendering
// of these; embedders never call them.
#[cfg_attr(not(any(test, feature = "testkit")), allow(unreachable_pub))]
mod messages;
mod metrics;
pub mod model;
pub mod ports;
mod postmortem;
mod runbook;
mod secret;
mod service;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
mod wording;

/// Entry points for the fuzz targets under `fuzz/` (feature `fuzzing`); not a stable API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    /// Reads the text typed after `/incident` as the command table does, and
    /// renders what SIMA would answer for it: the command, or the error with
    /// its suggestions.
    pub fn parse_command(text: &str) -> String {
        let typer = crate::domain::UserRef::parse("U0FUZZ").unwrap_or_else(|e| unreachable!("a valid user: {e}"));
        match crate::grammar::parse(text, &typer) {
            Ok(intent) => format!("{intent:?}"),
            Err(error) => error.to_string(),
        }
    }
}

pub use adapters::{LogChat, LogPager, MarkdownDocs};
pub use domain::{
    Actor, Command, Declaration, Description, Domain, EventKind, FieldEdit, Impact, Incident, IncidentEvent,
    IncidentId, IncidentRef, Role, Severity, Status, Summary, Text, UserRef,
};
pub use engine::{Engine, EngineBuilder, EngineError};
pub use http_policy::{retry_after_header, Attempt, HttpPolicy};
pub use messages::{DomainChoice, SeverityDescriptions};
pub use metrics::{compute as compute_metrics, Durations, MetricsReport, Stat};
pub use ports::{ChatPort, Clock, DocsPort, IncidentStore, PagingPort, Policy, PortError, TrackerPort};
pub use postmortem::{describe as describe_event, escape_markdown, to_markdown as postmortem_markdown};
pub use runbook::{
    EffectWorker, PagingPolicy, RunbookConfig, Schedule, ServiceCatalog, ServiceInvites, TrackerExport, WorkerConfig,
};
pub use secret::Secret;
pub use service::{AlertCleared, Declared, IncidentService, PublishRequest, ReconcileReport, ServiceError};
pub use wording::human_duration;
