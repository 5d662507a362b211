//! The axum route the Bot Framework calls: `POST /messages` (the bot's
//! messaging endpoint, nested by the embedder, e.g. under `/teams`).
//!
//! Every request is checked against its Bot Framework token before anything
//! else, then its activity against the configured tenant and team; only then
//! is it handed to the core, keyed by the activity's id so redeliveries never
//! act twice.
//! Answers are posted in the activity's thread through the Connector (at the
//! configured `connector_url`, never at a URL the request names) before the
//! request is acknowledged, within 10 s (Teams waits up to 15 s).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use sima_core::chat::{DeliveryKey, InboundHandler, Reply};
use sima_core::model::{Block, Message, RichText};

use crate::activity::{parse_activity, ParseError, TeamsActivity};
use crate::adapter::TeamsChat;
use crate::auth::{AuthError, BotAuthenticator};
use crate::config::TeamsConfig;
use crate::tenancy::Tenancy;

/// What the route needs: the token checker, the tenant and team served, the
/// chat port (to answer), and the core's handler of neutral inbound events
/// (`Engine::inbound`), which acts on each delivery once.
#[derive(Clone)]
pub struct TeamsState {
    auth: Arc<BotAuthenticator>,
    tenancy: Arc<Tenancy>,
    chat: TeamsChat,
    handler: Arc<dyn InboundHandler>,
    command: String,
}

impl TeamsState {
    /// State for [`router`].
    pub fn new(config: &TeamsConfig, chat: TeamsChat, handler: Arc<dyn InboundHandler>) -> Self {
        Self {
            auth: Arc::new(BotAuthenticator::new(config)),
            tenancy: Arc::new(Tenancy::new(config)),
            chat,
            handler,
            command: config.command.clone(),
        }
    }
}

/// The Teams route, to nest under a prefix: `Router::new().nest("/teams", router(state))`.
pub fn router(state: TeamsState) -> Router {
    Router::new().route("/messages", post(messages)).with_state(state)
}

/// Why a request was refused.
#[derive(Debug)]
enum Refusal {
    Auth(AuthError),
    Malformed(ParseError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Auth(AuthError::Keys(e)) => {
                tracing::error!(error = %e, "could not fetch the Bot Framework signing keys");
                (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response()
            }
            // A foreign tenant or team fails authentication like a bad token:
            // the token alone does not say who the caller is.
            Self::Auth(e) => {
                tracing::warn!(error = %e, "refused an unauthenticated Teams request");
                (StatusCode::UNAUTHORIZED, "Bot Framework authentication failed").into_response()
            }
            Self::Malformed(e) => {
                tracing::warn!(error = %e, "refused a malformed Teams activity");
                (StatusCode::BAD_REQUEST, e.to_string()).into_response()
            }
        }
    }
}

/// The one field read before the token is checked: the keys are endorsed per channel.
#[derive(Deserialize, Default)]
struct ChannelOf {
    #[serde(default, rename = "channelId")]
    channel_id: String,
}

async fn messages(State(state): State<TeamsState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refusal> {
    let authorization = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let channel = serde_json::from_slice::<ChannelOf>(&body).unwrap_or_default();
    state.auth.verify(authorization, &channel.channel_id).await.map_err(Refusal::Auth)?;
    // Reading has no effect; a body that is no activity is a 400, not a 401.
    let activity = parse_activity(&body, &state.command).map_err(Refusal::Malformed)?;
    state.tenancy.admit(&body).map_err(Refusal::Auth)?;
    if activity.events.is_empty() {
        return Ok(StatusCode::OK.into_response());
    }
    let mut retry = false;
    for (n, event) in activity.events.clone().into_iter().enumerate() {
        let reply = state.handler.handle(event, delivery_key(&activity.id, n)).await;
        retry |= answer(&state, &activity, reply).await;
    }
    if retry {
        return Ok((StatusCode::SERVICE_UNAVAILABLE, "not handled; retry").into_response());
    }
    Ok(StatusCode::OK.into_response())
}

/// The delivery key of the `n`th event of activity `id` (`teams:activity:<id>`,
/// then `…:<id>:1`, `…:<id>:2` for the next members one update adds); none
/// for an activity without an id.
fn delivery_key(id: &str, n: usize) -> Option<DeliveryKey> {
    match (id, n) {
        ("", _) => None,
        (id, 0) => Some(DeliveryKey::new(format!("teams:activity:{id}"))),
        (id, n) => Some(DeliveryKey::new(format!("teams:activity:{id}:{n}"))),
    }
}

/// Renders the core's reply in the activity's thread; `true` if the
/// platform should deliver the activity again.
async fn answer(state: &TeamsState, activity: &TeamsActivity, reply: Reply) -> bool {
    let (room, conversation) = (&activity.room, activity.conversation.as_str());
    match reply {
        // Teams channels have no private messages: answers go to the thread.
        Reply::Private(message) | Reply::InRoom(message) => state.chat.answer(room, conversation, &message).await,
        Reply::FormErrors(errors) => state.chat.answer(room, conversation, &form_errors(&errors)).await,
        Reply::ReplaceForm(form) => state.chat.answer_form(room, conversation, &form).await,
        Reply::Ack | Reply::CloseForms => {}
        Reply::Retry => return true,
    }
    false
}

/// Form errors as a message: the form stays in the thread, to fix and send again.
fn form_errors(errors: &std::collections::BTreeMap<String, String>) -> Message {
    let text = RichText::new().emoji("warning").plain("Please fix the form and send it again.");
    let items = errors.iter().map(|(input, error)| RichText::new().bold(input).plain(": ").plain(error)).collect();
    Message { text: text.clone(), blocks: vec![Block::Text { text }, Block::Bullets { items }] }
}
