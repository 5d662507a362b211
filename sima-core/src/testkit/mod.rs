//! Test support (feature `testkit`): [`TestEngine`] (an engine on fakes, in
//! one line), an in-memory store, a manual clock, recording fakes of the
//! platforms, the contract suite every
//! [`IncidentStore`](crate::ports::IncidentStore) passes (and [`views`], the
//! one SQL stores' views pass), and the messages SIMA posts, for chat
//! adapters to test their rendering against.

mod clock;
pub mod contract;
mod engine;
mod fakes;
mod memory;
mod status_page;
mod tracker;
pub mod views;

pub use clock::ManualClock;
pub use engine::{TestEngine, TEST_START};
pub use fakes::{Alert, ChatCall, FakeChat, FakeDocs, FakePager};
pub use memory::InMemoryStore;
pub use status_page::{FakeStatusPage, StatusPush};
pub use tracker::{FakeTracker, TrackerCall};

/// The messages and forms SIMA posts (card, broadcast, help, forms…), for
/// chat adapters to test their rendering against.
pub mod messages {
    pub use crate::messages::{
        action_items, answer, broadcast, card, closing_summary, declare_form, done, edit_form, effect_failed, help,
        labelled_broadcast, labelled_card, mistyped, postmortem_link, postmortem_reminder, publish_form, published,
        status_form, update, update_reminder, warning, welcome, DomainChoice, SeverityDescriptions,
    };
}
