//! The HTTP client of Microsoft Graph and the Bot Framework Connector: bearer
//! tokens per API, timeouts, pacing per team or channel, and a few
//! in-process retries on rate limits.
//!
//! Only rate limits are retried here: the service did not act on a
//! rate-limited call, so repeating it is safe. The wait is the service's
//! `Retry-After`, else the policy's backoff
//! ([`HttpPolicy::run`](sima_core::HttpPolicy::run)). A 5xx or a timeout may
//! hide a message that was posted, so those go back to the outbox as `Transient`.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sima_core::{retry_after_header, Attempt, HttpPolicy};

use crate::config::{TeamsConfig, CONNECTOR_SCOPE, GRAPH_SCOPE};
use crate::error::{transport_detail, TeamsError};
use crate::pacing::{Pacer, Target};
use crate::token::Tokens;

/// Which API a call goes to: each has its base URL and token scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// Microsoft Graph (channels).
    Graph,
    /// The Bot Framework Connector (messages).
    Connector,
}

/// Calls Graph and the Connector with the app's tokens.
#[derive(Clone)]
pub(crate) struct TeamsClient {
    http: reqwest::Client,
    graph: Url,
    connector: Url,
    tokens: Arc<Tokens>,
    pacer: Arc<Pacer>,
    policy: HttpPolicy,
}

impl TeamsClient {
    /// A client for this configuration.
    pub(crate) fn new(config: &TeamsConfig) -> Result<Self, TeamsError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout())
            .connect_timeout(config.timeout().min(Duration::from_secs(5)))
            .build()
            .map_err(|e| TeamsError::Config(e.to_string()))?;
        let base =
            |url: &str| Url::parse(url.trim_end_matches('/')).map_err(|e| TeamsError::Config(format!("{url}: {e}")));
        let tokens =
            Tokens::new(http.clone(), config.token_endpoint(), config.app_id.clone(), config.app_password.clone());
        Ok(Self {
            graph: base(&config.graph_url)?,
            connector: base(&config.connector_url)?,
            http,
            tokens: Arc::new(tokens),
            pacer: Arc::new(Pacer::new(config.requests_per_second)?),
            policy: config.http.clone(),
        })
    }

    /// `{base}/{segments…}`, each segment percent-encoded as a path segment.
    pub(crate) fn url(&self, api: Api, segments: &[&str]) -> Result<Url, TeamsError> {
        let mut url = match api {
            Api::Graph => self.graph.clone(),
            Api::Connector => self.connector.clone(),
        };
        url.path_segments_mut()
            .map_err(|()| TeamsError::Config("a base URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Sends one JSON request and decodes the 2xx answer (an empty body reads
    /// as `null`). A call on a `target` (a team, a channel) first waits its
    /// turn, and so does each of its retries.
    pub(crate) async fn send<B, R>(
        &self,
        api: Api,
        what: &'static str,
        method: Method,
        url: Url,
        target: Option<&Target>,
        body: Option<&B>,
    ) -> Result<R, TeamsError>
    where
        B: Serialize + ?Sized + Sync,
        R: DeserializeOwned,
    {
        let payload =
            body.map(serde_json::to_vec).transpose().map_err(|e| TeamsError::Decode { what, detail: e.to_string() })?;
        let outcome = |result| match result {
            Ok(value) => Attempt::Done(value),
            Err(TeamsError::RateLimited { what, retry_after }) => {
                Attempt::Retry { error: TeamsError::RateLimited { what, retry_after }, after: retry_after }
            }
            Err(error) => Attempt::Fail(error),
        };
        let send = |_| {
            let (method, url, payload) = (method.clone(), url.clone(), payload.clone());
            async move {
                if let Some(target) = target {
                    self.pacer.wait(target).await;
                }
                outcome(self.send_once(api, what, method, url, payload).await)
            }
        };
        let value = self.policy.run(send, tokio::time::sleep).await.inspect_err(|error| {
            tracing::debug!(what, %error, "teams call failed");
        })?;
        serde_json::from_value(value).map_err(|e| TeamsError::Decode { what, detail: e.to_string() })
    }

    async fn send_once(
        &self,
        api: Api,
        what: &'static str,
        method: Method,
        url: Url,
        payload: Option<Vec<u8>>,
    ) -> Result<Value, TeamsError> {
        let scope = match api {
            Api::Graph => GRAPH_SCOPE,
            Api::Connector => CONNECTOR_SCOPE,
        };
        let token = self.tokens.get(scope).await?;
        let mut request = self.http.request(method, url).bearer_auth(token.expose());
        if let Some(payload) = payload {
            request = request.header(CONTENT_TYPE, "application/json; charset=utf-8").body(payload);
        }
        let response =
            request.send().await.map_err(|e| TeamsError::Transport { what, detail: transport_detail(&e) })?;
        let status = response.status().as_u16();
        let retry_after = retry_after_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
        let body = response.bytes().await.map_err(|e| TeamsError::Transport { what, detail: transport_detail(&e) })?;
        match status {
            200..=299 if body.iter().all(u8::is_ascii_whitespace) => Ok(Value::Null),
            200..=299 => serde_json::from_slice(&body).map_err(|e| TeamsError::Decode { what, detail: e.to_string() }),
            429 => Err(TeamsError::RateLimited { what, retry_after }),
            _ => {
                if status == 401 {
                    // The token may have been revoked early: the next call fetches a new one.
                    self.tokens.forget(scope).await;
                }
                Err(TeamsError::Status { what, status, code: error_code(&body) })
            }
        }
    }
}

/// The `error.code` of a Graph or Connector error answer.
fn error_code(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.pointer("/error/code").and_then(Value::as_str).map(str::to_owned)
}
