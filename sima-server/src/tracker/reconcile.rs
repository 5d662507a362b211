//! The read-back loop: every `[tracker] reconcile_every` the service reads
//! each open ticket from the tracker and records what moved, so a webhook
//! lost on the way (the server down, a network fault, a webhook never
//! registered) is caught within one period. Several replicas may run it at
//! once: a change is recorded once, whoever sees it first, since recording a
//! ticket as it already is changes nothing.

use std::future::Future;
use std::time::Duration;

use sima_core::IncidentService;
use tokio::time::{interval_at, Instant, Interval, MissedTickBehavior};

/// The most tickets read back in one pass; each pass goes on where the previous one stopped.
pub const TICKETS_PER_PASS: usize = 1000;

/// The longest period between passes: a longer `reconcile_every` reads back yearly.
pub const MAX_PERIOD: Duration = Duration::from_secs(365 * 86_400);

/// Reads every open ticket back every `period` until `stop` completes; the
/// first pass runs one period after the start.
pub async fn run(service: IncidentService, period: Duration, stop: impl Future<Output = ()> + Send) {
    let mut ticks = ticks(period);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = ticks.tick() => pass(&service).await,
        }
    }
}

/// A tick every `period` (at most [`MAX_PERIOD`], so that no clock overflows), the first one period from now.
fn ticks(period: Duration) -> Interval {
    let period = period.min(MAX_PERIOD);
    let mut ticks = interval_at(Instant::now() + period, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks
}

/// One pass; a failure is logged and the next pass tries again.
async fn pass(service: &IncidentService) {
    match service.reconcile_tickets(TICKETS_PER_PASS).await {
        Ok(report) => tracing::debug!(?report, "tickets read back"),
        Err(error) => tracing::warn!(%error, "could not read the tickets back; trying again next period"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn any_period_the_settings_accept_ticks_without_overflowing() {
        let longest = Duration::from_secs(u64::MAX);
        assert_eq!(ticks(longest).period(), MAX_PERIOD);
        assert_eq!(ticks(Duration::from_secs(1)).period(), Duration::from_secs(1));
    }
}
