//! Ports: the traits adapters implement. Held as `Arc<dyn Port>`.

mod chat;
mod clock;
mod docs;
mod error;
mod paging;
mod policy;
mod sessions;
mod status_page;
mod store;
mod tracker;

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
pub use status_page::{HostedIncident, PublicNotice, StatusPagePort};
#[cfg(any(test, feature = "testkit"))]
pub(crate) use store::{is_after, linked_tickets_of};
pub use store::{
    AppendBatch, Claim, ClaimToken, ClaimedEffect, Created, EffectId, IdempotencyKeys, IncidentCounts, IncidentFilter,
    IncidentStore, Incidents, Lease, MilestoneRow, NewEffect, NewIncident, Outbox, OutboxStats,
};
pub use tracker::{TicketChange, TicketDraft, TrackerPort};

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
pub use status_page::MockStatusPagePort;
#[cfg(any(test, feature = "mocks"))]
pub use store::{MockIdempotencyKeys, MockIncidents, MockOutbox};
#[cfg(any(test, feature = "mocks"))]
pub use tracker::MockTrackerPort;
