//! The one error shape every outbound port returns.

use std::time::Duration;

use thiserror::Error;

/// Why a port call failed. Retry `RateLimited` and `Transient` with backoff;
/// never retry the rest.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PortError {
    /// The platform asked us to slow down.
    #[error("rate limited{}", retry_after.map(|d| format!(", retry after {}s", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        /// How long the platform asked us to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// A failure that may pass: network, timeout, 5xx, database restart.
    #[error("transient failure: {0}")]
    Transient(String),
    /// The platform refused the request as malformed.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// Credentials are missing, wrong or revoked.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The target does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Someone else changed it first (optimistic concurrency, duplicates).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The platform cannot do this at all.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl PortError {
    /// The longest `Retry-After` a [`PortError::RateLimited`] made by
    /// [`PortError::from_http`] carries: a platform asking for more is
    /// retried after an hour (the outbox clamps further to its own bounds).
    pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient(_))
    }

    /// What an HTTP error answer means, the one table every HTTP adapter
    /// shares; an adapter overrides a row only where its platform documents
    /// another meaning, and says why where it does.
    ///
    /// | status | `PortError` |
    /// |---|---|
    /// | 429 | `RateLimited { retry_after }`, the wait capped at [`PortError::MAX_RETRY_AFTER`] |
    /// | 401, 403 | `Unauthorized` |
    /// | 404, 410 | `NotFound` |
    /// | 409, 412 | `Conflict` |
    /// | 408, 425 | `Transient` (the request timed out or came too early: send it again) |
    /// | other 4xx | `Invalid` (RFC 9110: an unknown code reads as its class's x00) |
    /// | 5xx | `Transient` |
    /// | anything else | `Invalid` |
    ///
    /// "Anything else" is an answer no adapter can use: a 1xx or 2xx handed
    /// here as a failure (an unreadable success), a 3xx that the HTTP client
    /// did not follow (a redirect loop, a missing `Location`), or a number
    /// outside 100–599, which is no HTTP status. Sending the same request
    /// again gets the same answer, so it is not retried: the configured URL
    /// or the adapter needs fixing.
    ///
    /// `retry_after` is the parsed `Retry-After` header
    /// ([`retry_after_header`](crate::retry_after_header)); only a 429 keeps
    /// it. `detail` says what failed and is kept in every other variant.
    pub fn from_http(status: u16, retry_after: Option<Duration>, detail: impl Into<String>) -> PortError {
        match status {
            429 => Self::RateLimited { retry_after: retry_after.map(|wait| wait.min(Self::MAX_RETRY_AFTER)) },
            401 | 403 => Self::Unauthorized(detail.into()),
            404 | 410 => Self::NotFound(detail.into()),
            409 | 412 => Self::Conflict(detail.into()),
            408 | 425 | 500..=599 => Self::Transient(detail.into()),
            _ => Self::Invalid(detail.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rate_limits_and_transients_are_retried() {
        assert!(PortError::RateLimited { retry_after: None }.is_retryable());
        assert!(PortError::Transient("503".into()).is_retryable());
        for e in [
            PortError::Invalid("x".into()),
            PortError::Unauthorized("x".into()),
            PortError::NotFound("x".into()),
            PortError::Conflict("x".into()),
            PortError::Unsupported("x".into()),
        ] {
            assert!(!e.is_retryable());
        }
        let shown = PortError::RateLimited { retry_after: Some(Duration::from_secs(3)) }.to_string();
        assert_eq!(shown, "rate limited, retry after 3s");
    }

    /// The variant `from_http` gives `status`, by name.
    fn class(status: u16) -> &'static str {
        match PortError::from_http(status, None, format!("HTTP {status}")) {
            PortError::RateLimited { .. } => "rate_limited",
            PortError::Transient(detail) => {
                assert_eq!(detail, format!("HTTP {status}"), "the detail is kept");
                "transient"
            }
            PortError::Invalid(_) => "invalid",
            PortError::Unauthorized(_) => "unauthorized",
            PortError::NotFound(_) => "not_found",
            PortError::Conflict(_) => "conflict",
            PortError::Unsupported(_) => "unsupported",
        }
    }

    /// The documented table, written out once more as data.
    fn expected(status: u16) -> &'static str {
        match status {
            429 => "rate_limited",
            401 | 403 => "unauthorized",
            404 | 410 => "not_found",
            409 | 412 => "conflict",
            408 | 425 => "transient",
            400..=499 => "invalid",
            500..=599 => "transient",
            _ => "invalid",
        }
    }

    #[test]
    fn every_status_maps_as_the_table_says() {
        for status in 0..=u16::MAX {
            assert_eq!(class(status), expected(status), "HTTP {status}");
        }
    }

    #[test]
    fn each_class_has_its_variant() {
        let cases = [
            (429, "rate_limited"),
            (401, "unauthorized"),
            (403, "unauthorized"),
            (404, "not_found"),
            (410, "not_found"),
            (409, "conflict"),
            (412, "conflict"),
            (408, "transient"),
            (425, "transient"),
            (500, "transient"),
            (502, "transient"),
            (503, "transient"),
            (504, "transient"),
            (599, "transient"),
            (400, "invalid"),
            (405, "invalid"),
            (413, "invalid"),
            (422, "invalid"),
            (499, "invalid"),
            (0, "invalid"),
            (99, "invalid"),
            (100, "invalid"),
            (200, "invalid"),
            (204, "invalid"),
            (301, "invalid"),
            (304, "invalid"),
            (600, "invalid"),
            (999, "invalid"),
            (u16::MAX, "invalid"),
        ];
        for (status, class_name) in cases {
            assert_eq!(class(status), class_name, "HTTP {status}");
        }
        for status in [401, 403, 404, 409, 400, 301] {
            assert!(!PortError::from_http(status, None, "x").is_retryable(), "HTTP {status}");
        }
        for status in [429, 408, 425, 500, 503] {
            assert!(PortError::from_http(status, None, "x").is_retryable(), "HTTP {status}");
        }
    }

    #[test]
    fn only_a_429_keeps_the_wait_and_it_is_capped() {
        let wait = |status, after| match PortError::from_http(status, after, "x") {
            PortError::RateLimited { retry_after } => retry_after,
            other => panic!("HTTP {status}: {other:?}"),
        };
        assert_eq!(wait(429, None), None);
        assert_eq!(wait(429, Some(Duration::ZERO)), Some(Duration::ZERO));
        assert_eq!(wait(429, Some(Duration::from_millis(1500))), Some(Duration::from_millis(1500)));
        assert_eq!(wait(429, Some(PortError::MAX_RETRY_AFTER)), Some(PortError::MAX_RETRY_AFTER));
        assert_eq!(wait(429, Some(Duration::from_secs(3601))), Some(PortError::MAX_RETRY_AFTER));
        assert_eq!(wait(429, Some(Duration::MAX)), Some(PortError::MAX_RETRY_AFTER));
        let unavailable = PortError::from_http(503, Some(Duration::from_secs(5)), "busy");
        assert_eq!(unavailable, PortError::Transient("busy".into()));
    }

    /// A `Retry-After` header as adapters read it, then mapped.
    fn rate_limited_after(header: &[u8]) -> PortError {
        PortError::from_http(429, crate::retry_after_header(Some(header)), "x")
    }

    fn after(wait: Option<Duration>) -> PortError {
        PortError::RateLimited { retry_after: wait }
    }

    #[test]
    fn retry_after_headers_end_bounded_or_absent_never_in_a_panic() {
        assert_eq!(PortError::from_http(429, crate::retry_after_header(None), "x"), after(None));
        assert_eq!(rate_limited_after(b"0"), after(Some(Duration::ZERO)));
        assert_eq!(rate_limited_after(b"30"), after(Some(Duration::from_secs(30))));
        assert_eq!(rate_limited_after(b" 2 "), after(Some(Duration::from_secs(2))));
        assert_eq!(rate_limited_after(b"1.5"), after(Some(Duration::from_millis(1500))));
        assert_eq!(rate_limited_after(b"3600"), after(Some(PortError::MAX_RETRY_AFTER)));
        // Too long: capped at an hour.
        for huge in [&b"3601"[..], b"86400", b"18446744073709551616", b"100000000000000000000", b"1e308", b"inf"] {
            assert_eq!(rate_limited_after(huge), after(Some(PortError::MAX_RETRY_AFTER)), "{huge:?}");
        }
        // Negative, garbage, empty, not UTF-8, an HTTP date: no wait known.
        for unreadable in [
            &b"-1"[..],
            b"-0.5",
            b"-100000000000000000000",
            b"NaN",
            b"soon",
            b"",
            b"   ",
            b"1 2",
            b"0x10",
            &[0xff, 0xfe],
            b"Wed, 21 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(rate_limited_after(unreadable), after(None), "{unreadable:?}");
        }
    }
}
