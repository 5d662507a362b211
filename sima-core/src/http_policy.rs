//! Timeouts and in-process retries that HTTP adapters share. Plain data: the
//! core itself makes no HTTP call.

use std::fmt::Display;
use std::future::Future;
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

/// How one attempt of a request ended, as [`HttpPolicy::run`] needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt<T, E> {
    /// It succeeded.
    Done(T),
    /// It failed in a way that may pass if repeated (a rate limit, or a 5xx
    /// on a request that is safe to send again); `after` is the wait the
    /// platform named (`Retry-After`), if any.
    Retry {
        /// The failure, returned if no attempt is left.
        error: E,
        /// The wait the platform asked for.
        after: Option<Duration>,
    },
    /// It failed for good: returned at once.
    Fail(E),
}

impl HttpPolicy {
    /// Runs `attempt(1)`, `attempt(2)`, … until one is not [`Attempt::Retry`]
    /// or `max_attempts` have run, sleeping between them the wait the platform
    /// named, else [`HttpPolicy::backoff`]. A wait longer than
    /// [`HttpPolicy::max_retry_wait`] is not slept: that error is returned, so
    /// the caller (the outbox) retries later, durably. `sleep` is the runtime's
    /// timer, so the core stays runtime-free.
    ///
    /// # Errors
    /// The last attempt's error.
    pub async fn run<T, E, A, AF, S, SF>(&self, mut attempt: A, mut sleep: S) -> Result<T, E>
    where
        E: Display,
        A: FnMut(u32) -> AF,
        AF: Future<Output = Attempt<T, E>>,
        S: FnMut(Duration) -> SF,
        SF: Future<Output = ()>,
    {
        let max_attempts = self.max_attempts.max(1);
        let mut number = 1;
        loop {
            let (error, after) = match attempt(number).await {
                Attempt::Done(value) => return Ok(value),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { error, after } => (error, after),
            };
            let wait = after.unwrap_or_else(|| self.backoff(number));
            if number >= max_attempts || wait > self.max_retry_wait() {
                return Err(error);
            }
            tracing::warn!(%error, attempt = number, wait_ms = wait.as_millis() as u64, "HTTP call failed, retrying");
            sleep(wait).await;
            number += 1;
        }
    }
}

/// Reads an HTTP `Retry-After` value given in seconds (integer or decimal).
/// Negative or unreadable values (and HTTP dates) are `None`; a huge value
/// saturates instead of overflowing, and callers clamp it to their longest wait.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    if seconds.is_nan() || seconds < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
}

/// Reads a `Retry-After` header's raw value (as `HeaderValue::as_bytes`
/// gives it), if the response had one: seconds, integer or decimal; negative
/// or unreadable values and HTTP dates are `None`, huge ones saturate.
pub fn retry_after_header(value: Option<&[u8]>) -> Option<Duration> {
    parse_retry_after(std::str::from_utf8(value?).ok()?)
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
    fn retry_after_header_reads_a_present_value() {
        assert_eq!(retry_after_header(None), None);
        assert_eq!(retry_after_header(Some(b"2")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after_header(Some(b"soon")), None);
        assert_eq!(retry_after_header(Some(&[0xff])), None);
    }

    type Slept = std::sync::Arc<std::sync::Mutex<Vec<Duration>>>;

    /// Runs `policy` over a scripted list of outcomes; returns the result,
    /// the attempts made and the waits slept.
    fn run_script(policy: &HttpPolicy, script: Vec<Attempt<u8, String>>) -> (Result<u8, String>, u32, Vec<Duration>) {
        let script = std::sync::Mutex::new(script.into_iter());
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let slept: Slept = Slept::default();
        let recorder = slept.clone();
        let result = futures::executor::block_on(policy.run(
            |n| {
                attempts.store(n, std::sync::atomic::Ordering::SeqCst);
                let next = script.lock().unwrap().next().unwrap_or(Attempt::Fail("script ran out".into()));
                async move { next }
            },
            |wait| {
                recorder.lock().unwrap().push(wait);
                async {}
            },
        ));
        let waits = slept.lock().unwrap().clone();
        (result, attempts.into_inner(), waits)
    }

    fn retry(after: Option<u64>) -> Attempt<u8, String> {
        Attempt::Retry { error: "busy".into(), after: after.map(Duration::from_secs) }
    }

    #[test]
    fn run_honours_retry_after_then_backoff() {
        let policy = HttpPolicy { max_attempts: 3, backoff_ms: 100, ..HttpPolicy::default() };
        let (result, attempts, slept) = run_script(&policy, vec![retry(Some(2)), retry(None), Attempt::Done(7)]);
        assert_eq!(result, Ok(7));
        assert_eq!(attempts, 3);
        assert_eq!(slept, vec![Duration::from_secs(2), Duration::from_millis(200)]);
    }

    #[test]
    fn run_stops_at_max_attempts_and_on_permanent_failures() {
        let policy = HttpPolicy { max_attempts: 2, backoff_ms: 1, ..HttpPolicy::default() };
        let (result, attempts, slept) = run_script(&policy, vec![retry(None), retry(None), Attempt::Done(1)]);
        assert_eq!((result, attempts, slept.len()), (Err("busy".into()), 2, 1));
        let (result, attempts, slept) = run_script(&policy, vec![Attempt::Fail("no".into()), Attempt::Done(1)]);
        assert_eq!((result, attempts, slept.len()), (Err("no".into()), 1, 0));
    }

    #[test]
    fn run_returns_a_wait_longer_than_the_cap_instead_of_sleeping() {
        let policy = HttpPolicy { max_attempts: 5, max_retry_wait_secs: 10, ..HttpPolicy::default() };
        let (result, attempts, slept) = run_script(&policy, vec![retry(Some(11)), Attempt::Done(1)]);
        assert_eq!((result, attempts, slept), (Err("busy".into()), 1, vec![]));
    }

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let policy = HttpPolicy { backoff_ms: 100, ..HttpPolicy::default() };
        assert_eq!(policy.backoff(1), Duration::from_millis(100));
        assert_eq!(policy.backoff(3), Duration::from_millis(400));
        assert_eq!(policy.backoff(99), Duration::from_millis(100 * 1024));
    }
}
