//! The HTTP client: one enqueue call, with timeouts and bounded retries
//! (the loop is [`HttpPolicy::run`](sima_core::HttpPolicy::run)).
//!
//! Every Events API call is idempotent (PagerDuty deduplicates by
//! `dedup_key`), so 429, 5xx, 408 and network failures are retried in process:
//! up to `max_attempts`, waiting `Retry-After` when PagerDuty names a wait
//! and an exponential backoff otherwise. A wait longer than
//! `max_retry_wait_secs` is not slept: the error goes back to the caller.

use reqwest::header::RETRY_AFTER;
use reqwest::StatusCode;
use sima_core::{retry_after_header, Attempt};

use crate::config::{HttpPolicy, PagerDutyConfig};
use crate::dto::{EnqueueEventRequest, EnqueueEventResponse};
use crate::error::PagerDutyError;

/// The longest slice of an unexpected body kept in an error.
const BODY_EXCERPT_CHARS: usize = 300;

/// Sends events to the enqueue URL.
#[derive(Debug, Clone)]
pub(crate) struct EventsClient {
    http: reqwest::Client,
    events_url: String,
    policy: HttpPolicy,
}

impl EventsClient {
    pub(crate) fn new(config: &PagerDutyConfig) -> Result<Self, PagerDutyError> {
        let http = reqwest::Client::builder()
            .timeout(config.http.timeout())
            .user_agent(concat!("sima-pagerduty/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(PagerDutyError::Client)?;
        Ok(Self { http, events_url: config.events_url.clone(), policy: config.http.clone() })
    }

    /// Enqueues `event`, retrying what may pass.
    pub(crate) async fn enqueue(&self, event: &EnqueueEventRequest) -> Result<EnqueueEventResponse, PagerDutyError> {
        let outcome = |result| match result {
            Ok(response) => Attempt::Done(response),
            Err(PagerDutyError::RateLimited { retry_after }) => {
                Attempt::Retry { error: PagerDutyError::RateLimited { retry_after }, after: retry_after }
            }
            Err(error) if error.is_retryable() => Attempt::Retry { error, after: None },
            Err(error) => Attempt::Fail(error),
        };
        self.policy.run(|_| async { outcome(self.enqueue_once(event).await) }, tokio::time::sleep).await
    }

    async fn enqueue_once(&self, event: &EnqueueEventRequest) -> Result<EnqueueEventResponse, PagerDutyError> {
        let response = self.http.post(&self.events_url).json(event).send().await.map_err(PagerDutyError::Transport)?;
        let status = response.status();
        let retry_after = retry_after_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
        let body = response.text().await.map_err(PagerDutyError::Transport)?;
        if status.is_success() {
            // 202 is the documented answer; a body we cannot read still means accepted.
            return Ok(serde_json::from_str(&body).unwrap_or_default());
        }
        match status {
            StatusCode::BAD_REQUEST => {
                let refused: EnqueueEventResponse = serde_json::from_str(&body).unwrap_or_default();
                let message = if refused.message.is_empty() { excerpt(&body) } else { refused.message };
                Err(PagerDutyError::Rejected { message, errors: refused.errors })
            }
            StatusCode::TOO_MANY_REQUESTS => Err(PagerDutyError::RateLimited { retry_after }),
            _ => Err(PagerDutyError::Status { status: status.as_u16(), body: excerpt(&body) }),
        }
    }
}

fn excerpt(body: &str) -> String {
    body.chars().take(BODY_EXCERPT_CHARS).collect()
}
