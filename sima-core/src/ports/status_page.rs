//! A hosted status page (Atlassian Statuspage…), for companies that keep
//! theirs there: public updates are pushed to it as they are published, and
//! the incident is withdrawn from it when it is made private.

use async_trait::async_trait;

use super::PortError;
use crate::domain::{ComponentStatus, PublicStatus};

/// One public update, as the status page should show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicNotice {
    /// SIMA's incident number (`INC-7`); adapters use it to find the hosted
    /// incident a retried first push already made.
    pub incident: String,
    /// The public title (never the internal summary).
    pub title: String,
    /// The stage.
    pub status: PublicStatus,
    /// What customers are told (user text).
    pub message: String,
    /// The components affected, by name, with their status while it lasts.
    pub components: Vec<(String, ComponentStatus)>,
}

/// Where the hosted page keeps the incident, recorded after the first push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedIncident {
    /// The hosted page's id for it.
    pub id: String,
    /// Its public link, if the platform gives one.
    pub url: Option<String>,
}

/// A hosted status page.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait StatusPagePort: Send + Sync {
    /// Publishes `notice`: creates the hosted incident the first time
    /// (`hosted` is `None`; adapters MUST look for one made for
    /// `notice.incident` before creating), updates it after, and sets the
    /// components' statuses (operational again once resolved).
    ///
    /// # Errors
    /// `Invalid` if the platform refuses the notice (an unknown component);
    /// `Unauthorized` for bad credentials; `RateLimited`/`Transient` when busy
    /// or unreachable.
    async fn publish(&self, hosted: Option<HostedIncident>, notice: &PublicNotice)
        -> Result<HostedIncident, PortError>;

    /// Withdraws `hosted` from the page (the incident was made private):
    /// deletes it, so none of its updates stay public, and leaves the
    /// components it had marked operational. A later first push creates a
    /// new hosted incident (the deleted one is no longer found).
    ///
    /// # Errors
    /// `NotFound` if it is already gone (callers treat that as done);
    /// `Unsupported` where the platform cannot delete incidents (the default:
    /// it must then be removed by hand); `Unauthorized` for bad credentials;
    /// `RateLimited`/`Transient` when busy or unreachable.
    async fn withdraw(&self, hosted: HostedIncident) -> Result<(), PortError> {
        Err(PortError::Unsupported(format!("withdrawing hosted incident {} from the status page", hosted.id)))
    }
}
