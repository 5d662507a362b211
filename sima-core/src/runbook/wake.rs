//! A coalescing wake-up signal from the service to the workers of one engine.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::Poll;

use futures::task::AtomicWaker;

/// One receiver's pending flag and waker.
#[derive(Debug, Default)]
struct Slot {
    pending: AtomicBool,
    waker: AtomicWaker,
}

/// Tells the workers that new effects are due. Cheap to clone; signals sent
/// while one is pending are merged into one. Every receiver subscribed and
/// still alive is woken.
#[derive(Debug, Clone, Default)]
pub(crate) struct WakeSender(Arc<Mutex<Vec<Weak<Slot>>>>);

/// One worker's end of the signal.
#[derive(Debug)]
pub(crate) struct WakeReceiver(Arc<Slot>);

impl WakeSender {
    /// A signal nobody listens to yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A new receiver, woken by every later signal.
    pub(crate) fn subscribe(&self) -> WakeReceiver {
        let slot = Arc::new(Slot::default());
        let mut slots = self.0.lock().unwrap_or_else(|e| e.into_inner());
        slots.retain(|s| s.strong_count() > 0);
        slots.push(Arc::downgrade(&slot));
        WakeReceiver(slot)
    }

    /// Signals every receiver; never blocks on one.
    pub(crate) fn wake(&self) {
        let slots = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for slot in slots.iter().filter_map(Weak::upgrade) {
            slot.pending.store(true, Ordering::Release);
            slot.waker.wake();
        }
    }
}

impl WakeReceiver {
    /// Waits for the next signal (returns at once if one is pending).
    pub(crate) async fn notified(&mut self) {
        poll_fn(|cx| {
            self.0.waker.register(cx.waker());
            if self.0.pending.swap(false, Ordering::AcqRel) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_live_receiver_is_woken_and_signals_coalesce() {
        let sender = WakeSender::new();
        let (mut first, mut second) = (sender.subscribe(), sender.subscribe());
        sender.wake();
        sender.wake();
        first.notified().await;
        second.notified().await;
        assert!(futures::poll!(std::pin::pin!(first.notified())).is_pending(), "two signals, one wake-up");
        drop(second);
        sender.wake();
        first.notified().await;
        assert_eq!(sender.0.lock().unwrap().iter().filter(|s| s.strong_count() > 0).count(), 1);
    }
}
