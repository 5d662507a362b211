//! Test support (feature `testkit`): an in-memory store, a manual clock, and
//! the contract suite every [`IncidentStore`](crate::ports::IncidentStore) passes.

mod clock;
pub mod contract;
mod memory;

pub use clock::ManualClock;
pub use memory::InMemoryStore;
