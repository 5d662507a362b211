//! Who may call what: bearer tokens for `/api/v1` and `/metrics`, the
//! loopback-only default, per-client rate limits, and the answers to overload.
//!
//! | route | credential |
//! |---|---|
//! | `/api/v1/*` | `SIMA_API_TOKEN`; `GET` also `SIMA_API_READ_TOKEN`; none set: the loopback default |
//! | `/metrics` | `SIMA_METRICS_TOKEN` (or the API token) when set; else open |
//! | `/webhooks/*` | `SIMA_WEBHOOK_TOKEN` |
//! | `/slack/*` | Slack's request signature |
//! | `/healthz`, `/readyz` | none |
//!
//! Private incidents are hidden from the read token on every per-incident
//! route, and left out of its lists (`visibility`).
//!
//! The loopback default (no API token, no read token) serves only clients on
//! this machine, and only while the server listens on a loopback address and
//! no proxy is declared (`limits.trusted_proxies`): a forwarder on this
//! machine would make every client look local. In that mode only requests
//! addressed to a loopback name or `SIMA_PUBLIC_URL` are served (`origin`),
//! and every API write must be `Content-Type: application/json`, which no
//! cross-site form can send.

mod loopback;
mod origin;
pub(crate) mod visibility;

pub(crate) use loopback::is_loopback_host;
pub use origin::same_origin;
pub use visibility::hide_private;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::clients::{budget_key, ClientLimiter};
use crate::error::ApiError;
use crate::settings::{Secret, Settings};
use crate::state::AppState;

/// Who an API request was admitted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The holder of `SIMA_API_TOKEN`.
    Admin,
    /// The holder of `SIMA_API_READ_TOKEN`.
    Reader,
    /// A client on this machine, under the loopback default.
    Local,
}

/// The peer address, when the server was started with connection info.
pub(crate) fn peer(request: &Request) -> Option<IpAddr> {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())
}

/// Whether a proxy forwarded this request (so its peer address says nothing).
pub(crate) fn is_forwarded(headers: &HeaderMap) -> bool {
    headers.contains_key("x-forwarded-for")
        || headers.contains_key(header::FORWARDED)
        || headers.contains_key("x-real-ip")
}

/// Whether the request comes straight from this machine to a server that
/// may serve it without a credential (see the module documentation).
pub(crate) fn is_local(settings: &Settings, request: &Request) -> bool {
    settings.open_to_loopback() && peer(request).is_some_and(|ip| ip.is_loopback()) && !is_forwarded(request.headers())
}

/// Whether a request presents a credential this server issued: an API,
/// read, metrics or webhook token, or a signed dashboard session.
fn credentialed(settings: &Settings, headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> bool {
    if let Some(token) = bearer(headers) {
        let tokens = [&settings.api_token, &settings.api_read_token, &settings.metrics_token, &settings.webhook_token];
        return tokens.into_iter().any(|expected| matches(token, expected.as_ref()));
    }
    crate::ui::has_signed_session(settings, headers, now)
}

/// 429 with `Retry-After` once a client spends its budget on `/api`,
/// `/webhooks` or the dashboard; callers with a credential draw from a
/// budget of their own.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let who = state.limiter.client(peer(&request), request.headers());
    let with_credential = credentialed(&state.settings, request.headers(), state.service.now());
    match state.limiter.check(who, with_credential) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            tracing::warn!(client = %budget_key(who), credentialed = with_credential, retry_after = seconds, "rate limited");
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests from this client; retry in {seconds} s"),
            )
            .into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            response
        }
    }
}

/// The bearer token of a request, if it sent one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Constant-time comparison with an optional expected secret.
pub(crate) fn matches(given: &str, expected: Option<&Secret>) -> bool {
    expected.is_some_and(|e| bool::from(given.as_bytes().ct_eq(e.expose().as_bytes())))
}

/// Whether a request body is declared JSON (`application/json`, `…+json`).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Who a request is on the API, or why it is refused.
fn api_access(settings: &Settings, request: &Request) -> Result<Caller, ApiError> {
    let read_only = matches!(*request.method(), Method::GET | Method::HEAD);
    if let Some(token) = bearer(request.headers()) {
        if matches(token, settings.api_token.as_ref()) {
            return Ok(Caller::Admin);
        }
        if matches(token, settings.api_read_token.as_ref()) {
            return if read_only {
                Ok(Caller::Reader)
            } else {
                Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this token may only read (GET)"))
            };
        }
        return Err(ApiError::unauthorized("the API token is wrong"));
    }
    if settings.api_token.is_some() || settings.api_read_token.is_some() {
        return Err(ApiError::unauthorized("send `Authorization: Bearer <SIMA_API_TOKEN>`"));
    }
    if !is_local(settings, request) {
        return Err(ApiError::unauthorized(if settings.open_to_loopback() {
            "the API answers clients on this machine only until SIMA_API_TOKEN is set on the server; then send \
             `Authorization: Bearer <token>`"
        } else {
            "this server listens beyond loopback or behind a declared proxy, so it answers nobody without a token: \
             set SIMA_API_TOKEN on the server and send `Authorization: Bearer <token>`"
        }));
    }
    if !read_only && !is_json(request.headers()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send `Content-Type: application/json` (with a body of `{}` where none is needed): without a token, \
             writes must be JSON so that no cross-site form can make them",
        ));
    }
    Ok(Caller::Local)
}

/// Guards every `/api/v1` route (see the module table); nothing runs before it.
/// The handler finds the [`Caller`] in the request's extensions.
pub async fn require_api_token(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match api_access(&state.settings, &request) {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(refused) => refused.into_response(),
    }
}

/// Guards `/metrics` with `SIMA_METRICS_TOKEN` (or the API token) when one is set.
pub async fn require_metrics_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let settings = &state.settings;
    if settings.metrics_token.is_none() {
        return next.run(request).await;
    }
    let given = bearer(request.headers()).unwrap_or_default();
    if matches(given, settings.metrics_token.as_ref()) || matches(given, settings.api_token.as_ref()) {
        next.run(request).await
    } else {
        ApiError::unauthorized("send `Authorization: Bearer <SIMA_METRICS_TOKEN>`").into_response()
    }
}

/// Shared by the layers: built once per server.
pub fn limiter(settings: &Settings) -> Arc<ClientLimiter> {
    let limits = &settings.limits;
    Arc::new(ClientLimiter::new(limits.requests_per_second, limits.burst, limits.proxies()))
}

/// The answer to a request that ran out of time or found the server full:
/// 503 (the work may have been recorded; retry with the same `Idempotency-Key`).
pub async fn overloaded(error: tower::BoxError) -> Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        tracing::warn!("request timed out");
        let mut response = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took too long and may have been recorded; retry with the same Idempotency-Key",
        )
        .into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    if error.is::<tower::load_shed::error::Overloaded>() {
        tracing::warn!("overloaded: request shed");
    } else {
        tracing::error!(%error, "request failed in a middleware");
    }
    let mut response =
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "the server is busy; retry shortly")
            .into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn json_is_recognised_by_its_media_type() {
        let mut headers = HeaderMap::new();
        assert!(!is_json(&headers));
        for (value, json) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/merge-patch+json", true),
            ("application/x-www-form-urlencoded", false),
            ("text/plain", false),
            ("multipart/form-data; boundary=x", false),
        ] {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_json(&headers), json, "{value}");
        }
    }
}
