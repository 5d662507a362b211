//! `sima_intake_shed_total{source}`: declarations refused because the
//! backlog was over `[intake] max_backlog`, by where they came from
//! (`webhook`, `alertmanager`, `api`).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

/// The `source` labels: where a refused declaration came from.
pub const SOURCES: [&str; 3] = ["webhook", "alertmanager", "api"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Source {
    source: &'static str,
}

/// Refusals per source; cheap to clone (the counters are shared).
#[derive(Debug, Clone, Default)]
pub struct IntakeMetrics {
    shed: Family<Source, Counter>,
}

impl IntakeMetrics {
    /// Counters registered in `registry`, every source shown from the start.
    pub(crate) fn register(registry: &mut Registry) -> Self {
        let metrics = Self::default();
        for source in SOURCES {
            let _ = metrics.shed.get_or_create(&Source { source });
        }
        registry.register(
            "sima_intake_shed",
            "Declarations refused (503) while the backlog was over its bound, by source",
            metrics.shed.clone(),
        );
        metrics
    }

    /// Counts one refusal from `source` (one of [`SOURCES`]).
    pub fn shed(&self, source: &'static str) {
        self.shed.get_or_create(&Source { source }).inc();
    }
}
