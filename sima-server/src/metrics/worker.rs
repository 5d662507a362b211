//! `sima_worker_running`, `sima_effect_failures_total{kind}`,
//! `sima_worker_in_flight` and `sima_worker_concurrency_limit`: what this
//! process's effect worker says, with or without a store. The backlog it
//! works through is the store's (`sima_effects_pending`,
//! `sima_effects_oldest_pending_seconds`).

use std::fmt;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use sima_core::domain::EffectKind;
use sima_core::EffectWorker;

use super::encode::{counters, gauge};

/// Writes the worker's state at each scrape.
#[derive(Debug)]
pub(crate) struct WorkerCollector(pub(crate) EffectWorker);

impl Collector for WorkerCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let failures = self.0.failures();
        let given_up =
            EffectKind::ALL.map(|kind| ([("kind", kind.as_str())], failures.get(&kind).copied().unwrap_or(0)));
        counters(&mut encoder, "sima_effect_failures", "Effects given up by this process, by kind.", given_up)?;
        let running = u64::from(self.0.is_running());
        gauge(&mut encoder, "sima_worker_running", "Whether the effect worker runs.", running)?;
        let in_flight = self.0.in_flight() as u64;
        gauge(&mut encoder, "sima_worker_in_flight", "Effects this process is running now.", in_flight)?;
        let limit = self.0.concurrency_limit() as u64;
        gauge(&mut encoder, "sima_worker_concurrency_limit", "Effects this process may run at once now.", limit)
    }
}
