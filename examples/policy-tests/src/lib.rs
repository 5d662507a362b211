//! An example of a company policy on top of SIMA, and (in `tests/`) how to
//! unit-test it with mockall mocks of the ports: no Slack, no PagerDuty.
//!
//! # Layout
//! - [`runbook`]: Acme's settings: where incidents are announced, what pages.

use sima_core::domain::{RoomId, Severity};
use sima_core::{PagingPolicy, RunbookConfig};

/// Acme pages its on-calls for sev1 and sev2 only, and announces every
/// incident in `#incidents` (channel `C0INCIDENTS`).
pub fn runbook() -> RunbookConfig {
    RunbookConfig {
        broadcast_room: RoomId::new("C0INCIDENTS"),
        public_url: "https://sima.acme.example".into(),
        room_prefix: "inc".into(),
        paging: PagingPolicy { min_severity: Severity::Sev2 },
    }
}
