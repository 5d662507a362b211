//! `sima-core` is the pure heart of SIMA, an incident-management engine that runs
//! production incidents through chat. It decides; adapters act. Nothing here
//! speaks HTTP or SQL: chat, paging, documents, storage and time are ports
//! (traits) that adapter crates implement.
//!
//! Embed it with [`Engine::builder`]: give it a store and a clock (and the chat,
//! paging and documents adapters you use), then declare incidents through
//! [`Engine::service`] and run [`Engine::run`] beside your own service.
//!
//! # Layout
//! - [`Engine`]: the use cases and the effect worker, wired in one call.
//! - [`domain`]: incidents, statuses, roles, events, and the pure `decide`/`apply` pair.
//! - [`model`]: neutral messages, forms and documents in platform-free rich text, for adapters to render.
//! - [`ports`]: the traits adapters implement, and the one [`ports::PortError`].
//! - [`runbook`]: the effects events imply, and the outbox worker that runs them.
//! - [`service`]: the use cases (`IncidentService`): declare, update, query.
//! - [`chat`]: inbound chat, platform-free: what people do ([`chat::Inbound`]) and SIMA's [`chat::Reply`].
//! - [`grammar`]: the `/incident …` text commands, with suggestions for typos.
//! - [`metrics`]: MTTA, MTTR (recovery and repair), MTTD from milestones.
//! - [`postmortem`]: the pre-filled post-mortem document and its Markdown form.
//! - [`messages`]: the messages SIMA posts (card, broadcast, welcome, help…).
//! - [`secret`]: credentials that never print.
//! - [`http_policy`]: timeouts and retries that HTTP adapters share.
//! - [`adapters`]: embedded defaults: log-only chat and paging, Markdown post-mortems.
//! - `testkit` (feature `testkit`): in-memory store, manual clock, store contract suite.

pub mod adapters;
pub mod chat;
pub mod domain;
mod engine;
pub mod grammar;
pub mod http_policy;
pub mod messages;
pub mod metrics;
pub mod model;
pub mod ports;
pub mod postmortem;
pub mod runbook;
pub mod secret;
pub mod service;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

pub use domain::{
    Actor, Command, Declaration, Description, Domain, EventKind, FieldEdit, Impact, Incident, IncidentEvent,
    IncidentId, IncidentRef, Role, Severity, Status, Summary, Text, UserRef,
};
pub use engine::{Engine, EngineBuilder, EngineError};
pub use ports::{ChatPort, Clock, DocsPort, IncidentStore, PagingPort, PortError};
pub use runbook::{EffectWorker, RunbookConfig, WorkerConfig};
pub use service::{AlertCleared, Conversation, IncidentService, ServiceError};
