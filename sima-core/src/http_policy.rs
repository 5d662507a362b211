//! Timeouts and in-process retries that HTTP adapters share. Plain data: the
//! core itself makes no HTTP call.

use std::time::Duration;

use serde::Deserialize;

/// How an adapter's client waits and retries before handing a failure back
/// to the outbox (which retries later, durably).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpPolicy {
    /// Whole-request timeout, in seconds.
    pub timeout_secs: u64,
    /// Attempts per request, the first included (at least 1).
    pub max_attempts: u32,
    /// The longest `Retry-After` slept in process; longer waits are returned
    /// to the caller as `RateLimited`.
    pub max_retry_wait_secs: u64,
    /// Wait before the second attempt when the platform names none; doubled each time.
    pub backoff_ms: u64,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        Self { timeout_secs: 20, max_attempts: 3, max_retry_wait_secs: 10, backoff_ms: 500 }
    }
}

impl HttpPolicy {
    /// The whole-request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// The longest `Retry-After` worth sleeping in process.
    pub fn max_retry_wait(&self) -> Duration {
        Duration::from_secs(self.max_retry_wait_secs)
    }

    /// The wait before attempt `attempt + 1` when the platform named none.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u64 << attempt.saturating_sub(1).min(10);
        Duration::from_millis(self.backoff_ms.saturating_mul(factor))
    }
}

/// Reads an HTTP `Retry-After` value given in seconds (integer or decimal).
/// Negative or unreadable values (and HTTP dates) are `None`; a huge value
/// saturates instead of overflowing, and callers clamp it to their longest wait.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    if seconds.is_nan() || seconds < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_never_overflows() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 1.5 "), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("100000000000000000000"), Some(Duration::MAX));
        assert_eq!(parse_retry_after("1e308"), Some(Duration::MAX));
        assert_eq!(parse_retry_after("-4"), None);
        assert_eq!(parse_retry_after("NaN"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let policy = HttpPolicy { backoff_ms: 100, ..HttpPolicy::default() };
        assert_eq!(policy.backoff(1), Duration::from_millis(100));
        assert_eq!(policy.backoff(3), Duration::from_millis(400));
        assert_eq!(policy.backoff(99), Duration::from_millis(100 * 1024));
    }
}
