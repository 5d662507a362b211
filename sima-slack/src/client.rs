//! The Web API client: JSON POSTs with bearer auth, timeouts, and a few
//! in-process retries on rate limits.
//!
//! Only rate limits are retried here: Slack did not act on a rate-limited
//! call, so repeating it is safe. The wait is Slack's `Retry-After`, else the
//! policy's backoff ([`HttpPolicy::run`](sima_core::HttpPolicy::run)). A 5xx
//! or a timeout may hide a message that was posted, so those go back to the
//! outbox as `Transient`, which decides.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use serde::{de::DeserializeOwned, Serialize};
use sima_core::{retry_after_header, Attempt};

use crate::config::{HttpPolicy, Secret, SlackConfig};
use crate::error::SlackError;

/// Calls Web API methods with the bot token.
#[derive(Clone)]
pub(crate) struct SlackClient {
    http: reqwest::Client,
    api_url: String,
    token: Secret,
    policy: HttpPolicy,
}

impl SlackClient {
    /// A client for this configuration.
    pub(crate) fn new(config: &SlackConfig) -> Result<Self, SlackError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout())
            .connect_timeout(config.timeout().min(Duration::from_secs(5)))
            .build()
            .map_err(|e| SlackError::Config(e.to_string()))?;
        Ok(Self {
            http,
            api_url: config.api_url.trim_end_matches('/').to_owned(),
            token: config.bot_token.clone(),
            policy: config.http.clone(),
        })
    }

    /// Calls `method` with a JSON body and decodes the `ok: true` answer.
    pub(crate) async fn call<B, R>(&self, method: &'static str, body: &B) -> Result<R, SlackError>
    where
        B: Serialize + ?Sized + Sync,
        R: DeserializeOwned,
    {
        let payload = serde_json::to_vec(body).map_err(|e| SlackError::Decode { method, detail: e.to_string() })?;
        self.send(method, payload, "application/json; charset=utf-8").await
    }

    /// Calls `method` with a form body: Slack's older read methods
    /// (`users.info`) ignore the arguments of a JSON body.
    pub(crate) async fn call_form<B, R>(&self, method: &'static str, body: &B) -> Result<R, SlackError>
    where
        B: Serialize + ?Sized + Sync,
        R: DeserializeOwned,
    {
        let payload =
            serde_urlencoded::to_string(body).map_err(|e| SlackError::Decode { method, detail: e.to_string() })?;
        self.send(method, payload.into_bytes(), "application/x-www-form-urlencoded").await
    }

    async fn send<R: DeserializeOwned>(
        &self,
        method: &'static str,
        payload: Vec<u8>,
        content_type: &'static str,
    ) -> Result<R, SlackError> {
        let outcome = |result| match result {
            Ok(value) => Attempt::Done(value),
            Err(SlackError::RateLimited { method, retry_after }) => {
                Attempt::Retry { error: SlackError::RateLimited { method, retry_after }, after: retry_after }
            }
            Err(error) => Attempt::Fail(error),
        };
        let send = |_| async { outcome(self.call_once(method, payload.clone(), content_type).await) };
        let value = self.policy.run(send, tokio::time::sleep).await.inspect_err(|error| {
            tracing::debug!(method, %error, "slack call failed");
        })?;
        serde_json::from_value(value).map_err(|e| SlackError::Decode { method, detail: e.to_string() })
    }

    async fn call_once(
        &self,
        method: &'static str,
        payload: Vec<u8>,
        content_type: &'static str,
    ) -> Result<serde_json::Value, SlackError> {
        let response = self
            .http
            .post(format!("{}/{method}", self.api_url))
            .bearer_auth(self.token.expose())
            .header(CONTENT_TYPE, content_type)
            .body(payload)
            .send()
            .await
            .map_err(|e| SlackError::Transport { method, detail: transport_detail(&e) })?;
        let status = response.status();
        let retry_after = retry_after_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
        if status.as_u16() == 429 {
            return Err(SlackError::RateLimited { method, retry_after });
        }
        if !status.is_success() {
            return Err(SlackError::Status { method, status: status.as_u16() });
        }
        let value: serde_json::Value =
            response.json().await.map_err(|e| SlackError::Decode { method, detail: transport_detail(&e) })?;
        if value.get("ok").and_then(serde_json::Value::as_bool) == Some(true) {
            return Ok(value);
        }
        let code = value.get("error").and_then(serde_json::Value::as_str).unwrap_or("unknown_error").to_owned();
        if code == "ratelimited" || code == "rate_limited" {
            return Err(SlackError::RateLimited { method, retry_after });
        }
        Err(SlackError::Api { method, code })
    }
}

/// A short description of a reqwest failure.
fn transport_detail(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else {
        error.to_string()
    }
}
