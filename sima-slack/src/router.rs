//! The axum routes Slack calls: `/commands`, `/interactions`, `/events`.
//!
//! Every request is checked against its v0 signature before anything else;
//! events are de-duplicated by `event_id` so Slack's retries never act twice.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use sima_core::chat::{InboundHandler, Reply, NOT_RECORDED};
use sima_core::model::Message;
use sima_core::ports::{Clock, IdempotencyKeys, PortError};

use crate::config::Secret;
use crate::inbound::SlackInbound;
use crate::parse::{parse_command, parse_event, parse_interaction, EventsRequest, ParseError};
use crate::render::{fallback_text, message_blocks, modal_view};
use crate::signature::{SignatureError, SignatureVerifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The header Slack sets on redelivered events.
const RETRY_NUM_HEADER: &str = "x-slack-retry-num";

/// The host of Slack's `response_url`s.
const HOOKS_HOST: &str = "hooks.slack.com";

/// How long a `response_url` post may take.
const RESPONSE_URL_TIMEOUT: Duration = Duration::from_secs(5);

/// What the routes need: the signing secret, the core's handler of neutral
/// inbound events, the store (for event idempotency keys) and the clock.
#[derive(Clone)]
pub struct SlackState {
    verifier: SignatureVerifier,
    handler: Arc<dyn InboundHandler>,
    store: Arc<dyn IdempotencyKeys>,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
    /// `host[:port]` besides Slack's hooks host that `response_url`s may name.
    api_host: Option<String>,
}

impl SlackState {
    /// State for [`router`].
    pub fn new(
        signing_secret: Secret,
        handler: Arc<dyn InboundHandler>,
        store: Arc<dyn IdempotencyKeys>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let http = reqwest::Client::builder()
            .timeout(RESPONSE_URL_TIMEOUT)
            .connect_timeout(RESPONSE_URL_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "could not build the response_url client; using the defaults");
                reqwest::Client::new()
            });
        Self { verifier: SignatureVerifier::new(signing_secret), handler, store, clock, http, api_host: None }
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
    Malformed(ParseError),
    Store(PortError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Signature(e) => {
                tracing::warn!(error = %e, "refused an unsigned or stale Slack request");
                (StatusCode::UNAUTHORIZED, format!("Slack signature check failed: {e}")).into_response()
            }
            Self::Malformed(e) => {
                tracing::warn!(error = %e, "refused a malformed Slack request");
                (StatusCode::BAD_REQUEST, e.to_string()).into_response()
            }
            Self::Store(e) => {
                tracing::error!(error = %e, "could not record a Slack event id");
                (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response()
            }
        }
    }
}

fn verify(state: &SlackState, headers: &HeaderMap, body: &[u8]) -> Result<(), Refusal> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    state
        .verifier
        .verify(header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), body, state.clock.now())
        .map_err(Refusal::Signature)
}

/// Whether this signed request is seen for the first time. A request replayed
/// inside the signature window carries the same timestamp, body and so the
/// same signature; its key outlives the window.
///
/// `None` when the store cannot be reached: the caller then answers 200 with
/// "could not record this yet" without acting, so Slack shows the person why
/// and a replay of that request is harmless.
async fn first_delivery(state: &SlackState, headers: &HeaderMap) -> Option<bool> {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let key = format!("slack:request:{signature}");
    match state.store.remember(&key, state.clock.now()).await {
        Ok(true) => Some(true),
        Ok(false) => {
            tracing::warn!("replayed Slack request ignored");
            Some(false)
        }
        Err(error) => {
            tracing::error!(%error, "could not record a Slack request id; answered that nothing was recorded");
            None
        }
    }
}

