//! `sima_worker_running` and `sima_effect_failures_total{kind}`: what this
//! process's effect worker says, with or without a store.

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
        gauge(&mut encoder, "sima_worker_running", "Whether the effect worker runs.", running)
    }
}
