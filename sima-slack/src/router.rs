//! The axum routes Slack calls: `/commands`, `/interactions`, `/events`.
//!
//! Every request is checked against its v0 signature before anything else,
//! then goes through the pipeline Socket Mode shares; events are
//! de-duplicated by `event_id` so Slack's retries never act twice.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use sima_core::chat::InboundHandler;
use sima_core::model::Message;
use sima_core::ports::{Clock, IdempotencyKeys};

use crate::config::Secret;
use crate::pipeline::{self, message_body, Answer, Body, Kind, Request};
use crate::signature::{SignatureError, SignatureVerifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The header Slack sets on redelivered events.
const RETRY_NUM_HEADER: &str = "x-slack-retry-num";

/// The host of Slack's `response_url`s.
const HOOKS_HOST: &str = "hooks.slack.com";

/// How long a `response_url` post may take.
const RESPONSE_URL_TIMEOUT: Duration = Duration::from_secs(5);

/// What the routes and Socket Mode need: the signing secret, the core's
/// handler of neutral inbound events, the store (for idempotency keys) and
/// the clock.
#[derive(Clone)]
pub struct SlackState {
    /// `None`: no signing secret, so the HTTP routes refuse every request
    /// (Socket Mode only).
    verifier: Option<SignatureVerifier>,
    pub(crate) handler: Arc<dyn InboundHandler>,
    pub(crate) store: Arc<dyn IdempotencyKeys>,
    pub(crate) clock: Arc<dyn Clock>,
    http: reqwest::Client,
    /// `host[:port]` besides Slack's hooks host that `response_url`s may name.
    api_host: Option<String>,
}

impl SlackState {
    /// State for [`router`] (and Socket Mode), verifying HTTP requests with this signing secret.
    pub fn new(
        signing_secret: Secret,
        handler: Arc<dyn InboundHandler>,
        store: Arc<dyn IdempotencyKeys>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { verifier: Some(SignatureVerifier::new(signing_secret)), ..Self::unsigned(handler, store, clock) }
    }

    /// State for Socket Mode alone, without a signing secret: the
    /// authenticated WebSocket is the authentication, and [`router`]'s
    /// routes refuse every request with 401.
    pub fn unsigned(handler: Arc<dyn InboundHandler>, store: Arc<dyn IdempotencyKeys>, clock: Arc<dyn Clock>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(RESPONSE_URL_TIMEOUT)
            .connect_timeout(RESPONSE_URL_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "could not build the response_url client; using the defaults");
                reqwest::Client::new()
            });
        Self { verifier: None, handler, store, clock, http, api_host: None }
    }

    /// Also accepts `response_url`s on the host of this Web API base
    /// (`SIMA_SLACK_API_URL`: a test server or a proxy); Slack's own hooks
    /// host is always accepted.
    pub fn with_api_url(mut self, api_url: &str) -> Self {
        self.api_host = reqwest::Url::parse(api_url).ok().and_then(|u| host_port(&u));
        self
    }

    /// Whether SIMA may post to this `response_url`: `https://hooks.slack.com/…`,
    /// or the host of the configured Web API base.
    pub fn allows_response_url(&self, url: &str) -> bool {
        let Ok(url) = reqwest::Url::parse(url) else { return false };
        if url.scheme() == "https" && url.host_str() == Some(HOOKS_HOST) && url.port().is_none() {
            return true;
        }
        self.api_host.is_some() && host_port(&url) == self.api_host
    }
}

/// `scheme://host:port` of a URL, with the default port made explicit.
fn host_port(url: &reqwest::Url) -> Option<String> {
    Some(format!("{}://{}:{}", url.scheme(), url.host_str()?, url.port_or_known_default()?))
}

/// The Slack routes, to nest under a prefix: `Router::new().nest("/slack", router(state))`.
pub fn router(state: SlackState) -> Router {
    Router::new()
        .route("/commands", post(commands))
        .route("/interactions", post(interactions))
        .route("/events", post(events))
        .with_state(state)
}

/// Why a request was refused.
#[derive(Debug)]
enum Refusal {
    Signature(SignatureError),
    NoSigningSecret,
    Pipeline(pipeline::Refusal),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Signature(e) => {
                tracing::warn!(error = %e, "refused an unsigned or stale Slack request");
                (StatusCode::UNAUTHORIZED, format!("Slack signature check failed: {e}")).into_response()
            }
            Self::NoSigningSecret => {
                tracing::warn!("refused a Slack request: no signing secret is configured");
                (StatusCode::UNAUTHORIZED, "Slack requests cannot be verified: no signing secret").into_response()
            }
            Self::Pipeline(pipeline::Refusal::Malformed(e)) => {
                tracing::warn!(error = %e, "refused a malformed Slack request");
                (StatusCode::BAD_REQUEST, e.to_string()).into_response()
            }
            Self::Pipeline(pipeline::Refusal::Store(e)) => {
                tracing::error!(error = %e, "could not record a Slack delivery");
                (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response()
            }
        }
    }
}

fn verify(state: &SlackState, headers: &HeaderMap, body: &[u8]) -> Result<(), Refusal> {
    let Some(verifier) = &state.verifier else { return Err(Refusal::NoSigningSecret) };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    verifier
        .verify(header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), body, state.clock.now())
        .map_err(Refusal::Signature)
}

/// A signed request through the shared pipeline. A command or an interaction
/// replayed inside the signature window carries the same timestamp, body and
/// so the same signature: that signature is its idempotency key, which
/// outlives the window.
async fn signed(state: &SlackState, kind: Kind, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refusal> {
    verify(state, headers, body)?;
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let key = format!("slack:request:{signature}");
    let retry = headers.get(RETRY_NUM_HEADER).and_then(|v| v.to_str().ok());
    let request = Request { kind, body: Body::Raw(body), key: &key, retry };
    Ok(match pipeline::handle(state, request).await.map_err(Refusal::Pipeline)? {
        Answer::Empty => StatusCode::OK.into_response(),
        Answer::Body(body) => Json(body).into_response(),
        Answer::Retry => (StatusCode::INTERNAL_SERVER_ERROR, "not handled; retry").into_response(),
    })
}

async fn commands(State(state): State<SlackState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    signed(&state, Kind::Command, &headers, &body).await
}

async fn interactions(State(state): State<SlackState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    signed(&state, Kind::Interaction, &headers, &body).await
}

async fn events(State(state): State<SlackState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    signed(&state, Kind::Event, &headers, &body).await
}

/// Posts a reply to a button press through its `response_url`, after the
/// acknowledgement, so Slack gets its answer at once.
pub(crate) fn deliver(state: &SlackState, response_url: Option<String>, response_type: &'static str, message: Message) {
    let Some(url) = response_url else { return };
    if !state.allows_response_url(&url) {
        tracing::warn!("refused a response_url outside Slack's hooks host");
        return;
    }
    let http = state.http.clone();
    let mut body = message_body(response_type, &message);
    body["replace_original"] = json!(false);
    tokio::spawn(async move {
        match tokio::time::timeout(RESPONSE_URL_TIMEOUT, http.post(&url).json(&body).send()).await {
            Ok(Ok(r)) if r.status().is_success() => {}
            Ok(Ok(r)) => tracing::warn!(status = r.status().as_u16(), "Slack refused a response_url reply"),
            Ok(Err(error)) => tracing::warn!(%error, "could not post a response_url reply"),
            Err(_) => tracing::warn!("a response_url reply timed out"),
        }
    });
}
