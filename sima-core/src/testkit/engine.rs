//! [`TestEngine`]: an engine on fakes, in one line.

use std::sync::Arc;

use super::{FakeChat, FakeDocs, FakePager, InMemoryStore, ManualClock};
use crate::engine::{Engine, EngineBuilder};
use crate::runbook::{RunbookConfig, Schedule};

/// When a [`TestEngine`]'s clock starts.
pub const TEST_START: &str = "2026-11-25T10:00:00Z";

/// An [`Engine`] built on fakes, with handles to them: an in-memory store, a
/// manual clock stopped at [`TEST_START`], and a chat, a pager and a docs
/// platform that record every call. Reminders and archiving are off
/// ([`Schedule::off`]) unless the test sets a runbook; effects run when the
/// test says so (`test.engine.worker().run_until_idle()`).
///
/// ```
/// # use sima_core::testkit::{contract::declaration, TestEngine};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let declaration = declaration("payments", sima_core::Severity::Sev2, None);
/// let test = TestEngine::new();
/// test.engine.service().declare(declaration).await?;
/// test.engine.worker().run_until_idle().await?;
/// assert_eq!(test.chat.rooms().len(), 1);
/// # Ok(())
/// # }
/// ```
pub struct TestEngine {
    /// The engine.
    pub engine: Engine,
    /// Its store.
    pub store: Arc<InMemoryStore>,
    /// Its clock.
    pub clock: Arc<ManualClock>,
    /// Its chat platform.
    pub chat: Arc<FakeChat>,
    /// Its paging platform.
    pub pager: Arc<FakePager>,
    /// Its documents platform.
    pub docs: Arc<FakeDocs>,
}

impl std::fmt::Debug for TestEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestEngine").field("engine", &self.engine).field("clock", &self.clock).finish_non_exhaustive()
    }
}

impl Default for TestEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl TestEngine {
    /// An engine on fakes.
    pub fn new() -> Self {
        Self::with(|builder| builder)
    }

    /// An engine on fakes, with the builder adjusted by `configure` first: a
    /// runbook, policies, domains, worker settings, or another platform or
    /// clock in place of a fake (whose handle then sees nothing).
    ///
    /// # Panics
    /// Never: the builder always has a store and a clock.
    pub fn with(configure: impl FnOnce(EngineBuilder) -> EngineBuilder) -> Self {
        let store = Arc::new(InMemoryStore::new());
        let clock = Arc::new(ManualClock::at_str(TEST_START));
        let (chat, pager, docs) = (Arc::new(FakeChat::new()), Arc::new(FakePager::new()), Arc::new(FakeDocs::new()));
        let builder = Engine::builder()
            .store(store.clone())
            .clock(clock.clone())
            .chat(chat.clone())
            .paging(pager.clone())
            .docs(docs.clone())
            .runbook(RunbookConfig { schedule: Schedule::off(), ..RunbookConfig::default() });
        let engine = configure(builder).build().expect("the test builder always has a store and a clock");
        Self { engine, store, clock, chat, pager, docs }
    }
}
