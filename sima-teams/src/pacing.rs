//! Pacing: at most a few requests a second on one team or one channel.
//!
//! Teams throttles a bot that writes faster than a few messages a second in
//! one conversation, and Graph throttles channel operations per team. Rather
//! than meet those limits as 429s, calls on one target are spaced evenly
//! (`1 / rate` apart, no burst), so any one-second window holds at most
//! `rate` calls on that target. Different targets do not wait for each other.
//! A 429 that still comes back is mapped to `RateLimited` as usual.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::TeamsError;

/// Targets remembered before the idle ones are forgotten.
const MAX_TARGETS: usize = 1024;

/// What a call is paced on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// A team: Graph's channel operations.
    Team(String),
    /// A channel (or chat): messages in it through the Connector.
    Channel(String),
}

impl Target {
    /// The channel of a conversation id: a thread's id without its `;messageid=…` part.
    pub(crate) fn channel_of(conversation: &str) -> Self {
        let channel = conversation.split_once(";messageid=").map_or(conversation, |(channel, _)| channel);
        Self::Channel(channel.to_owned())
    }
}

/// Spaces the calls on each target.
pub(crate) struct Pacer {
    limiter: DefaultKeyedRateLimiter<Target>,
    clock: DefaultClock,
}

impl Pacer {
    /// At most `per_second` calls a second on each target.
    ///
    /// # Errors
    /// `TeamsError::Config` when `per_second` is 0.
    pub(crate) fn new(per_second: u32) -> Result<Self, TeamsError> {
        let rate = NonZeroU32::new(per_second)
            .ok_or_else(|| TeamsError::Config("requests_per_second must be at least 1".into()))?;
        let quota = Quota::with_period(Duration::from_secs(1) / rate.get())
            .ok_or_else(|| TeamsError::Config("requests_per_second is too large".into()))?
            .allow_burst(NonZeroU32::MIN);
        Ok(Self { limiter: RateLimiter::keyed(quota), clock: DefaultClock::default() })
    }

    /// Waits until a call on `target` may go.
    pub(crate) async fn wait(&self, target: &Target) {
        loop {
            match self.limiter.check_key(target) {
                Ok(()) => break,
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    tracing::debug!(?target, wait_ms = wait.as_millis(), "pacing a call");
                    tokio::time::sleep(wait).await;
                }
            }
        }
        if self.limiter.len() > MAX_TARGETS {
            self.limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_of_zero_is_refused() {
        assert!(Pacer::new(0).is_err());
        assert!(Pacer::new(4).is_ok());
    }

    #[test]
    fn the_channel_of_a_thread_is_the_conversation_without_its_message() {
        assert_eq!(Target::channel_of("19:a@thread.tacv2;messageid=17"), Target::Channel("19:a@thread.tacv2".into()));
        assert_eq!(Target::channel_of("a:1personal"), Target::Channel("a:1personal".into()));
    }

    #[tokio::test]
    async fn calls_on_one_target_are_spaced_and_other_targets_do_not_wait() {
        let pacer = Pacer::new(4).unwrap();
        let room = Target::Channel("19:room".into());
        let started = std::time::Instant::now();
        for _ in 0..3 {
            pacer.wait(&room).await;
        }
        // The first call goes at once, the next two 250 ms apart.
        assert!(started.elapsed() >= Duration::from_millis(490), "{:?}", started.elapsed());
        assert!(pacer.limiter.check_key(&Target::Team("team-1".into())).is_ok(), "another target is free");
    }
}
