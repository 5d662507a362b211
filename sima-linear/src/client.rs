//! The HTTP client: one GraphQL endpoint, the API key, timeouts, and bounded
//! retries on rate limits.
//!
//! Linear answers most failures as GraphQL errors, with HTTP 200 or 400 and
//! an `errors` array; the body is read first and an HTTP status only counts
//! when there is no GraphQL error. A rate limit (HTTP 429, or
//! `extensions.code = "RATELIMITED"`) is retried in process, waiting
//! `Retry-After`, else the reset Linear names in its
//! `X-RateLimit-{Requests,Complexity}-Reset` headers, else the policy's
//! backoff ([`HttpPolicy::run`](sima_core::HttpPolicy::run)); a longer wait
//! than `max_retry_wait_secs` is returned instead. Nothing else is retried
//! here: a 5xx or a timeout may hide a created issue, and the caller's retry
//! finds it by the id SIMA chose.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, AUTHORIZATION, RETRY_AFTER};
use reqwest::Url;
use serde_json::{json, Value};
use sima_core::{retry_after_header, Attempt};

use crate::config::{HttpPolicy, LinearConfig, Secret};
use crate::dto::{GraphQlErrorDto, GraphQlResponse};
use crate::error::{GraphQlErrorKind, LinearError};

/// The longest slice of an unexpected body kept in an error.
const BODY_EXCERPT_CHARS: usize = 300;

/// Calls Linear's GraphQL API.
#[derive(Debug, Clone)]
pub(crate) struct LinearClient {
    http: reqwest::Client,
    url: Url,
    api_key: Secret,
    policy: HttpPolicy,
}

impl LinearClient {
    pub(crate) fn new(config: &LinearConfig) -> Result<Self, LinearError> {
        let url = Url::parse(config.api_url.trim())
            .map_err(|e| LinearError::Config(format!("api_url {:?}: {e}", config.api_url)))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(LinearError::Config(format!("api_url {:?} is not an HTTP URL", config.api_url)));
        }
        let http = reqwest::Client::builder()
            .timeout(config.http.timeout())
            .user_agent(concat!("sima-linear/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LinearError::Config(e.to_string()))?;
        Ok(Self { http, url, api_key: config.api_key.clone(), policy: config.http.clone() })
    }

    /// Runs `query` with `variables`: the answer's `data`.
    pub(crate) async fn execute(&self, query: &str, variables: Value) -> Result<Value, LinearError> {
        let body = json!({ "query": query, "variables": variables });
        let outcome = |result: Result<Value, LinearError>| match result {
            Ok(data) => Attempt::Done(data),
            Err(error @ LinearError::Status { status: 429, retry_after, .. })
            | Err(error @ LinearError::GraphQl { kind: GraphQlErrorKind::RateLimited, retry_after, .. }) => {
                Attempt::Retry { error, after: retry_after }
            }
            Err(error) => Attempt::Fail(error),
        };
        self.policy.run(|_| async { outcome(self.send(&body).await) }, tokio::time::sleep).await
    }

    async fn send(&self, body: &Value) -> Result<Value, LinearError> {
        let response = self
            .http
            .post(self.url.clone())
            // Personal API keys go without `Bearer`.
            .header(AUTHORIZATION, self.api_key.expose())
            .json(body)
            .send()
            .await
            .map_err(LinearError::Transport)?;
        let status = response.status();
        let wait = rate_limit_wait(response.headers(), SystemTime::now());
        let text = response.text().await.map_err(LinearError::Transport)?;
        let parsed: Option<GraphQlResponse> = serde_json::from_str(&text).ok();
        if let Some(first) = parsed.as_ref().and_then(|answer| answer.errors.as_ref()).and_then(|e| e.first()) {
            let mut kind = classify(first);
            if status.is_server_error() && kind == GraphQlErrorKind::Refused {
                kind = GraphQlErrorKind::Internal;
            }
            let retry_after = (kind == GraphQlErrorKind::RateLimited).then_some(wait).flatten();
            return Err(LinearError::GraphQl { kind, message: error_message(first), retry_after });
        }
        if !status.is_success() {
            return Err(LinearError::Status { status: status.as_u16(), message: excerpt(&text), retry_after: wait });
        }
        match parsed.and_then(|answer| answer.data) {
            Some(data) if data.is_object() => Ok(data),
            _ => Err(LinearError::Decode(format!("no GraphQL data in: {}", excerpt(&text)))),
        }
    }
}

/// What a GraphQL error means, from its extensions (codes as Linear's SDK
/// reads them) and, for a missing issue, its message.
fn classify(error: &GraphQlErrorDto) -> GraphQlErrorKind {
    let extensions = error.extensions.as_ref();
    let code = extensions.and_then(|e| e.code.as_deref()).unwrap_or_default().to_ascii_uppercase();
    let kind = extensions.and_then(|e| e.kind.as_deref()).unwrap_or_default().to_ascii_lowercase();
    let message = error.message.as_deref().unwrap_or_default();
    if code == "RATELIMITED" || kind == "ratelimited" {
        GraphQlErrorKind::RateLimited
    } else if matches!(code.as_str(), "AUTHENTICATION_ERROR" | "UNAUTHENTICATED" | "FORBIDDEN")
        || matches!(kind.as_str(), "authentication error" | "forbidden")
    {
        GraphQlErrorKind::Unauthorized
    } else if names_missing_issue(message) {
        GraphQlErrorKind::IssueNotFound
    } else if matches!(kind.as_str(), "internal error" | "lock timeout")
        || matches!(code.as_str(), "INTERNAL_SERVER_ERROR" | "INTERNAL_ERROR")
    {
        GraphQlErrorKind::Internal
    } else {
        GraphQlErrorKind::Refused
    }
}

/// `Entity not found: Issue` (and nothing about another entity such as
/// `IssueLabel` or `Team`).
fn names_missing_issue(message: &str) -> bool {
    message
        .strip_prefix("Entity not found: Issue")
        .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric()))
}

