//! Who may call what: bearer tokens for `/api/v1` and `/metrics`, the
//! loopback-only default, per-client rate limits, and the answers to overload.
//!
//! | route | credential |
//! |---|---|
//! | `/api/v1/*` | `SIMA_API_TOKEN`; `GET` also `SIMA_API_READ_TOKEN`; none set: loopback clients only |
//! | `/metrics` | `SIMA_METRICS_TOKEN` (or the API token) when set; else open |
//! | `/webhooks/*` | `SIMA_WEBHOOK_TOKEN` |
//! | `/slack/*` | Slack's request signature |
//! | `/healthz`, `/readyz` | none |

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::settings::{LimitSettings, Secret, Settings};
use crate::state::AppState;

/// Per-client request budgets, keyed by IP address.
pub struct ClientLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    trust_forwarded_for: bool,
}

impl std::fmt::Debug for ClientLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientLimiter").field("trust_forwarded_for", &self.trust_forwarded_for).finish_non_exhaustive()
    }
}

impl ClientLimiter {
    /// A limiter with these budgets.
    pub fn new(limits: &LimitSettings) -> Self {
        let rate = NonZeroU32::new(limits.requests_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limits.burst).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            trust_forwarded_for: limits.trust_forwarded_for,
        }
    }

    /// `Ok` if `client` may make one more request, else how long to wait.
    fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.limiter.check_key(&client).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose budget is full again, so memory stays bounded.
    pub fn shrink(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// The peer address, when the server was started with connection info.
pub(crate) fn peer(request: &Request) -> Option<IpAddr> {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())
}

/// The last `X-Forwarded-For` address: the one the trusted proxy appended.
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let value = headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    value.rsplit(',').next()?.trim().parse().ok()
}

/// Whether a proxy forwarded this request (so its peer address says nothing).
pub(crate) fn is_forwarded(headers: &HeaderMap) -> bool {
    headers.contains_key("x-forwarded-for")
        || headers.contains_key(header::FORWARDED)
        || headers.contains_key("x-real-ip")
}

/// The client a request counts against.
fn client(request: &Request, trust_forwarded_for: bool) -> IpAddr {
    let forwarded = trust_forwarded_for.then(|| forwarded_for(request.headers())).flatten();
    forwarded.or_else(|| peer(request)).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// 429 with `Retry-After` once a client spends its budget on `/api`,
/// `/webhooks` or the dashboard.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let who = client(&request, state.limiter.trust_forwarded_for);
    match state.limiter.check(who) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            tracing::warn!(client = %who, retry_after = seconds, "rate limited");
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

/// What a request may do on the API.
fn api_access(settings: &Settings, request: &Request) -> Result<(), ApiError> {
    let read_only = matches!(*request.method(), Method::GET | Method::HEAD);
    if let Some(token) = bearer(request.headers()) {
        if matches(token, settings.api_token.as_ref()) {
            return Ok(());
        }
        if matches(token, settings.api_read_token.as_ref()) {
            return if read_only {
                Ok(())
            } else {
                Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this token may only read (GET)"))
            };
        }
        return Err(ApiError::unauthorized("the API token is wrong"));
    }
    if settings.api_token.is_some() || settings.api_read_token.is_some() {
        return Err(ApiError::unauthorized("send `Authorization: Bearer <SIMA_API_TOKEN>`"));
    }
    let local = peer(request).is_some_and(|ip| ip.is_loopback()) && !is_forwarded(request.headers());
    if local {
        Ok(())
    } else {
        Err(ApiError::unauthorized(
            "the API answers loopback clients only until SIMA_API_TOKEN is set on the server; then send \
             `Authorization: Bearer <token>`",
        ))
    }
}

/// Guards every `/api/v1` route (see the module table); nothing runs before it.
pub async fn require_api_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match api_access(&state.settings, &request) {
        Ok(()) => next.run(request).await,
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
    Arc::new(ClientLimiter::new(&settings.limits))
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
    fn the_proxy_appended_address_is_the_client() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.9"));
        assert_eq!(forwarded_for(&headers), Some("203.0.113.9".parse().unwrap()));
        assert!(is_forwarded(&headers));
    }

    #[test]
    fn a_client_over_budget_waits() {
        let limits = LimitSettings { requests_per_second: 1, burst: 2, ..LimitSettings::default() };
        let limiter = ClientLimiter::new(&limits);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(limiter.check(a).is_ok() && limiter.check(a).is_ok());
        assert!(limiter.check(a).unwrap_err() > Duration::ZERO);
        assert!(limiter.check("10.0.0.2".parse().unwrap()).is_ok(), "budgets are per client");
    }
}
