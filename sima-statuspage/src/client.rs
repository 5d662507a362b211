//! The HTTP client: `Authorization: OAuth <key>`, timeouts, and bounded
//! retries on rate limits.
//!
//! Only a rate limit (429, or the 420 Statuspage answered before 2021) is
//! retried in process: Statuspage did nothing, so sending again is safe. It
//! waits `Retry-After`, else the policy's backoff
//! ([`HttpPolicy::run`](sima_core::HttpPolicy::run)); a longer wait than
//! `max_retry_wait_secs` goes back to the caller as `RateLimited`. A 5xx or a
//! timeout may hide a created incident, so it goes back as it is; the adapter
//! looks for the incident before any create, so the caller's retry finds it.

use reqwest::header::{AUTHORIZATION, RETRY_AFTER};
use reqwest::{RequestBuilder, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sima_core::{retry_after_header, Attempt};

use crate::config::{HttpPolicy, Secret, StatuspageConfig};
use crate::dto::{Component, Incident};
use crate::error::StatuspageError;

/// The longest slice of an unexpected body kept in an error.
const BODY_EXCERPT_CHARS: usize = 300;

/// Rows per page of a list; the API's maximum. Paginated lists are limited
/// to 60 requests a minute, unpaginated component lists to one.
pub(crate) const PER_PAGE: usize = 100;

/// Calls the Statuspage manage API for one page.
#[derive(Debug, Clone)]
pub(crate) struct StatuspageClient {
    http: reqwest::Client,
    /// `{api_url}/pages/{page_id}`.
    page_url: Url,
    api_key: Secret,
    policy: HttpPolicy,
}

impl StatuspageClient {
    pub(crate) fn new(config: &StatuspageConfig) -> Result<Self, StatuspageError> {
        let base = config.api_url.trim_end_matches('/');
        let mut page_url = Url::parse(base).map_err(|e| StatuspageError::Config(format!("api_url {base:?}: {e}")))?;
        if page_url.cannot_be_a_base() {
            return Err(StatuspageError::Config(format!("api_url {base:?} cannot take a path")));
        }
        if config.page_id.trim().is_empty() {
            return Err(StatuspageError::Config("page_id is empty".into()));
        }
        page_url
            .path_segments_mut()
            .map_err(|()| StatuspageError::Config(format!("api_url {base:?} cannot take a path")))?
            .pop_if_empty()
            .extend(["pages", config.page_id.trim()]);
        let http = reqwest::Client::builder()
            .timeout(config.http.timeout())
            .user_agent(concat!("sima-statuspage/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| StatuspageError::Config(e.to_string()))?;
        Ok(Self { http, page_url, api_key: config.api_key.clone(), policy: config.http.clone() })
    }

    /// `GET /pages/{page_id}/components?page=…&per_page=100`: one page of components.
    pub(crate) async fn components(&self, page: usize) -> Result<Vec<Component>, StatuspageError> {
        let url = self.url(&["components"])?;
        let query = [("page", page), ("per_page", PER_PAGE)];
        self.with_retries(|| self.send(self.http.get(url.clone()).query(&query))).await
    }

    /// `GET /pages/{page_id}/incidents/unresolved?page=…&per_page=100`.
    pub(crate) async fn unresolved_incidents(&self, page: usize) -> Result<Vec<Incident>, StatuspageError> {
        let url = self.url(&["incidents", "unresolved"])?;
        let query = [("page", page), ("per_page", PER_PAGE)];
        self.with_retries(|| self.send(self.http.get(url.clone()).query(&query))).await
    }

    /// `GET /pages/{page_id}/incidents?page=1&limit=100`: the newest incidents, resolved ones included.
    pub(crate) async fn recent_incidents(&self) -> Result<Vec<Incident>, StatuspageError> {
        let url = self.url(&["incidents"])?;
        let query = [("page", 1), ("limit", PER_PAGE)];
        self.with_retries(|| self.send(self.http.get(url.clone()).query(&query))).await
    }

    /// `GET /pages/{page_id}/incidents/{incident_id}`.
    pub(crate) async fn incident(&self, id: &str) -> Result<Incident, StatuspageError> {
        let url = self.url(&["incidents", id])?;
        self.with_retries(|| self.send(self.http.get(url.clone()))).await
    }

    /// `POST /pages/{page_id}/incidents`: the created incident.
    pub(crate) async fn create_incident(&self, body: &impl Serialize) -> Result<Incident, StatuspageError> {
        let url = self.url(&["incidents"])?;
        self.with_retries(|| self.send(self.http.post(url.clone()).json(body))).await
    }

    /// `PATCH /pages/{page_id}/incidents/{incident_id}`: the incident as updated.
    pub(crate) async fn update_incident(&self, id: &str, body: &impl Serialize) -> Result<Incident, StatuspageError> {
        let url = self.url(&["incidents", id])?;
        self.with_retries(|| self.send(self.http.patch(url.clone()).json(body))).await
    }

    /// `PATCH /pages/{page_id}/incidents/{incident_id}` with only the components.
    pub(crate) async fn set_incident_components(&self, id: &str, body: &impl Serialize) -> Result<(), StatuspageError> {
        let url = self.url(&["incidents", id])?;
        self.with_retries(|| self.send_ignoring_body(self.http.patch(url.clone()).json(body))).await
    }

    /// `DELETE /pages/{page_id}/incidents/{incident_id}` (it answers with the
    /// deleted incident, which is not needed).
    pub(crate) async fn delete_incident(&self, id: &str) -> Result<(), StatuspageError> {
        let url = self.url(&["incidents", id])?;
        self.with_retries(|| self.send_ignoring_body(self.http.delete(url.clone()))).await
    }

    /// `{api_url}/pages/{page_id}/{segments…}`, each segment escaped.
    fn url(&self, segments: &[&str]) -> Result<Url, StatuspageError> {
        let mut url = self.page_url.clone();
        url.path_segments_mut()
            .map_err(|()| StatuspageError::Config(format!("api_url {} cannot take a path", self.page_url)))?
            .extend(segments);
        Ok(url)
    }

    /// Runs `call` under the policy, retrying only rate limits (nothing was done).
    async fn with_retries<T, F, Fut>(&self, call: F) -> Result<T, StatuspageError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, StatuspageError>>,
    {
        let outcome = |result: Result<T, StatuspageError>| match result {
            Ok(answer) => Attempt::Done(answer),
            Err(error) if error.is_rate_limit() => {
                let after = match &error {
                    StatuspageError::Status { retry_after, .. } => *retry_after,
                    _ => None,
                };
                Attempt::Retry { error, after }
            }
            Err(error) => Attempt::Fail(error),
        };
        self.policy.run(|_| async { outcome(call().await) }, tokio::time::sleep).await
    }

    /// Sends `request` and reads the success's body as `T`.
    async fn send<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, StatuspageError> {
        let text = self.answer(request).await?;
        serde_json::from_str(&text).map_err(|e| {
            StatuspageError::Decode(format!("{e}: {}", text.chars().take(BODY_EXCERPT_CHARS).collect::<String>()))
        })
    }

    /// Sends `request`; any success will do, whatever its body.
    async fn send_ignoring_body(&self, request: RequestBuilder) -> Result<(), StatuspageError> {
        self.answer(request).await.map(drop)
    }

    /// Sends `request` with the key: the body of a success, else the error status.
    async fn answer(&self, request: RequestBuilder) -> Result<String, StatuspageError> {
        let request = request.header(AUTHORIZATION, format!("OAuth {}", self.api_key.expose()));
        let response = request.send().await.map_err(StatuspageError::Transport)?;
        let status = response.status();
        let retry_after = retry_after_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
        let text = response.text().await.map_err(StatuspageError::Transport)?;
        if status.is_success() {
            return Ok(text);
        }
        Err(StatuspageError::Status { status: status.as_u16(), message: error_message(&text), retry_after })
    }
}

/// What an error body says: `error` (a string or a list of them), `message`,
/// else the start of the body.
fn error_message(body: &str) -> String {
    let value: Value = serde_json::from_str(body).unwrap_or_default();
    let said = match value.get("error").or_else(|| value.get("message")) {
        Some(Value::String(message)) => message.clone(),
        Some(Value::Array(messages)) => messages.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "),
        _ => String::new(),
    };
    if said.is_empty() {
        body.chars().take(BODY_EXCERPT_CHARS).collect()
    } else {
        said.chars().take(BODY_EXCERPT_CHARS).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_come_from_the_body() {
        assert_eq!(error_message(r#"{"error":"Component ids are invalid"}"#), "Component ids are invalid");
        assert_eq!(
            error_message(r#"{"error":["Name can't be blank","Status is invalid"]}"#),
            "Name can't be blank; Status is invalid"
        );
        assert_eq!(error_message(r#"{"message":"Unauthorized"}"#), "Unauthorized");
        assert_eq!(error_message("<html>bad gateway</html>"), "<html>bad gateway</html>");
        assert_eq!(error_message(&"x".repeat(1000)).len(), BODY_EXCERPT_CHARS);
    }

    #[test]
    fn unusable_settings_are_refused() {
        let config = StatuspageConfig::new(Secret::new("k"), "p").with_api_url("not a url");
        assert!(matches!(StatuspageClient::new(&config), Err(StatuspageError::Config(_))));
        let config = StatuspageConfig::new(Secret::new("k"), "  ");
        assert!(matches!(StatuspageClient::new(&config), Err(StatuspageError::Config(_))));
    }

    #[test]
    fn paths_are_built_under_the_page_and_escaped() {
        let config = StatuspageConfig::new(Secret::new("k"), "pg1").with_api_url("https://api.example/v1/");
        let client = StatuspageClient::new(&config).unwrap();
        assert_eq!(
            client.url(&["incidents", "a/b"]).unwrap().as_str(),
            "https://api.example/v1/pages/pg1/incidents/a%2Fb"
        );
    }
}