/// The error's message meant for people, else its message.
fn error_message(error: &GraphQlErrorDto) -> String {
    let presentable = error.extensions.as_ref().and_then(|e| e.user_presentable_message.as_deref());
    let said = match (error.message.as_deref(), presentable) {
        (Some(message), Some(presentable)) if message != presentable => format!("{message} ({presentable})"),
        (Some(message), _) => message.to_owned(),
        (None, Some(presentable)) => presentable.to_owned(),
        (None, None) => "GraphQL error without a message".to_owned(),
    };
    excerpt(&said)
}

/// The start of `text`, at most [`BODY_EXCERPT_CHARS`] characters.
fn excerpt(text: &str) -> String {
    text.chars().take(BODY_EXCERPT_CHARS).collect()
}

/// The wait before the budget refills: `Retry-After` when sent, else the
/// latest `X-RateLimit-{Requests,Complexity}-Reset` (UTC epoch milliseconds)
/// of a budget that is spent (its `-Remaining` is 0 or absent), counted from `now`.
fn rate_limit_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(wait) = retry_after_header(headers.get(RETRY_AFTER).map(|v| v.as_bytes())) {
        return Some(wait);
    }
    let number = |name: &str| -> Option<i128> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    let now_ms = now.duration_since(UNIX_EPOCH).ok()?.as_millis();
    ["requests", "complexity"]
        .into_iter()
        .filter(|budget| number(&format!("x-ratelimit-{budget}-remaining")).is_none_or(|left| left <= 0))
        .filter_map(|budget| number(&format!("x-ratelimit-{budget}-reset")))
        .filter_map(|reset_ms| u128::try_from(reset_ms).ok())
        .map(|reset_ms| reset_ms.saturating_sub(now_ms))
        .max()
        .map(|wait_ms| Duration::from_millis(u64::try_from(wait_ms).unwrap_or(u64::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::ErrorExtensions;

    fn error(message: &str, code: Option<&str>, kind: Option<&str>) -> GraphQlErrorDto {
        GraphQlErrorDto {
            message: Some(message.into()),
            extensions: Some(ErrorExtensions {
                code: code.map(Into::into),
                kind: kind.map(Into::into),
                user_presentable_message: None,
            }),
        }
    }

    #[test]
    fn errors_are_classified_by_their_extensions() {
        use GraphQlErrorKind::*;
        let cases = [
            (error("Rate limit exceeded", Some("RATELIMITED"), None), RateLimited),
            (error("x", None, Some("ratelimited")), RateLimited),
            (error("Authentication required", Some("AUTHENTICATION_ERROR"), None), Unauthorized),
            (error("x", None, Some("authentication error")), Unauthorized),
            (error("x", Some("FORBIDDEN"), Some("forbidden")), Unauthorized),
            (error("Entity not found: Issue", Some("INPUT_ERROR"), Some("invalid input")), IssueNotFound),
            (error("Entity not found: Issue - Could not find referenced Issue.", None, None), IssueNotFound),
            (error("Entity not found: Team", Some("INPUT_ERROR"), None), Refused),
            (error("Entity not found: IssueLabel", Some("INPUT_ERROR"), None), Refused),
            (error("x", None, Some("lock timeout")), Internal),
            (error("x", Some("INTERNAL_SERVER_ERROR"), None), Internal),
            (error("Argument Validation Error", Some("INVALID_INPUT"), Some("invalid input")), Refused),
        ];
        for (error, kind) in cases {
            assert_eq!(classify(&error), kind, "{error:?}");
        }
    }

    #[test]
    fn the_wait_comes_from_retry_after_else_the_spent_budgets_reset() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let now_ms = 1_700_000_000_000u64;
        let headers = |pairs: &[(&'static str, String)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        assert_eq!(rate_limit_wait(&HeaderMap::new(), now), None);
        let retry =
            headers(&[("retry-after", "7".into()), ("x-ratelimit-requests-reset", (now_ms + 60_000).to_string())]);
        assert_eq!(rate_limit_wait(&retry, now), Some(Duration::from_secs(7)));
        let requests = headers(&[
            ("x-ratelimit-requests-remaining", "0".into()),
            ("x-ratelimit-requests-reset", (now_ms + 90_000).to_string()),
            ("x-ratelimit-complexity-remaining", "240000".into()),
            ("x-ratelimit-complexity-reset", (now_ms + 3_000).to_string()),
        ]);
        assert_eq!(rate_limit_wait(&requests, now), Some(Duration::from_secs(90)));
        let past = headers(&[("x-ratelimit-requests-reset", (now_ms - 5_000).to_string())]);
        assert_eq!(rate_limit_wait(&past, now), Some(Duration::ZERO));
        for garbage in ["soon", "-5", "1e99", "99999999999999999999999999999999999999999"] {
            let bad = headers(&[("x-ratelimit-requests-reset", garbage.into())]);
            assert_eq!(rate_limit_wait(&bad, now), None, "{garbage}");
        }
    }

    #[test]
    fn an_unusable_url_is_refused() {
        for url in ["not a url", "ftp://linear.example/graphql"] {
            let config = LinearConfig::new(Secret::new("k"), "t").with_api_url(url);
            assert!(matches!(LinearClient::new(&config), Err(LinearError::Config(_))), "{url}");
        }
    }
}
