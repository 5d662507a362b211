//! One inbound request, whatever carried it: parse → idempotency → the
//! core's handler → the answer Slack expects. The HTTP routes hand it a
//! verified body; Socket Mode hands it an envelope's payload, which is the
//! same content already decoded to JSON.

use serde_json::{json, Value};
use sima_core::chat::{Reply, NOT_RECORDED};
use sima_core::model::Message;
use sima_core::ports::PortError;
use thiserror::Error;

use crate::inbound::SlackInbound;
use crate::parse::{
    parse_command, parse_command_json, parse_event, parse_event_json, parse_interaction, parse_interaction_json,
    EventsRequest, ParseError,
};
use crate::render::{fallback_text, message_blocks, modal_view};
use crate::router::{deliver, SlackState};

/// What kind of request Slack sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A slash command (`/commands`, `slash_commands`).
    Command,
    /// Interactivity (`/interactions`, `interactive`).
    Interaction,
    /// An Events API callback (`/events`, `events_api`).
    Event,
}

/// A request's content as its transport carries it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Body<'a> {
    /// The raw HTTP body: a form for commands and interactions, JSON for events.
    Raw(&'a [u8]),
    /// The same content decoded to JSON (a Socket Mode envelope's payload).
    Json(&'a Value),
}

/// One request to act on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
    /// What kind.
    pub(crate) kind: Kind,
    /// Its content.
    pub(crate) body: Body<'a>,
    /// The idempotency key of a command or an interaction: the same key is
    /// acted on once (events are keyed by their `event_id`).
    pub(crate) key: &'a str,
    /// Which redelivery this is, if the transport says (`1`, `2`…), for the log.
    pub(crate) retry: Option<&'a str>,
}

/// What to answer Slack.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// Acknowledged, no body.
    Empty,
    /// Acknowledged with this JSON body.
    Body(Value),
    /// Not handled: Slack should deliver the event again.
    Retry,
}

