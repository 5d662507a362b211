//! One inbound request, whatever carried it: parse → the core's handler,
//! with the request's delivery key → the answer Slack expects. The HTTP
//! routes hand it a verified body; Socket Mode hands it an envelope's
//! payload, which is the same content already decoded to JSON. The core
//! acts on each delivery key once.

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use sima_core::chat::{DeliveryKey, Reply};
use sima_core::model::Message;

use crate::inbound::SlackInbound;
use crate::parse::{
    parse_command, parse_command_json, parse_event, parse_event_json, parse_interaction, parse_interaction_json,
    EventsRequest, ParseError,
};
use crate::render::{message_body, modal_view, MessageBody};
use crate::state::{SlackState, RESPONSE_URL_TIMEOUT};

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
    /// The delivery key of a command or an interaction: the same key is
    /// acted on once (events are keyed by their `event_id`).
    pub(crate) key: &'a str,
    /// Which redelivery this is, if the transport says (`1`, `2`…), for the log.
    pub(crate) retry: Option<&'a str>,
}

/// What to answer Slack.
#[derive(Debug)]
pub(crate) enum Answer {
    /// Acknowledged, no body.
    Empty,
    /// Acknowledged with this JSON body, already encoded.
    Body(Box<RawValue>),
    /// Not handled: Slack should deliver the event again.
    Retry,
}

impl Answer {
    /// Acknowledged with `body` encoded as JSON, written once.
    fn body(body: &impl Serialize) -> Self {
        match serde_json::value::to_raw_value(body) {
            Ok(body) => Answer::Body(body),
            Err(error) => {
                tracing::error!(%error, "could not encode an answer; acknowledged without it");
                Answer::Empty
            }
        }
    }
}

/// Acts on one request and says what to answer.
///
/// # Errors
/// A [`ParseError`] for a body Slack would not send.
pub(crate) async fn handle(state: &SlackState, request: Request<'_>) -> Result<Answer, ParseError> {
    match request.kind {
        Kind::Command => command(state, request).await,
        Kind::Interaction => interaction(state, request).await,
        Kind::Event => event(state, request).await,
    }
}

async fn command(state: &SlackState, request: Request<'_>) -> Result<Answer, ParseError> {
    let inbound = match request.body {
        Body::Raw(body) => parse_command(body)?,
        Body::Json(payload) => parse_command_json(payload)?,
    };
    let reply = state.handler.handle(inbound.into_core(), Some(DeliveryKey::new(request.key))).await;
    Ok(match reply {
        Reply::Private(message) => Answer::body(&message_body("ephemeral", &message)),
        Reply::InRoom(message) => Answer::body(&message_body("in_channel", &message)),
        Reply::Ack => Answer::Empty,
        other => {
            tracing::warn!(reply = ?other, "reply does not apply to a slash command; acknowledged");
            Answer::Empty
        }
    })
}

async fn interaction(state: &SlackState, request: Request<'_>) -> Result<Answer, ParseError> {
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
    let changed_view = match &inbound {
        SlackInbound::ViewChanged(change) => Some((change.view_id.clone(), change.hash.clone())),
        _ => None,
    };
    let reply = state.handler.handle(inbound.into_core(), Some(DeliveryKey::new(request.key))).await;
    if let (Reply::ReplaceForm(form), Some((view_id, hash))) = (&reply, &changed_view) {
        update_view(state, view_id, hash, form).await;
        return Ok(Answer::Empty);
    }
    Ok(match reply {
        Reply::FormErrors(errors) if is_submission => {
            Answer::body(&json!({ "response_action": "errors", "errors": errors }))
        }
        Reply::ReplaceForm(form) if is_submission => {
            Answer::body(&json!({ "response_action": "update", "view": modal_view(&form) }))
        }
        Reply::CloseForms if is_submission => Answer::body(&json!({ "response_action": "clear" })),
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

async fn event(state: &SlackState, request: Request<'_>) -> Result<Answer, ParseError> {
    let parsed = match request.body {
        Body::Raw(body) => parse_event(body)?,
        Body::Json(payload) => parse_event_json(payload)?,
    };
    match parsed {
        EventsRequest::UrlVerification { challenge } => Ok(Answer::body(&json!({ "challenge": challenge }))),
        EventsRequest::Callback { event_id, inbound: Some(inbound) } => {
            if let Some(retry) = request.retry {
                tracing::debug!(%event_id, retry, "Slack delivered an event again");
            }
            // Keyed by `event_id`, so a redelivery (on any connection) acts once.
            let key = DeliveryKey::new(format!("slack:event:{event_id}"));
            if let Reply::Retry = state.handler.handle(inbound.into_core(), Some(key)).await {
                tracing::warn!(%event_id, "Slack event not handled; Slack will retry");
                return Ok(Answer::Retry);
            }
            Ok(Answer::Empty)
        }
        EventsRequest::Callback { inbound: None, .. } | EventsRequest::Ignored => Ok(Answer::Empty),
    }
}

/// Replaces an open modal with the core's reshaped form (`views.update`);
/// a failure leaves the modal as it was, and is logged.
async fn update_view(state: &SlackState, view_id: &str, hash: &str, form: &sima_core::model::Form) {
    let Some(chat) = &state.chat else {
        tracing::warn!("a form changed but no bot token is set to update it (views.update); it keeps its shape");
        return;
    };
    if let Err(error) = chat.update_form(view_id, hash, form).await {
        tracing::warn!(%error, "could not update the open form (views.update)");
    }
}

/// A failed call's error without its URL: a `response_url` works as a
/// bearer link for 30 minutes, so it never reaches the log.
fn without_url(error: reqwest::Error) -> reqwest::Error {
    error.without_url()
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
    let body = MessageBody { replace_original: Some(false), ..message_body(response_type, &message) };
    tokio::spawn(async move {
        match tokio::time::timeout(RESPONSE_URL_TIMEOUT, http.post(&url).json(&body).send()).await {
            Ok(Ok(r)) if r.status().is_success() => {}
            Ok(Ok(r)) => tracing::warn!(status = r.status().as_u16(), "Slack refused a response_url reply"),
            Ok(Err(error)) => {
                let error = without_url(error);
                tracing::warn!(%error, "could not post a response_url reply");
            }
            Err(_) => tracing::warn!("a response_url reply timed out"),
        }
    });
}

#[cfg(test)]
mod log_tests {
    use super::without_url;

    #[tokio::test]
    async fn a_failed_response_url_call_is_logged_without_its_url() {
        let secret = "http://127.0.0.1:9/actions/T0/1234/s3cr3tHookToken";
        let error = reqwest::Client::new().post(secret).send().await.expect_err("nothing listens on port 9");
        assert!(error.to_string().contains("s3cr3tHookToken"), "reqwest names the URL: {error}");
        let logged = without_url(error).to_string();
        assert!(!logged.contains("s3cr3tHookToken") && !logged.contains("127.0.0.1:9"), "{logged}");
    }
}
