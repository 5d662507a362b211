//! The HTTP client: Basic auth, timeouts, and bounded retries.
//!
//! A 429 means Jira did nothing, so every call retries it in process,
//! waiting `Retry-After`, else the policy's backoff
//! ([`HttpPolicy::run`](sima_core::HttpPolicy::run)); a wait longer than
//! `max_retry_wait_secs` is returned instead. Reads (the issue, its
//! transitions, a search, a user lookup) and the field edit (`PUT`, which
//! writes the same values again) also retry a 5xx. Creating an issue and
//! firing a transition are not repeatable, so a 5xx or a timeout there goes
//! back to the caller as it is: the adapter searches for the issue before
//! any create, so the caller's retry finds it instead of making a second one.

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, Url};
use serde_json::Value;
use sima_core::{retry_after_header, Attempt};

use crate::config::{HttpPolicy, JiraConfig, Secret};
use crate::error::JiraError;

/// The longest slice of an error body kept in an error.
const BODY_EXCERPT_CHARS: usize = 300;

/// Which failures a call may retry in process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Only a 429: the request may have had an effect otherwise.
    RateLimitsOnly,
    /// A 429 or a 5xx: the request reads, or writes the same values again.
    AlsoServerErrors,
}

/// Calls the Jira Cloud REST API v3.
#[derive(Debug, Clone)]
pub(crate) struct JiraClient {
    http: reqwest::Client,
    api_url: Url,
    email: String,
    token: Secret,
    policy: HttpPolicy,
}

