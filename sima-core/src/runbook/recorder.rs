//! [`Recorder`]: what the effect worker needs to write outcomes on incidents,
//! and nothing more. The service implements it; the worker never sees the
//! use cases.

use std::time::Duration;

use async_trait::async_trait;

use crate::domain::{EffectKind, Incident, IncidentId, Outcome};
use crate::ports::{Claim, ClaimedEffect};

/// Why an outcome was not recorded; the worker logs it and the effect runs again.
pub(crate) type NotRecorded = Box<dyn std::error::Error + Send + Sync>;

/// What [`Recorder::record`] stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recorded {
    /// The incident after the outcomes.
    pub(crate) incident: Incident,
    /// The follow-up effects due now, leased to the recording claim: the
    /// caller runs them (or lets their leases lapse for another worker).
    pub(crate) follow_ups: Vec<ClaimedEffect>,
}

/// Writes what effects did on their incidents.
#[async_trait]
pub(crate) trait Recorder: Send + Sync {
    /// Records what the effect held by `completes` achieved, and marks it done
    /// in the same transaction. The follow-up effects this plans that are due
    /// now are enqueued already leased to the same claim for `lease`, and
    /// returned, so the recording worker runs them without claiming them.
    async fn record(
        &self,
        id: IncidentId,
        outcomes: Vec<Outcome>,
        completes: Claim,
        lease: Duration,
    ) -> Result<Recorded, NotRecorded>;

    /// Records on the incident that `effect` failed for good, and why.
    async fn record_failure(&self, id: IncidentId, effect: EffectKind, error: &str) -> Result<(), NotRecorded>;
}
