//! The HTTP client: auth, `Notion-Version`, timeouts and bounded retries.
//!
//! A rate limit (429) means Notion did not apply the request, so every
//! request is retried after one, waiting `Retry-After` (or a backoff). A 5xx
//! or a network failure leaves a write's outcome unknown: reads are retried,
//! writes are not (creating a page or appending blocks twice would duplicate
//! them); the adapter recovers by looking the page up again. A wait longer
//! than `max_retry_wait_secs` is not slept: the error goes back to the caller.

use reqwest::header::RETRY_AFTER;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sima_core::{retry_after_header, Attempt};

use crate::config::{HttpPolicy, NotionConfig, Secret, NOTION_VERSION};
use crate::dto::{
    AppendBlockChildrenRequest, CreatePageRequest, ErrorResponse, ListResponse, ObjectRef, QueryDataSourceRequest,
};
use crate::error::NotionError;

/// The longest slice of an unexpected body kept in an error.
const BODY_EXCERPT_CHARS: usize = 300;

/// Whether a request may be sent again after an unknown outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Reads: retry rate limits, 5xx and network failures.
    Safe,
    /// Writes: retry rate limits only.
    RateLimitsOnly,
}

/// Calls the Notion API.
#[derive(Debug, Clone)]
pub(crate) struct NotionClient {
    http: reqwest::Client,
    api_url: String,
    token: Secret,
    policy: HttpPolicy,
}

impl NotionClient {
    pub(crate) fn new(config: &NotionConfig) -> Result<Self, NotionError> {
        let http = reqwest::Client::builder()
            .timeout(config.http.timeout())
            .user_agent(concat!("sima-notion/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(NotionError::Client)?;
        Ok(Self {
            http,
            api_url: config.api_url.trim_end_matches('/').to_owned(),
            token: config.token.clone(),
            policy: config.http.clone(),
        })
    }

    /// `POST /data_sources/{id}/query`.
    pub(crate) async fn query_data_source(
        &self,
        data_source_id: &str,
        query: &QueryDataSourceRequest,
    ) -> Result<ListResponse, NotionError> {
        let url = format!("{}/data_sources/{data_source_id}/query", self.api_url);
        self.send(Method::POST, &url, Some(query), Repeat::Safe).await
    }

    /// `POST /pages`.
    pub(crate) async fn create_page(&self, page: &CreatePageRequest) -> Result<ObjectRef, NotionError> {
        let url = format!("{}/pages", self.api_url);
        self.send(Method::POST, &url, Some(page), Repeat::RateLimitsOnly).await
    }

    /// `PATCH /blocks/{id}/children`.
    pub(crate) async fn append_block_children(
        &self,
        block_id: &str,
        children: &AppendBlockChildrenRequest,
    ) -> Result<(), NotionError> {
        let url = format!("{}/blocks/{block_id}/children", self.api_url);
        let _: ListResponse = self.send(Method::PATCH, &url, Some(children), Repeat::RateLimitsOnly).await?;
        Ok(())
    }

    /// `GET /blocks/{id}/children?page_size=100[&start_cursor=…]`.
    pub(crate) async fn list_block_children(
        &self,
        block_id: &str,
        start_cursor: Option<&str>,
    ) -> Result<ListResponse, NotionError> {
        let mut url = format!("{}/blocks/{block_id}/children?page_size=100", self.api_url);
        if let Some(cursor) = start_cursor {
            url.push_str("&start_cursor=");
            url.push_str(cursor);
        }
        self.send::<(), _>(Method::GET, &url, None, Repeat::Safe).await
    }

    async fn send<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&B>,
        repeat: Repeat,
    ) -> Result<R, NotionError> {
        let outcome = |result: Result<R, NotionError>| match result {
            Ok(response) => Attempt::Done(response),
            Err(error) if error.is_rate_limited() || (repeat == Repeat::Safe && error.is_unknown_outcome()) => {
                let after = error.retry_after();
                Attempt::Retry { error, after }
            }
            Err(error) => Attempt::Fail(error),
        };
        let send = |_| async { outcome(self.send_once(method.clone(), url, body).await) };
        self.policy.run(send, tokio::time::sleep).await
    }

    async fn send_once<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&B>,
    ) -> Result<R, NotionError> {
        let mut request =
            self.http.request(method, url).bearer_auth(self.token.expose()).header("Notion-Version", NOTION_VERSION);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(NotionError::Transport)?;
        let status = response.status();
        let retry_after = retry_after_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
        let text = response.text().await.map_err(NotionError::Transport)?;
        if status.is_success() {
            return serde_json::from_str(&text).map_err(NotionError::Decode);
        }
        let envelope: ErrorResponse = serde_json::from_str(&text).unwrap_or_default();
        let message = if envelope.message.is_empty() {
            text.chars().take(BODY_EXCERPT_CHARS).collect()
        } else {
            envelope.message
        };
        Err(NotionError::Api { status: status.as_u16(), code: envelope.code, message, retry_after })
    }
}
