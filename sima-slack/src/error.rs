//! What can go wrong talking to Slack, and how it maps into the core's `PortError`.

use std::time::Duration;

use sima_core::ports::PortError;
use thiserror::Error;

/// A failed Web API call.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SlackError {
    /// Slack answered `ok: false` with this error code.
    #[error("slack {method} failed: {code}")]
    Api {
        /// The API method called.
        method: &'static str,
        /// Slack's error code (`channel_not_found`).
        code: String,
    },
    /// HTTP 429 or the `ratelimited` code.
    #[error("slack {method} rate limited")]
    RateLimited {
        /// The API method called.
        method: &'static str,
        /// Slack's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },
    /// An HTTP status other than 2xx or 429.
    #[error("slack {method} answered HTTP {status}")]
    Status {
        /// The API method called.
        method: &'static str,
        /// The status code.
        status: u16,
    },
    /// The request did not complete: timeout, connection refused, reset.
    #[error("slack {method} unreachable: {detail}")]
    Transport {
        /// The API method called.
        method: &'static str,
        /// What happened.
        detail: String,
    },
    /// The answer was not the JSON expected.
    #[error("slack {method} answered something unreadable: {detail}")]
    Decode {
        /// The API method called.
        method: &'static str,
        /// What did not parse.
        detail: String,
    },
    /// The adapter could not be built (bad URL, TLS setup).
    #[error("slack adapter misconfigured: {0}")]
    Config(String),
}

impl SlackError {
    /// Slack's error code, for `ok: false` answers.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Which `PortError` an `ok: false` answer means. Slack reports most
/// failures as HTTP 200 with an error code in the body, so this table is
/// Slack's own; HTTP statuses go through [`PortError::from_http`].
fn from_code(method: &str, code: &str) -> PortError {
    let what = format!("{method}: {code}");
    match code {
        "not_authed"
        | "invalid_auth"
        | "token_revoked"
        | "token_expired"
        | "account_inactive"
        | "missing_scope"
        | "no_permission"
        | "not_allowed_token_type"
        | "access_denied"
        | "ekm_access_denied" => PortError::Unauthorized(what),
        "channel_not_found" | "message_not_found" | "thread_not_found" | "not_in_channel" | "is_archived"
        | "no_item_specified" | "no_such_subteam" => PortError::NotFound(what),
        // Reading someone who is not there finds nothing; inviting them is a mistake.
        "user_not_found" if method == "users.info" => PortError::NotFound(what),
        "name_taken" => PortError::Conflict(what),
        // Slack's rate-limit codes mean what a 429 means.
        "ratelimited" | "rate_limited" => PortError::from_http(429, None, what),
        "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" | "team_added_to_org" => {
            PortError::Transient(what)
        }
        _ => PortError::Invalid(what),
    }
}

impl From<SlackError> for PortError {
    fn from(error: SlackError) -> Self {
        let detail = error.to_string();
        match error {
            SlackError::Api { method, code } => from_code(method, &code),
            SlackError::RateLimited { retry_after, .. } => PortError::from_http(429, retry_after, detail),
            SlackError::Status { status, .. } => PortError::from_http(status, None, detail),
            SlackError::Transport { .. } => PortError::Transient(detail),
            SlackError::Decode { .. } | SlackError::Config(_) => PortError::Invalid(detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str) -> PortError {
        SlackError::Api { method: "chat.postMessage", code: code.into() }.into()
    }

    #[test]
    fn codes_map_to_port_errors() {
        for code in ["not_authed", "invalid_auth", "token_revoked"] {
            assert!(matches!(api(code), PortError::Unauthorized(_)), "{code}");
        }
        for code in ["channel_not_found", "message_not_found"] {
            assert!(matches!(api(code), PortError::NotFound(_)), "{code}");
        }
        for code in ["invalid_blocks", "invalid_arguments", "invalid_name_specials", "msg_too_long"] {
            assert!(matches!(api(code), PortError::Invalid(_)), "{code}");
        }
        assert_eq!(api("ratelimited"), PortError::RateLimited { retry_after: None });
        assert!(matches!(api("internal_error"), PortError::Transient(_)));
        assert!(matches!(api("name_taken"), PortError::Conflict(_)));
    }

    #[test]
    fn statuses_map_to_port_errors() {
        let status = |status| PortError::from(SlackError::Status { method: "pins.add", status });
        assert!(matches!(status(503), PortError::Transient(_)));
        assert!(matches!(status(500), PortError::Transient(_)));
        assert!(matches!(status(400), PortError::Invalid(_)));
        assert!(matches!(status(401), PortError::Unauthorized(_)));
        assert!(matches!(status(404), PortError::NotFound(_)));
        assert!(matches!(status(409), PortError::Conflict(_)));
        assert_eq!(status(502), PortError::Transient("slack pins.add answered HTTP 502".into()));
        let timeout = SlackError::Transport { method: "pins.add", detail: "timed out".into() };
        assert!(PortError::from(timeout).is_retryable());
        let limited = SlackError::RateLimited { method: "pins.add", retry_after: Some(Duration::from_secs(7)) };
        assert_eq!(PortError::from(limited), PortError::RateLimited { retry_after: Some(Duration::from_secs(7)) });
        let day = SlackError::RateLimited { method: "pins.add", retry_after: Some(Duration::from_secs(86_400)) };
        assert_eq!(PortError::from(day), PortError::RateLimited { retry_after: Some(PortError::MAX_RETRY_AFTER) });
    }
}
