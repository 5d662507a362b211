//! Logs: the subscriber (`RUST_LOG`, `SIMA_LOG_FORMAT`), an id for every
//! request, and one access line per request.
//!
//! Each request runs in a `request` span carrying its method, matched route
//! and id, so every line it logs carries them too; the access line
//! (target `sima_server::access`) adds the status and the duration. The id
//! is the caller's `x-request-id` when it is short and plain, a new UUID v7
//! otherwise, and is sent back in the response's `x-request-id`.

use std::str::FromStr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Response};
use axum::middleware::{self, Next};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;
use tracing_subscriber::EnvFilter;

/// The environment variable naming the log format.
pub const LOG_FORMAT_VAR: &str = "SIMA_LOG_FORMAT";

/// The header carrying a request's id, in and out.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest caller-supplied request id kept; a longer one is replaced.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event (the default).
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message`,
    /// the event's fields, and the enclosing spans' fields under `span` and `spans`.
    Json,
}

/// `SIMA_LOG_FORMAT` names no known format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{LOG_FORMAT_VAR} must be `json` or `text`, not {0:?}")]
pub struct LogFormatError(String);

impl FromStr for LogFormat {
    type Err = LogFormatError;

    fn from_str(value: &str) -> Result<Self, LogFormatError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err(LogFormatError(value.to_owned())),
        }
    }
}

impl LogFormat {
    /// The format `SIMA_LOG_FORMAT` names; unset or empty means text.
    ///
    /// # Errors
    /// Any other value, named in the message.
    pub fn from_env() -> Result<Self, LogFormatError> {
        match std::env::var_os(LOG_FORMAT_VAR) {
            None => Ok(Self::Text),
            Some(value) if value.is_empty() => Ok(Self::Text),
            Some(value) => value.to_string_lossy().parse(),
        }
    }
}

/// Installs the log subscriber: the format `SIMA_LOG_FORMAT` names, the
/// levels `RUST_LOG` names (default `info,sqlx=warn`). Once per process;
/// later calls change nothing.
///
/// # Errors
/// `SIMA_LOG_FORMAT` holds neither `json` nor `text`; nothing is installed.
pub fn init() -> Result<(), LogFormatError> {
    install(LogFormat::from_env()?);
    Ok(())
}

/// Installs the log subscriber writing `format` to standard output (see [`init`]).
pub fn install(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(true).try_init(),
    };
}

/// Whether a caller's request id is worth keeping: 1 to
/// [`MAX_REQUEST_ID_LEN`] letters, digits or `-_.:/+=@` (UUIDs, ULIDs,
/// hex and base64 ids pass; control characters, spaces and quotes do not).
pub fn acceptable_request_id(value: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&value.len())
        && value.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(b))
}

/// Drops a caller's `x-request-id` unless it is one acceptable value, so a
/// new id is made for the request.
async fn drop_unacceptable_request_id(mut request: Request, next: Next) -> Response<Body> {
    let mut values = request.headers().get_all(&REQUEST_ID_HEADER).iter();
    let acceptable = match (values.next(), values.next()) {
        (Some(only), None) => acceptable_request_id(only.as_bytes()),
        (None, _) => true,
        (Some(_), Some(_)) => false,
    };
    if !acceptable {
        request.headers_mut().remove(&REQUEST_ID_HEADER);
    }
    next.run(request).await
}

/// New request ids: UUID v7, so they sort by time.
#[derive(Debug, Clone, Copy, Default)]
struct MakeRequestUuidV7;

impl MakeRequestId for MakeRequestUuidV7 {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().to_string()).ok().map(RequestId::new)
    }
}

/// The route template a request matched (`/api/v1/incidents/{id}`), or
/// `unmatched`: a bounded set of values, fit for labels and log fields.
pub fn route_of<B>(request: &Request<B>) -> &str {
    request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str)
}

fn request_span(request: &Request<Body>) -> Span {
    let id = request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("");
    tracing::info_span!("request", method = %request.method(), route = route_of(request), request_id = id)
}

fn access_line(response: &Response<Body>, latency: Duration, _: &Span) {
    let duration_ms = (latency.as_secs_f64() * 1e6).round() / 1e3;
    tracing::info!(target: "sima_server::access", status = response.status().as_u16(), duration_ms, "request");
}

/// `router` with request ids and the access log around every route.
pub fn trace_requests(router: Router) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(drop_unacceptable_request_id))
            .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuidV7))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_request(())
                    .on_response(access_line)
                    .on_failure(()),
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_text_or_json_and_anything_else_is_named() {
        assert_eq!("json".parse(), Ok(LogFormat::Json));
        assert_eq!(" Text ".parse(), Ok(LogFormat::Text));
        let error = "xml".parse::<LogFormat>().unwrap_err();
        assert_eq!(error.to_string(), "SIMA_LOG_FORMAT must be `json` or `text`, not \"xml\"");
    }

    #[test]
    fn request_ids_are_short_and_plain() {
        assert!(acceptable_request_id(b"01939e2c-7c1a-7d3e-9d5b-0123456789ab"));
        assert!(acceptable_request_id(b"8a1b2c3d4e5f6a7b-CDG"));
        assert!(acceptable_request_id(&[b'a'; MAX_REQUEST_ID_LEN]));
        assert!(!acceptable_request_id(&[b'a'; MAX_REQUEST_ID_LEN + 1]));
        assert!(!acceptable_request_id(b""));
        assert!(!acceptable_request_id(b"abc\x07def"));
        assert!(!acceptable_request_id(b"two words"));
        assert!(!acceptable_request_id(b"\"quoted\""));
    }
}
