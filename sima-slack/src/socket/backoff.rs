//! Waits between connection attempts: doubling from a minimum, capped, with
//! full jitter so that many clients (or two connections) do not retry in step.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// The next wait after each failure; [`Backoff::reset`] after a success.
#[derive(Debug, Clone)]
pub(super) struct Backoff {
    min: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub(super) fn new(min: Duration, max: Duration) -> Self {
        Self { min, max: max.max(min), failures: 0 }
    }

    /// The wait before the next attempt: a random time between half and all
    /// of `min × 2^failures`, never above `max`.
    pub(super) fn next_wait(&mut self) -> Duration {
        let ceiling = self.min.saturating_mul(2u32.saturating_pow(self.failures.min(16))).min(self.max);
        self.failures = self.failures.saturating_add(1);
        let half = ceiling / 2;
        half + half.mul_f64(unit_random())
    }

    /// After a connection said `hello`.
    pub(super) fn reset(&mut self) {
        self.failures = 0;
    }
}

/// A number in `[0, 1)`, from the standard library's per-instance random keys.
fn unit_random() -> f64 {
    let bits = RandomState::new().build_hasher().finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_stay_under_the_cap_and_reset() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let waits: Vec<Duration> = (0..8).map(|_| backoff.next_wait()).collect();
        assert!(waits[0] >= Duration::from_millis(50) && waits[0] <= Duration::from_millis(100), "{waits:?}");
        assert!(waits[2] >= Duration::from_millis(200) && waits[2] <= Duration::from_millis(400), "{waits:?}");
        assert!(waits.iter().all(|w| *w <= Duration::from_secs(1)), "{waits:?}");
        assert!(waits[7] >= Duration::from_millis(500), "capped, not shrinking: {waits:?}");
        backoff.reset();
        assert!(backoff.next_wait() <= Duration::from_millis(100));
    }
}
