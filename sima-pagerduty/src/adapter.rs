//! `PagerDutyPager`: the [`PagingPort`] over Events API v2.

use async_trait::async_trait;
use sima_core::domain::PageRef;
use sima_core::ports::{Page, PagingPort, PortError};
use tracing::{instrument, warn};

use crate::client::EventsClient;
use crate::config::PagerDutyConfig;
use crate::dto::{EnqueueEventRequest, EventAction};
use crate::error::PagerDutyError;
use crate::render;

/// Pages a domain's on-call through PagerDuty Events API v2.
///
/// The domain slug (`Page::service`) picks the routing key; the incident's
/// dedup key identifies the alert, so triggering twice raises one alert and
/// acknowledge/resolve reach the same one.
#[derive(Debug, Clone)]
pub struct PagerDutyPager {
    config: PagerDutyConfig,
    client: EventsClient,
}

impl PagerDutyPager {
    /// Builds the pager.
    ///
    /// # Errors
    /// [`PagerDutyError::Client`] if the HTTP client cannot be built (TLS setup).
    pub fn new(config: PagerDutyConfig) -> Result<Self, PagerDutyError> {
        let client = EventsClient::new(&config)?;
        Ok(Self { config, client })
    }

    /// The configuration in use.
    pub fn config(&self) -> &PagerDutyConfig {
        &self.config
    }

    fn routing_key(&self, domain: &str) -> Result<&str, PagerDutyError> {
        self.config
            .routing_key_for(domain)
            .map(|key| key.expose())
            .ok_or_else(|| PagerDutyError::NoRoutingKey { domain: domain.to_owned() })
    }

    async fn send(&self, event: &EnqueueEventRequest) -> Result<(), PagerDutyError> {
        let response = self.client.enqueue(event).await?;
        if let Some(key) = response.dedup_key.as_deref().filter(|key| *key != event.dedup_key) {
            warn!(sent = %event.dedup_key, answered = %key, "PagerDuty answered with another dedup key");
        }
        Ok(())
    }

    async fn follow_up(&self, action: EventAction, page: &PageRef) -> Result<(), PortError> {
        let routing_key = self.routing_key(&page.service)?;
        let event = render::follow_up(action, &page.dedup_key, routing_key)?;
        self.send(&event).await?;
        Ok(())
    }
}

#[async_trait]
impl PagingPort for PagerDutyPager {
    #[instrument(skip_all, fields(dedup_key = %page.dedup_key, domain = %page.service), err)]
    async fn trigger(&self, page: &Page) -> Result<PageRef, PortError> {
        let routing_key = self.routing_key(&page.service)?;
        let event = render::trigger(page, routing_key)?;
        self.send(&event).await?;
        Ok(PageRef { dedup_key: page.dedup_key.clone(), service: page.service.clone() })
    }

    #[instrument(skip_all, fields(dedup_key = %page.dedup_key, domain = %page.service), err)]
    async fn acknowledge(&self, page: &PageRef) -> Result<(), PortError> {
        self.follow_up(EventAction::Acknowledge, page).await
    }

    #[instrument(skip_all, fields(dedup_key = %page.dedup_key, domain = %page.service), err)]
    async fn resolve(&self, page: &PageRef) -> Result<(), PortError> {
        self.follow_up(EventAction::Resolve, page).await
    }
}
