//! An example of a company policy on top of SIMA, and (in `tests/`) how to
//! unit-test it with mockall mocks of the ports (no Slack, no PagerDuty), and
//! how to check that it tells the same story whichever chat platform runs it
//! (`same_story.rs`: Slack and Teams adapters against mocks of their services).
//!
//! # Layout
//! - [`runbook`]: Acme's settings: where incidents are announced, what pages.

use sima_core::domain::{RoomId, Severity};
use sima_core::{PagingPolicy, RunbookConfig, Schedule};

/// Acme pages its on-calls for sev1 and sev2 only, announces every incident
/// in `#incidents` (channel `C0INCIDENTS`), and asks for an update on a sev1
/// after 15 minutes of silence (30 for the others).
pub fn runbook() -> RunbookConfig {
    let mut schedule = Schedule::default();
    schedule.update_after_by_severity.insert(Severity::Sev1, Some(std::time::Duration::from_secs(15 * 60)));
    RunbookConfig {
        broadcast_room: RoomId::new("C0INCIDENTS"),
        public_url: "https://sima.acme.example".into(),
        room_prefix: "inc".into(),
        paging: PagingPolicy { min_severity: Severity::Sev2 },
        schedule,
    }
}
