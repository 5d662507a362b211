//! How many effects the worker runs at once: a limit that adapts to what
//! effects cost instead of a fixed pool.
//!
//! Each finished effect reports how long it took (loading its incident,
//! the provider call, recording the outcome) and whether a provider or the
//! store pushed back (rate limited, unreachable).
//! - Push-back shrinks the limit by a tenth (down to the floor).
//! - When effects take more than twice the fastest recent ones (plus a
//!   small tolerance), work is queueing somewhere shared (the store's write
//!   lock, the connection pool), so the limit shrinks by one: more effects
//!   at once would only lengthen that queue, and slow the requests that
//!   share it.
//! - Otherwise, while the worker is using its whole limit, the limit grows
//!   by `1/√limit` per effect: slow providers (100 ms a call) get many
//!   effects in flight, fast ones few.
//!
//! The fastest recent time is forgotten every [`RESET_EVERY`] effects, so
//! the limit follows providers that became slower for good.

use std::sync::Mutex;
use std::time::Duration;

/// Effects after which the fastest time seen is replaced by the recent average.
pub(crate) const RESET_EVERY: u32 = 1_000;
/// Time above twice the fastest that still counts as "not queueing".
const TOLERANCE: Duration = Duration::from_millis(2);

#[derive(Debug)]
struct State {
    limit: f64,
    /// The fastest effect since the last reset, in seconds.
    fastest: Option<f64>,
    /// The exponentially weighted average time of recent effects, in seconds.
    recent: Option<f64>,
    samples: u32,
}

/// The worker's concurrency limit, between a floor and a ceiling.
#[derive(Debug)]
pub(crate) struct AdaptiveLimit {
    state: Mutex<State>,
    floor: usize,
    ceiling: usize,
}

impl AdaptiveLimit {
    /// A limit starting at `start`, kept within `floor..=ceiling` (both at least 1).
    pub(crate) fn new(start: usize, floor: usize, ceiling: usize) -> Self {
        let floor = floor.max(1);
        let ceiling = ceiling.max(floor);
        let limit = start.clamp(floor, ceiling) as f64;
        Self { state: Mutex::new(State { limit, fastest: None, recent: None, samples: 0 }), floor, ceiling }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Every update leaves the numbers valid: a panic elsewhere cannot break them.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many effects may run at once now.
    pub(crate) fn current(&self) -> usize {
        (self.state().limit as usize).clamp(self.floor, self.ceiling)
    }

    /// One effect finished after `took`, with `in_flight` effects running
    /// (itself included); `pushed_back` when a provider or the store refused
    /// for now (rate limited, unreachable).
    pub(crate) fn finished(&self, took: Duration, in_flight: usize, pushed_back: bool) {
        let (floor, ceiling) = (self.floor as f64, self.ceiling as f64);
        let mut state = self.state();
        let took = took.as_secs_f64();
        let recent = state.recent.map_or(took, |r| 0.9 * r + 0.1 * took);
        state.recent = Some(recent);
        state.samples += 1;
        if state.samples >= RESET_EVERY {
            state.samples = 0;
            state.fastest = Some(recent);
        }
        let fastest = state.fastest.map_or(took, |f| f.min(took));
        state.fastest = Some(fastest);
        let limit = state.limit;
        state.limit = if pushed_back {
            (limit * 0.9).max(floor)
        } else if recent > 2.0 * fastest + TOLERANCE.as_secs_f64() {
            (limit - 1.0).max(floor)
        } else if in_flight as f64 + 1.0 >= limit {
            (limit + 1.0 / limit.sqrt()).min(ceiling)
        } else {
            limit
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn slow_providers_that_do_not_queue_raise_the_limit_to_the_ceiling() {
        let limit = AdaptiveLimit::new(32, 8, 256);
        for _ in 0..5_000 {
            let now = limit.current();
            limit.finished(100 * MS, now, false);
        }
        assert_eq!(limit.current(), 256);
    }

    #[test]
    fn an_idle_worker_keeps_its_limit() {
        let limit = AdaptiveLimit::new(32, 8, 256);
        for _ in 0..1_000 {
            limit.finished(100 * MS, 3, false);
        }
        assert_eq!(limit.current(), 32);
    }

    #[test]
    fn queueing_and_push_back_lower_it_to_the_floor_and_no_further() {
        let limit = AdaptiveLimit::new(32, 8, 256);
        limit.finished(MS, 32, false);
        for _ in 0..100 {
            limit.finished(50 * MS, 32, false);
        }
        assert_eq!(limit.current(), 8, "effects 50 times slower than the fastest: work is queueing");
        let pushed = AdaptiveLimit::new(64, 4, 256);
        for _ in 0..7 {
            pushed.finished(MS, 64, true);
        }
        assert_eq!(pushed.current(), 30, "64 × 0.9⁷ = 30.6");
        for _ in 0..100 {
            pushed.finished(MS, 64, true);
        }
        assert_eq!(pushed.current(), 4);
    }
}
