//! The incident counts behind `/metrics`, cached. The shared state holds
//! them and `/metrics` reads them; they use neither.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sima_core::domain::{Severity, Status};
use sima_core::ports::IncidentFilter;
use sima_core::{IncidentService, ServiceError};

/// How long `/metrics` reuses its incident counts before reading them again.
pub const GAUGE_TTL: Duration = Duration::from_secs(5);

/// Incident counts by status and severity, read from the store at most once
/// per [`GAUGE_TTL`] however often `/metrics` is scraped.
#[derive(Debug, Default)]
pub struct IncidentGauges {
    cached: Mutex<Option<(Instant, Vec<usize>)>>,
}

impl IncidentGauges {
    /// Counts in `Status::ALL` × `Severity::ALL` order.
    pub(crate) async fn counts(&self, service: &IncidentService) -> Result<Vec<usize>, ServiceError> {
        if let Some((at, counts)) = self.cached.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if at.elapsed() < GAUGE_TTL {
                return Ok(counts.clone());
            }
        }
        let rows = service.milestones(&IncidentFilter::default()).await?;
        let mut counts = vec![0; Status::ALL.len() * Severity::ALL.len()];
        for row in &rows {
            let s = Status::ALL.iter().position(|x| *x == row.status).unwrap_or_default();
            let v = Severity::ALL.iter().position(|x| *x == row.severity).unwrap_or_default();
            if let Some(n) = counts.get_mut(s * Severity::ALL.len() + v) {
                *n += 1;
            }
        }
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), counts.clone()));
        Ok(counts)
    }
}
