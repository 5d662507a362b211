//! The HTTP client: auth, timeouts, and bounded retries on rate limits.
//!
//! An update (`PUT /pages/{id}`) writes the whole page at the next version,
//! so it is retried the same way: only a 429 in process.
//!
//! Creating a page is not idempotent, so only a 429 is retried in process
//! (Confluence did not create the page), waiting `Retry-After`, else the
//! policy's backoff ([`HttpPolicy::run`](sima_core::HttpPolicy::run)); a wait
//! longer than `max_retry_wait_secs` is returned instead. A 5xx or a timeout
//! may hide a created page, so it goes back to the caller as it is; the
//! adapter looks the page up by title before any create, so the caller's
//! retry finds it instead of making a second one.

use reqwest::header::RETRY_AFTER;
use reqwest::Url;
use serde_json::Value;
use sima_core::{retry_after_header, Attempt};

use crate::config::{ConfluenceConfig, HttpPolicy, Secret};
use crate::error::ConfluenceError;

/// The longest slice of an unexpected body kept in an error.
const BODY_EXCERPT_CHARS: usize = 300;

/// How requests authenticate.
#[derive(Debug, Clone)]
enum Auth {
    /// An account's e-mail and API token.
    Basic { email: String, token: Secret },
    /// An OAuth 2.0 access token.
    Bearer(Secret),
}

/// Calls the Confluence REST API v2.
#[derive(Debug, Clone)]
pub(crate) struct ConfluenceClient {
    http: reqwest::Client,
    pages_url: Url,
    auth: Auth,
    policy: HttpPolicy,
}

impl ConfluenceClient {
    pub(crate) fn new(config: &ConfluenceConfig) -> Result<Self, ConfluenceError> {
        let base = config.url.trim_end_matches('/');
        let pages_url = Url::parse(&format!("{base}/api/v2/pages"))
            .map_err(|e| ConfluenceError::Config(format!("url {base:?}: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(config.http.timeout())
            .user_agent(concat!("sima-confluence/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfluenceError::Config(e.to_string()))?;
        let auth = match &config.email {
            Some(email) => Auth::Basic { email: email.clone(), token: config.token.clone() },
            None => Auth::Bearer(config.token.clone()),
        };
        Ok(Self { http, pages_url, auth, policy: config.http.clone() })
    }

    /// `POST {url}/api/v2/pages`: the created page.
    pub(crate) async fn create_page(&self, page: &Value) -> Result<Value, ConfluenceError> {
        self.with_retries(|| self.send(self.http.post(self.pages_url.clone()).json(page))).await
    }

    /// `GET {url}/api/v2/pages?space-id=…&title=…&status=current`: the
    /// current pages of the space with exactly this title (`results`), and
    /// the site's wiki base (`_links.base`).
    pub(crate) async fn find_pages(&self, space_id: &str, title: &str) -> Result<Value, ConfluenceError> {
        let query = [("space-id", space_id), ("title", title), ("status", "current")];
        self.with_retries(|| self.send(self.http.get(self.pages_url.clone()).query(&query))).await
    }

    /// `GET {url}/api/v2/pages/{id}`: the page, with its `version.number`.
    pub(crate) async fn get_page(&self, id: &str) -> Result<Value, ConfluenceError> {
        let url = self.page_url(id)?;
        self.with_retries(|| self.send(self.http.get(url.clone()))).await
    }

    /// `PUT {url}/api/v2/pages/{id}`: the page as updated. Confluence
    /// refuses a version that is not the next one with 409.
    pub(crate) async fn update_page(&self, id: &str, page: &Value) -> Result<Value, ConfluenceError> {
        let url = self.page_url(id)?;
        self.with_retries(|| self.send(self.http.put(url.clone()).json(page))).await
    }

    /// `{url}/api/v2/pages/{id}`, the id escaped as one path segment.
    fn page_url(&self, id: &str) -> Result<Url, ConfluenceError> {
        let mut url = self.pages_url.clone();
        url.path_segments_mut()
            .map_err(|()| ConfluenceError::Config(format!("url {} cannot take a path", self.pages_url)))?
            .push(id);
        Ok(url)
    }

    /// Runs `call` under the policy, retrying only 429s (nothing was done).
    async fn with_retries<F, Fut>(&self, call: F) -> Result<Value, ConfluenceError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Value, ConfluenceError>>,
    {
        let outcome = |result: Result<Value, ConfluenceError>| match result {
            Ok(answer) => Attempt::Done(answer),
            Err(error @ ConfluenceError::Status { status: 429, retry_after, .. }) => {
                Attempt::Retry { error, after: retry_after }
            }
            Err(error) => Attempt::Fail(error),
        };
        self.policy.run(|_| async { outcome(call().await) }, tokio::time::sleep).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, ConfluenceError> {
        let request = match &self.auth {
            Auth::Basic { email, token } => request.basic_auth(email, Some(token.expose())),
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
        };
        let response = request.send().await.map_err(ConfluenceError::Transport)?;
        let status = response.status();
        let retry_after = retry_after_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
        let text = response.text().await.map_err(ConfluenceError::Transport)?;
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| ConfluenceError::Decode(e.to_string()));
        }
        Err(ConfluenceError::Status { status: status.as_u16(), message: error_message(&text), retry_after })
    }
}

/// What an error body says: API v2's first `errors[].title`, the older
/// `message`, else the start of the body.
fn error_message(body: &str) -> String {
    let value: Value = serde_json::from_str(body).unwrap_or_default();
    let said = value.pointer("/errors/0/title").or_else(|| value.get("message")).and_then(Value::as_str);
    match said {
        Some(message) if !message.is_empty() => message.to_owned(),
        _ => body.chars().take(BODY_EXCERPT_CHARS).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_come_from_the_body() {
        let v2 = r#"{"errors":[{"status":400,"code":"INVALID_REQUEST_PARAMETER","title":"A page with this title already exists"}]}"#;
        assert_eq!(error_message(v2), "A page with this title already exists");
        assert_eq!(error_message(r#"{"statusCode":403,"message":"Not permitted"}"#), "Not permitted");
        assert_eq!(error_message("<html>bad gateway</html>"), "<html>bad gateway</html>");
        assert_eq!(error_message(&"x".repeat(1000)).len(), BODY_EXCERPT_CHARS);
    }

    #[test]
    fn an_unusable_url_is_refused() {
        let config = ConfluenceConfig::new("not a url", "42", Secret::new("t"));
        assert!(matches!(ConfluenceClient::new(&config), Err(ConfluenceError::Config(_))));
    }
}
