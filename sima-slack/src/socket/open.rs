//! `apps.connections.open`: a fresh WebSocket URL for one connection.

use std::time::Duration;

use reqwest::header::RETRY_AFTER;
use serde::Deserialize;
use sima_core::retry_after_header;
use thiserror::Error;

use crate::config::Secret;

/// Why no WebSocket URL was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OpenError {
    /// Slack refused the token: retrying will not help.
    #[error("apps.connections.open refused the app token: {0}")]
    Refused(String),
    /// HTTP 429 or `ratelimited`.
    #[error("apps.connections.open rate limited")]
    RateLimited {
        /// Slack's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },
    /// Anything that may pass: `ok: false` with another code, a 5xx, a timeout.
    #[error("apps.connections.open failed: {0}")]
    Failed(String),
}

/// Codes meaning the token itself is wrong.
const REFUSED: &[&str] =
    &["invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked", "account_inactive", "missing_scope"];

#[derive(Deserialize)]
struct AppsConnectionsOpenResponse {
    ok: bool,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// Asks Slack for a WebSocket URL (`POST {api_url}/apps.connections.open`).
pub(super) async fn open(http: &reqwest::Client, api_url: &str, token: &Secret) -> Result<String, OpenError> {
    let response = http
        .post(format!("{}/apps.connections.open", api_url.trim_end_matches('/')))
        .bearer_auth(token.expose())
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .send()
        .await
        .map_err(|e| OpenError::Failed(e.without_url().to_string()))?;
    let status = response.status();
    if status.as_u16() == 429 {
        let retry_after = retry_after_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
        return Err(OpenError::RateLimited { retry_after });
    }
    if !status.is_success() {
        return Err(OpenError::Failed(format!("HTTP {}", status.as_u16())));
    }
    let answer: AppsConnectionsOpenResponse =
        response.json().await.map_err(|e| OpenError::Failed(e.without_url().to_string()))?;
    match (answer.ok, answer.url, answer.error) {
        (true, Some(url), _) => Ok(url),
        (true, None, _) => Err(OpenError::Failed("no url in the answer".into())),
        (false, _, Some(code)) if REFUSED.contains(&code.as_str()) => Err(OpenError::Refused(code)),
        (false, _, Some(code)) if code == "ratelimited" => Err(OpenError::RateLimited { retry_after: None }),
        (false, _, code) => Err(OpenError::Failed(code.unwrap_or_else(|| "unknown_error".into()))),
    }
}
