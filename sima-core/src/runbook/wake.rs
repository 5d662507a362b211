//! A coalescing wake-up signal from the service to the worker.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;

use futures::task::AtomicWaker;

#[derive(Debug, Default)]
struct Shared {
    pending: AtomicBool,
    waker: AtomicWaker,
}

/// Tells the worker that new effects are due. Cheap to clone; signals sent
/// while one is pending are merged into one.
#[derive(Debug, Clone)]
pub struct WakeSender(Arc<Shared>);

/// The worker's end of the signal.
#[derive(Debug)]
pub struct WakeReceiver(Arc<Shared>);

/// A connected sender and receiver.
pub fn wake_channel() -> (WakeSender, WakeReceiver) {
    let shared = Arc::new(Shared::default());
    (WakeSender(shared.clone()), WakeReceiver(shared))
}

impl WakeSender {
    /// Signals the worker; never blocks.
    pub fn wake(&self) {
        self.0.pending.store(true, Ordering::Release);
        self.0.waker.wake();
    }
}

impl WakeReceiver {
    /// Waits for the next signal (returns at once if one is pending).
    pub async fn notified(&mut self) {
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
