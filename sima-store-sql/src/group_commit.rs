//! Group commit: writes that arrive while one transaction is running wait in a
//! queue, and the next transaction takes all of them (up to a bound), so a
//! burst of declarations or effect outcomes costs one commit, not one each.
//!
//! Each job carries its own answer channel, and the store's [`BatchWriter`]
//! answers a job only after the commit that holds it; a failed commit answers
//! every job of its batch with the error, so no caller is told "stored" for a
//! write that was not. Batches run on a spawned task: a caller that stops
//! waiting (a client that hung up) neither cancels the batch nor the other
//! callers' writes in it.
//!
//! Urgent jobs (someone waiting: a declaration, a command) go before the
//! others (the effect worker's outcomes) when a batch is formed.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

/// Writes one batch of jobs in one transaction and answers each job.
pub trait BatchWriter: Send + Sync + 'static {
    /// One write and the channel its answer goes to.
    type Job: Send + 'static;

    /// Writes `jobs`, in order, in one transaction, then answers each.
    fn write(&self, jobs: Vec<Self::Job>) -> impl Future<Output = ()> + Send;
}

/// The queue of a [`GroupCommit`], and whether a batch task is running.
struct Queue<J> {
    urgent: VecDeque<J>,
    background: VecDeque<J>,
    running: bool,
}

impl<J> Queue<J> {
    /// Up to `max` jobs, urgent ones first; empty when nothing waits.
    fn next_batch(&mut self, max: usize) -> Vec<J> {
        let from_urgent = self.urgent.len().min(max);
        let mut batch: Vec<J> = self.urgent.drain(..from_urgent).collect();
        let from_background = self.background.len().min(max - batch.len());
        batch.extend(self.background.drain(..from_background));
        batch
    }
}

/// Groups the writes handed to [`GroupCommit::submit`] into batches for `W`.
pub struct GroupCommit<W: BatchWriter> {
    writer: W,
    queue: Mutex<Queue<W::Job>>,
    max_batch: usize,
}

impl<W: BatchWriter> std::fmt::Debug for GroupCommit<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").field("max_batch", &self.max_batch).finish_non_exhaustive()
    }
}

impl<W: BatchWriter> GroupCommit<W> {
    /// Batches of at most `max_batch` jobs (at least 1) for `writer`.
    pub fn new(writer: W, max_batch: usize) -> Arc<Self> {
        let queue = Queue { urgent: VecDeque::new(), background: VecDeque::new(), running: false };
        Arc::new(Self { writer, queue: Mutex::new(queue), max_batch: max_batch.max(1) })
    }

    /// The writer the batches run on.
    pub fn writer(&self) -> &W {
        &self.writer
    }

    /// Queues `job` (before the background ones when `urgent`) and makes sure
    /// a batch task is running; the job's channel gets the answer. Must be
    /// called inside a Tokio runtime.
    pub fn submit(self: &Arc<Self>, job: W::Job, urgent: bool) {
        let start = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            if urgent {
                queue.urgent.push_back(job);
            } else {
                queue.background.push_back(job);
            }
            !std::mem::replace(&mut queue.running, true)
        };
        if start {
            tokio::spawn(Arc::clone(self).drain());
        }
    }

    /// Writes batches until the queue is empty.
    async fn drain(self: Arc<Self>) {
        loop {
            let batch = {
                let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
                let batch = queue.next_batch(self.max_batch);
                if batch.is_empty() {
                    queue.running = false;
                    return;
                }
                batch
            };
            self.writer.write(batch).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::sync::oneshot;

    /// Records each batch it was given; answers each job with its batch's index.
    #[derive(Default)]
    struct Recording {
        batches: Mutex<Vec<Vec<u32>>>,
    }

    impl BatchWriter for Arc<Recording> {
        type Job = (u32, oneshot::Sender<usize>);

        async fn write(&self, jobs: Vec<Self::Job>) {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let index = {
                let mut batches = self.batches.lock().unwrap();
                batches.push(jobs.iter().map(|(n, _)| *n).collect());
                batches.len() - 1
            };
            for (_, answer) in jobs {
                let _ = answer.send(index);
            }
        }
    }

    fn submit(group: &Arc<GroupCommit<Arc<Recording>>>, n: u32, urgent: bool) -> oneshot::Receiver<usize> {
        let (tx, rx) = oneshot::channel();
        group.submit((n, tx), urgent);
        rx
    }

    #[tokio::test]
    async fn jobs_that_arrive_during_a_batch_share_the_next_one_urgent_first() {
        let recording = Arc::new(Recording::default());
        let group = GroupCommit::new(Arc::clone(&recording), 3);
        let first = submit(&group, 0, false);
        tokio::task::yield_now().await;
        let waiting: Vec<_> = [(1, false), (2, false), (3, true), (4, false), (5, true)]
            .into_iter()
            .map(|(n, urgent)| submit(&group, n, urgent))
            .collect();
        assert_eq!(first.await.unwrap(), 0);
        let answers: Vec<usize> = futures_answers(waiting).await;
        assert_eq!(*recording.batches.lock().unwrap(), vec![vec![0], vec![3, 5, 1], vec![2, 4]]);
        assert_eq!(answers, vec![1, 2, 1, 2, 1]);
    }

    #[tokio::test]
    async fn a_queue_emptied_and_filled_again_starts_a_new_task() {
        let recording = Arc::new(Recording::default());
        let group = GroupCommit::new(Arc::clone(&recording), 8);
        assert_eq!(submit(&group, 1, true).await.unwrap(), 0);
        assert_eq!(submit(&group, 2, false).await.unwrap(), 1);
        assert_eq!(recording.batches.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_caller_that_stops_waiting_does_not_stop_the_batch() {
        let recording = Arc::new(Recording::default());
        let group = GroupCommit::new(Arc::clone(&recording), 8);
        drop(submit(&group, 1, true));
        let kept = submit(&group, 2, true);
        assert_eq!(kept.await.unwrap(), 0);
        assert_eq!(*recording.batches.lock().unwrap(), vec![vec![1, 2]]);
    }

    async fn futures_answers(receivers: Vec<oneshot::Receiver<usize>>) -> Vec<usize> {
        let mut answers = Vec::new();
        for rx in receivers {
            answers.push(rx.await.unwrap());
        }
        answers
    }
}
