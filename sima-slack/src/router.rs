//! The axum routes Slack calls: `/commands`, `/interactions`, `/events`.
//!
//! Every request is checked against its v0 signature before anything else;
//! events are de-duplicated by `event_id` so Slack's retries never act twice.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use sima_core::model::Message;
use sima_core::ports::{Clock, IncidentStore, PortError};

use crate::config::Secret;
use crate::inbound::{SlackHandler, SlackInbound, SlackReply};
use crate::parse::{parse_command, parse_event, parse_interaction, EventsRequest, ParseError};
use crate::render::{fallback_text, message_blocks, modal_view};
use crate::signature::{SignatureError, SignatureVerifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The header Slack sets on redelivered events.
const RETRY_NUM_HEADER: &str = "x-slack-retry-num";

/// What the routes need: the signing secret, the handler, the store (for
/// event idempotency keys) and the clock.
#[derive(Clone)]
pub struct SlackState {
    verifier: SignatureVerifier,
    handler: Arc<dyn SlackHandler>,
    store: Arc<dyn IncidentStore>,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
}

impl SlackState {
    /// State for [`router`].
    pub fn new(
        signing_secret: Secret,
        handler: Arc<dyn SlackHandler>,
        store: Arc<dyn IncidentStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { verifier: SignatureVerifier::new(signing_secret), handler, store, clock, http: reqwest::Client::new() }
    }
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

async fn commands(State(state): State<SlackState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    verify(&state, &headers, &body)?;
    let inbound = parse_command(&body).map_err(Refusal::Malformed)?;
    Ok(match state.handler.handle(inbound).await {
        SlackReply::Ephemeral(message) => Json(message_body("ephemeral", &message)).into_response(),
        SlackReply::InChannel(message) => Json(message_body("in_channel", &message)).into_response(),
        SlackReply::Ack => StatusCode::OK.into_response(),
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
    let reply = state.handler.handle(inbound).await;
    Ok(match reply {
        SlackReply::Errors(errors) if is_submission => {
            Json(json!({ "response_action": "errors", "errors": errors })).into_response()
        }
        SlackReply::UpdateView(form) if is_submission => {
            Json(json!({ "response_action": "update", "view": modal_view(&form) })).into_response()
        }
        SlackReply::Clear if is_submission => Json(json!({ "response_action": "clear" })).into_response(),
        SlackReply::Ephemeral(message) if response_url.is_some() => {
            deliver(&state, response_url, "ephemeral", message);
            StatusCode::OK.into_response()
        }
        SlackReply::InChannel(message) if response_url.is_some() => {
            deliver(&state, response_url, "in_channel", message);
            StatusCode::OK.into_response()
        }
        SlackReply::Ack => StatusCode::OK.into_response(),
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
    let http = state.http.clone();
    let mut body = message_body(response_type, &message);
    body["replace_original"] = json!(false);
    tokio::spawn(async move {
        match http.post(&url).json(&body).send().await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::warn!(status = r.status().as_u16(), "Slack refused a response_url reply"),
            Err(error) => tracing::warn!(%error, "could not post a response_url reply"),
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
                let _ = state.handler.handle(inbound).await;
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
