//! Test support (feature `testkit`): an in-memory store, a manual clock,
//! recording fakes of the platforms, and the contract suite every
//! [`IncidentStore`](crate::ports::IncidentStore) passes.

mod clock;
pub mod contract;
mod fakes;
mod memory;

pub use clock::ManualClock;
pub use fakes::{Alert, ChatCall, FakeChat, FakeDocs, FakePager};
pub use memory::InMemoryStore;
