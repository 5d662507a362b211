//! Ports: the traits adapters implement. Held as `Arc<dyn Port>`.

mod chat;
mod clock;
mod docs;
mod error;
mod paging;
mod policy;
mod sessions;
mod store;

/// What an outbox entry does (see [`Outbox`]), and what a policy timer re-checks (see [`Step`]).
pub use crate::domain::{Effect, TimerCondition};
pub use chat::{ChatPort, RoomSpec};
pub use clock::Clock;
#[cfg(feature = "tokio")]
pub use clock::SystemClock;
pub use docs::DocsPort;
pub use error::PortError;
pub use paging::{Link, Page, PagingPort};
pub use policy::{Policy, Refusal, Step};
pub use sessions::{SessionRecord, SessionStore};
pub use store::{
    AppendBatch, Claim, ClaimToken, ClaimedEffect, Created, EffectId, IdempotencyKeys, IncidentCounts, IncidentFilter,
    IncidentStore, Incidents, Lease, MilestoneRow, NewEffect, NewIncident, Outbox, OutboxStats,
};

#[cfg(any(test, feature = "mocks"))]
pub use chat::MockChatPort;
#[cfg(any(test, feature = "mocks"))]
pub use clock::MockClock;
#[cfg(any(test, feature = "mocks"))]
pub use docs::MockDocsPort;
#[cfg(any(test, feature = "mocks"))]
pub use paging::MockPagingPort;
#[cfg(any(test, feature = "mocks"))]
pub use policy::MockPolicy;
#[cfg(any(test, feature = "mocks"))]
pub use sessions::MockSessionStore;
#[cfg(any(test, feature = "mocks"))]
pub use store::{MockIdempotencyKeys, MockIncidents, MockOutbox};