async fn commands(State(state): State<SlackState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    verify(&state, &headers, &body)?;
    let inbound = parse_command(&body).map_err(Refusal::Malformed)?;
    let reply = match first_delivery(&state, &headers).await {
        Some(true) => state.handler.handle(inbound.into_core()).await,
        Some(false) => return Ok(StatusCode::OK.into_response()),
        None => Reply::not_recorded(),
    };
    Ok(match reply {
        Reply::Private(message) => Json(message_body("ephemeral", &message)).into_response(),
        Reply::InRoom(message) => Json(message_body("in_channel", &message)).into_response(),
        Reply::Ack => StatusCode::OK.into_response(),
        other => {
            tracing::warn!(reply = ?other, "reply does not apply to a slash command; acknowledged");
            StatusCode::OK.into_response()
        }
    })
}

async fn interactions(State(state): State<SlackState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    verify(&state, &headers, &body)?;
    let Some(inbound) = parse_interaction(&body).map_err(Refusal::Malformed)? else {
        return Ok(StatusCode::OK.into_response());
    };
    let response_url = match &inbound {
        SlackInbound::BlockAction(action) => action.response_url.clone(),
        _ => None,
    };
    let is_submission = matches!(inbound, SlackInbound::ViewSubmission(_));
    let reply = match first_delivery(&state, &headers).await {
        Some(true) => state.handler.handle(inbound.into_core()).await,
        Some(false) => return Ok(StatusCode::OK.into_response()),
        None if is_submission => Reply::form_error("summary", NOT_RECORDED),
        None => Reply::not_recorded(),
    };
    Ok(match reply {
        Reply::FormErrors(errors) if is_submission => {
            Json(json!({ "response_action": "errors", "errors": errors })).into_response()
        }
        Reply::ReplaceForm(form) if is_submission => {
            Json(json!({ "response_action": "update", "view": modal_view(&form) })).into_response()
        }
        Reply::CloseForms if is_submission => Json(json!({ "response_action": "clear" })).into_response(),
        Reply::Private(message) if response_url.is_some() => {
            deliver(&state, response_url, "ephemeral", message);
            StatusCode::OK.into_response()
        }
        Reply::InRoom(message) if response_url.is_some() => {
            deliver(&state, response_url, "in_channel", message);
            StatusCode::OK.into_response()
        }
        Reply::Ack => StatusCode::OK.into_response(),
        other => {
            tracing::warn!(reply = ?other, "reply does not apply to this interaction; acknowledged");
            StatusCode::OK.into_response()
        }
    })
}

/// Posts a reply to a button press through its `response_url`, after the
/// acknowledgement, so Slack gets its answer at once.
fn deliver(state: &SlackState, response_url: Option<String>, response_type: &'static str, message: Message) {
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

async fn events(State(state): State<SlackState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    verify(&state, &headers, &body)?;
    match parse_event(&body).map_err(Refusal::Malformed)? {
        EventsRequest::UrlVerification { challenge } => Ok(Json(json!({ "challenge": challenge })).into_response()),
        EventsRequest::Callback { event_id, inbound: Some(inbound) } => {
            let key = format!("slack:event:{event_id}");
            let first = state.store.remember(&key, state.clock.now()).await.map_err(Refusal::Store)?;
            if first {
                if let Reply::Retry = state.handler.handle(inbound.into_core()).await {
                    // Keep the key only for handled events, so Slack's retry is not ignored.
                    if let Err(error) = state.store.forget_key(&key).await {
                        tracing::error!(%error, %event_id, "could not forget a failed Slack event");
                    }
                    tracing::warn!(%event_id, "Slack event not handled; Slack will retry");
                    return Ok((StatusCode::INTERNAL_SERVER_ERROR, "not handled; retry").into_response());
                }
            } else {
                let retry = headers.get(RETRY_NUM_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::debug!(%event_id, retry, "repeated Slack event ignored");
            }
            Ok(StatusCode::OK.into_response())
        }
        EventsRequest::Callback { inbound: None, .. } | EventsRequest::Ignored => Ok(StatusCode::OK.into_response()),
    }
}

/// A message as the body of a slash command answer or a `response_url` post.
fn message_body(response_type: &str, message: &Message) -> Value {
    json!({
        "response_type": response_type,
        "text": fallback_text(message),
        "blocks": message_blocks(message),
    })
}