impl JiraClient {
    pub(crate) fn new(config: &JiraConfig) -> Result<Self, JiraError> {
        let base = config.url.trim_end_matches('/');
        let api_url =
            Url::parse(&format!("{base}/rest/api/3")).map_err(|e| JiraError::Config(format!("url {base:?}: {e}")))?;
        if api_url.cannot_be_a_base() {
            return Err(JiraError::Config(format!("url {base:?} cannot take a path")));
        }
        let http = reqwest::Client::builder()
            .timeout(config.http.timeout())
            .user_agent(concat!("sima-jira/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| JiraError::Config(e.to_string()))?;
        Ok(Self {
            http,
            api_url,
            email: config.email.clone(),
            token: config.api_token.clone(),
            policy: config.http.clone(),
        })
    }

    /// `POST /rest/api/3/search/jql`: the issues matching the query (`issues`).
    pub(crate) async fn search(&self, query: &Value) -> Result<Value, JiraError> {
        let url = self.url(&["search", "jql"]);
        self.call(Method::POST, url, &[], Some(query), Repeat::AlsoServerErrors).await
    }

    /// `POST /rest/api/3/issue`: the created issue's `id` and `key`.
    pub(crate) async fn create_issue(&self, issue: &Value) -> Result<Value, JiraError> {
        self.call(Method::POST, self.url(&["issue"]), &[], Some(issue), Repeat::RateLimitsOnly).await
    }

    /// `PUT /rest/api/3/issue/{id}`: sets the fields given (Jira answers 204).
    pub(crate) async fn edit_issue(&self, id: &str, edit: &Value) -> Result<(), JiraError> {
        let url = self.url(&["issue", id]);
        self.call(Method::PUT, url, &[], Some(edit), Repeat::AlsoServerErrors).await.map(drop)
    }

    /// `GET /rest/api/3/issue/{id}?fields=…`: the issue with those fields.
    pub(crate) async fn get_issue(&self, id: &str, fields: &str) -> Result<Value, JiraError> {
        let url = self.url(&["issue", id]);
        self.call(Method::GET, url, &[("fields", fields)], None, Repeat::AlsoServerErrors).await
    }

    /// `GET /rest/api/3/issue/{id}/transitions`: the transitions open to the account now.
    pub(crate) async fn transitions(&self, id: &str) -> Result<Value, JiraError> {
        let url = self.url(&["issue", id, "transitions"]);
        self.call(Method::GET, url, &[], None, Repeat::AlsoServerErrors).await
    }

    /// `POST /rest/api/3/issue/{id}/transitions`: fires one (Jira answers 204).
    pub(crate) async fn transition(&self, id: &str, body: &Value) -> Result<(), JiraError> {
        let url = self.url(&["issue", id, "transitions"]);
        self.call(Method::POST, url, &[], Some(body), Repeat::RateLimitsOnly).await.map(drop)
    }

    /// `GET /rest/api/3/user/search?query=…`: the users matching `query` (a list).
    pub(crate) async fn find_users(&self, query: &str) -> Result<Value, JiraError> {
        let url = self.url(&["user", "search"]);
        self.call(Method::GET, url, &[("query", query)], None, Repeat::AlsoServerErrors).await
    }

    /// `{url}/rest/api/3/{segments…}`, each segment escaped as one path segment.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_url.clone();
        // `new` refused a base that cannot take a path.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends one request under the policy, retrying what `repeat` allows.
    async fn call(
        &self,
        method: Method,
        url: Url,
        query: &[(&str, &str)],
        body: Option<&Value>,
        repeat: Repeat,
    ) -> Result<Value, JiraError> {
        let outcome = |result: Result<Value, JiraError>| match result {
            Ok(answer) => Attempt::Done(answer),
            Err(error @ JiraError::Status { status: 429, retry_after, .. }) => {
                Attempt::Retry { error, after: retry_after }
            }
            Err(error @ JiraError::Status { status: 500..=599, .. }) if repeat == Repeat::AlsoServerErrors => {
                Attempt::Retry { error, after: None }
            }
            Err(error) => Attempt::Fail(error),
        };
        let attempt = |_| {
            let mut request = self.http.request(method.clone(), url.clone()).query(query);
            if let Some(body) = body {
                request = request.json(body);
            }
            async { outcome(self.send(request).await) }
        };
        self.policy.run(attempt, tokio::time::sleep).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, JiraError> {
        let request = request.basic_auth(&self.email, Some(self.token.expose())).header("Accept", "application/json");
        let response = request.send().await.map_err(JiraError::Transport)?;
        let status = response.status();
        let retry_after = retry_after_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
        let text = response.text().await.map_err(JiraError::Transport)?;
        if status.is_success() {
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| JiraError::Decode(format!("{e}: {}", excerpt(&text))));
        }
        Err(JiraError::Status { status: status.as_u16(), message: error_message(&text), retry_after })
    }
}

/// What a Jira error body says: its `errorMessages`, then each field's
/// message from `errors` (`summary: …`), else the start of the body.
fn error_message(body: &str) -> String {
    let value: Value = serde_json::from_str(body).unwrap_or_default();
    let mut said: Vec<String> = value["errorMessages"]
        .as_array()
        .map(|messages| messages.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    if let Some(fields) = value["errors"].as_object() {
        said.extend(fields.iter().map(|(field, message)| match message.as_str() {
            Some(message) => format!("{field}: {message}"),
            None => format!("{field}: {message}"),
        }));
    }
    let said = said.join("; ");
    if said.is_empty() {
        excerpt(body)
    } else {
        excerpt(&said)
    }
}

/// The start of `text`, at most [`BODY_EXCERPT_CHARS`] characters.
fn excerpt(text: &str) -> String {
    text.chars().take(BODY_EXCERPT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_come_from_the_body() {
        let refused = r#"{"errorMessages":["Issue does not exist"],"errors":{"summary":"You must specify a summary of the issue."}}"#;
        assert_eq!(error_message(refused), "Issue does not exist; summary: You must specify a summary of the issue.");
        assert_eq!(
            error_message(r#"{"errorMessages":[],"errors":{"issuetype":"Specify a valid issue type"}}"#),
            "issuetype: Specify a valid issue type"
        );
        assert_eq!(error_message("<html>bad gateway</html>"), "<html>bad gateway</html>");
        assert_eq!(error_message(&"x".repeat(1000)).len(), BODY_EXCERPT_CHARS);
    }

    #[test]
    fn urls_escape_each_segment() {
        let config = JiraConfig::new("https://acme.atlassian.net/", "e@x", Secret::new("t"), "OPS");
        let client = JiraClient::new(&config).unwrap();
        assert_eq!(client.url(&["issue", "10001"]).as_str(), "https://acme.atlassian.net/rest/api/3/issue/10001");
        assert_eq!(client.url(&["issue", "1/../x"]).as_str(), "https://acme.atlassian.net/rest/api/3/issue/1%2F..%2Fx");
    }

    #[test]
    fn an_unusable_url_is_refused() {
        for url in ["not a url", "mailto:ops@acme.example"] {
            let config = JiraConfig::new(url, "e@x", Secret::new("t"), "OPS");
            assert!(matches!(JiraClient::new(&config), Err(JiraError::Config(_))), "{url}");
        }
    }
}
