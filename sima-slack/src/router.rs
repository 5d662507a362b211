//! The axum routes Slack calls: `/commands`, `/interactions`, `/events`.
//!
//! Every request is checked against its v0 signature before anything else,
//! then goes through the pipeline Socket Mode shares, which hands it to the
//! core with its delivery key (an event's `event_id`, a request's
//! signature), so Slack's retries and replays never act twice.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::Utc;

use crate::parse::ParseError;
use crate::pipeline::{self, Answer, Body, Kind, Request};
use crate::signature::{SignatureError, SIGNATURE_HEADER, TIMESTAMP_HEADER};
pub use crate::state::SlackState;

/// The header Slack sets on redelivered events.
const RETRY_NUM_HEADER: &str = "x-slack-retry-num";

/// The Slack routes, to nest under a prefix: `Router::new().nest("/slack", router(state))`.
pub fn router(state: SlackState) -> Router {
    Router::new()
        .route("/commands", post(commands))
        .route("/interactions", post(interactions))
        .route("/events", post(events))
        // Behind one reference count: axum clones the state for every request.
        .with_state(Arc::new(state))
}

/// Why a request was refused.
#[derive(Debug)]
enum Refusal {
    Signature(SignatureError),
    NoSigningSecret,
    Malformed(ParseError),
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
            Self::Malformed(e) => {
                tracing::warn!(error = %e, "refused a malformed Slack request");
                (StatusCode::BAD_REQUEST, e.to_string()).into_response()
            }
        }
    }
}

fn verify(state: &SlackState, headers: &HeaderMap, body: &[u8]) -> Result<(), Refusal> {
    let Some(verifier) = &state.verifier else { return Err(Refusal::NoSigningSecret) };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    verifier.verify(header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), body, Utc::now()).map_err(Refusal::Signature)
}

/// A signed request through the shared pipeline. A command or an interaction
/// replayed inside the signature window carries the same timestamp, body and
/// so the same signature: that signature is its delivery key, which the core
/// remembers beyond the window.
async fn signed(state: &SlackState, kind: Kind, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refusal> {
    verify(state, headers, body)?;
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let key = format!("slack:request:{signature}");
    let retry = headers.get(RETRY_NUM_HEADER).and_then(|v| v.to_str().ok());
    let request = Request { kind, body: Body::Raw(body), key: &key, retry };
    Ok(match pipeline::handle(state, request).await.map_err(Refusal::Malformed)? {
        Answer::Empty => StatusCode::OK.into_response(),
        Answer::Body(body) => {
            let body: Box<str> = body.into();
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.into_string()).into_response()
        }
        Answer::Retry => (StatusCode::SERVICE_UNAVAILABLE, "not handled; retry").into_response(),
    })
}

async fn commands(State(state): State<Arc<SlackState>>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    signed(&state, Kind::Command, &headers, &body).await
}

async fn interactions(
    State(state): State<Arc<SlackState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    signed(&state, Kind::Interaction, &headers, &body).await
}

async fn events(State(state): State<Arc<SlackState>>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    signed(&state, Kind::Event, &headers, &body).await
}