/// Why a request was not acted on.
#[derive(Debug, Error)]
pub(crate) enum Refusal {
    /// Not what Slack sends.
    #[error(transparent)]
    Malformed(#[from] ParseError),
    /// The idempotency keys could not be read or written.
    #[error("could not record a Slack delivery: {0}")]
    Store(#[from] PortError),
}

/// Acts on one request and says what to answer.
///
/// # Errors
/// [`Refusal::Malformed`] for a body Slack would not send;
/// [`Refusal::Store`] when the idempotency keys are unreachable for an event
/// (Slack delivers it again); a command or an interaction is then answered
/// that nothing was recorded.
pub(crate) async fn handle(state: &SlackState, request: Request<'_>) -> Result<Answer, Refusal> {
    match request.kind {
        Kind::Command => command(state, request).await,
        Kind::Interaction => interaction(state, request).await,
        Kind::Event => event(state, request).await,
    }
}

/// Whether a command or an interaction is acted on.
enum Delivery {
    /// Seen for the first time: act on it.
    First,
    /// Seen before (a replay, or the same envelope on the other connection): ignore it.
    Repeated,
    /// The idempotency keys are unreachable: nothing can be recorded now.
    /// The person is told so, and a later replay of it is harmless.
    Unrecorded,
}

/// Whether this command or interaction is seen for the first time.
async fn first_delivery(state: &SlackState, key: &str) -> Delivery {
    match state.store.remember(key, state.clock.now()).await {
        Ok(true) => Delivery::First,
        Ok(false) => {
            tracing::warn!("repeated Slack request ignored");
            Delivery::Repeated
        }
        Err(error) => {
            tracing::error!(%error, "could not record a Slack request id; answered that nothing was recorded");
            Delivery::Unrecorded
        }
    }
}

async fn command(state: &SlackState, request: Request<'_>) -> Result<Answer, Refusal> {
    let inbound = match request.body {
        Body::Raw(body) => parse_command(body)?,
        Body::Json(payload) => parse_command_json(payload)?,
    };
    let reply = match first_delivery(state, request.key).await {
        Delivery::First => state.handler.handle(inbound.into_core()).await,
        Delivery::Repeated => return Ok(Answer::Empty),
        Delivery::Unrecorded => Reply::not_recorded(),
    };
    Ok(match reply {
        Reply::Private(message) => Answer::Body(message_body("ephemeral", &message)),
        Reply::InRoom(message) => Answer::Body(message_body("in_channel", &message)),
        Reply::Ack => Answer::Empty,
        other => {
            tracing::warn!(reply = ?other, "reply does not apply to a slash command; acknowledged");
            Answer::Empty
        }
    })
}

async fn interaction(state: &SlackState, request: Request<'_>) -> Result<Answer, Refusal> {
    let parsed = match request.body {
        Body::Raw(body) => parse_interaction(body)?,
        Body::Json(payload) => parse_interaction_json(payload)?,
    };
    let Some(inbound) = parsed else { return Ok(Answer::Empty) };
    let response_url = match &inbound {
        SlackInbound::BlockAction(action) => action.response_url.clone(),
        _ => None,
    };
    let is_submission = matches!(inbound, SlackInbound::ViewSubmission(_));
    let reply = match first_delivery(state, request.key).await {
        Delivery::First => state.handler.handle(inbound.into_core()).await,
        Delivery::Repeated => return Ok(Answer::Empty),
        Delivery::Unrecorded if is_submission => Reply::form_error("summary", NOT_RECORDED),
        Delivery::Unrecorded => Reply::not_recorded(),
    };
    Ok(match reply {
        Reply::FormErrors(errors) if is_submission => {
            Answer::Body(json!({ "response_action": "errors", "errors": errors }))
        }
        Reply::ReplaceForm(form) if is_submission => {
            Answer::Body(json!({ "response_action": "update", "view": modal_view(&form) }))
        }
        Reply::CloseForms if is_submission => Answer::Body(json!({ "response_action": "clear" })),
        Reply::Private(message) if response_url.is_some() => {
            deliver(state, response_url, "ephemeral", message);
            Answer::Empty
        }
        Reply::InRoom(message) if response_url.is_some() => {
            deliver(state, response_url, "in_channel", message);
            Answer::Empty
        }
        Reply::Ack => Answer::Empty,
        other => {
            tracing::warn!(reply = ?other, "reply does not apply to this interaction; acknowledged");
            Answer::Empty
        }
    })
}

async fn event(state: &SlackState, request: Request<'_>) -> Result<Answer, Refusal> {
    let parsed = match request.body {
        Body::Raw(body) => parse_event(body)?,
        Body::Json(payload) => parse_event_json(payload)?,
    };
    match parsed {
        EventsRequest::UrlVerification { challenge } => Ok(Answer::Body(json!({ "challenge": challenge }))),
        EventsRequest::Callback { event_id, inbound: Some(inbound) } => {
            let key = format!("slack:event:{event_id}");
            if !state.store.remember(&key, state.clock.now()).await? {
                tracing::debug!(%event_id, retry = request.retry.unwrap_or("-"), "repeated Slack event ignored");
                return Ok(Answer::Empty);
            }
            if let Reply::Retry = state.handler.handle(inbound.into_core()).await {
                // Keep the key only for handled events, so Slack's retry is not ignored.
                if let Err(error) = state.store.forget_key(&key).await {
                    tracing::error!(%error, %event_id, "could not forget a failed Slack event");
                }
                tracing::warn!(%event_id, "Slack event not handled; Slack will retry");
                return Ok(Answer::Retry);
            }
            Ok(Answer::Empty)
        }
        EventsRequest::Callback { inbound: None, .. } | EventsRequest::Ignored => Ok(Answer::Empty),
    }
}

/// A message as the body of a slash command answer or a `response_url` post.
pub(crate) fn message_body(response_type: &str, message: &Message) -> Value {
    json!({
        "response_type": response_type,
        "text": fallback_text(message),
        "blocks": message_blocks(message),
    })
}
