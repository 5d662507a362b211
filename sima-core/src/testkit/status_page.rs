//! A hosted status page in memory: incidents found by SIMA's number, as the
//! port requires, every push and withdrawal recorded, failures scripted.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use crate::ports::{HostedIncident, PortError, PublicNotice, StatusPagePort};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One push a [`FakeStatusPage`] received: the hosted incident it was
/// given (`None` the first time) and the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPush {
    /// The hosted incident SIMA had recorded.
    pub hosted: Option<HostedIncident>,
    /// What was pushed.
    pub notice: PublicNotice,
}

/// A hosted status page in memory. Its incidents are `hosted-1`,
/// `hosted-2`… at `https://status.example/incidents/hosted-1`; a first push
/// for an incident number it already holds finds that one, as adapters must.
/// A withdrawn incident is deleted: it is not found again, and the next first
/// push for the same number creates a new one.
#[derive(Default)]
pub struct FakeStatusPage {
    pushes: Mutex<Vec<StatusPush>>,
    withdrawals: Mutex<Vec<HostedIncident>>,
    incidents: Mutex<BTreeMap<String, HostedIncident>>,
    created: Mutex<usize>,
    failures: Mutex<VecDeque<PortError>>,
}

impl FakeStatusPage {
    /// An empty page that answers at once.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next push or withdrawal fails with `error`, doing nothing.
    pub fn fail_next(&self, error: PortError) {
        lock(&self.failures).push_back(error);
    }

    /// Every push that went through, in order.
    pub fn pushes(&self) -> Vec<StatusPush> {
        lock(&self.pushes).clone()
    }

    /// Every withdrawal that went through (the incident deleted, or found
    /// already gone), in order.
    pub fn withdrawals(&self) -> Vec<HostedIncident> {
        lock(&self.withdrawals).clone()
    }

    /// The hosted incidents, by SIMA's incident number.
    pub fn incidents(&self) -> BTreeMap<String, HostedIncident> {
        lock(&self.incidents).clone()
    }
}

#[async_trait]
impl StatusPagePort for FakeStatusPage {
    async fn publish(
        &self,
        hosted: Option<HostedIncident>,
        notice: &PublicNotice,
    ) -> Result<HostedIncident, PortError> {
        if let Some(error) = lock(&self.failures).pop_front() {
            return Err(error);
        }
        let mut incidents = lock(&self.incidents);
        let found = match &hosted {
            Some(given) => given.clone(),
            None => incidents
                .entry(notice.incident.clone())
                .or_insert_with(|| {
                    let mut created = lock(&self.created);
                    *created += 1;
                    HostedIncident {
                        id: format!("hosted-{created}"),
                        url: Some(format!("https://status.example/incidents/hosted-{created}")),
                    }
                })
                .clone(),
        };
        lock(&self.pushes).push(StatusPush { hosted, notice: notice.clone() });
        Ok(found)
    }

    async fn withdraw(&self, hosted: HostedIncident) -> Result<(), PortError> {
        if let Some(error) = lock(&self.failures).pop_front() {
            return Err(error);
        }
        let mut incidents = lock(&self.incidents);
        let before = incidents.len();
        incidents.retain(|_, kept| kept.id != hosted.id);
        let deleted = incidents.len() < before;
        lock(&self.withdrawals).push(hosted.clone());
        if deleted {
            Ok(())
        } else {
            Err(PortError::NotFound(format!("hosted incident {}", hosted.id)))
        }
    }
}
