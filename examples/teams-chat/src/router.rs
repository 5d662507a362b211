//! The axum route the Bot Framework calls: `POST /messages` (the bot's
//! messaging endpoint, nested by the embedder, e.g. under `/teams`).
//!
//! Every request is checked against its Bot Framework token before anything
//! else; activities are de-duplicated by id so redeliveries never act twice.
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
use sima_core::chat::{InboundHandler, Reply};
use sima_core::model::{Block, Message, RichText};
use sima_core::ports::{Clock, IdempotencyKeys, PortError};

use crate::activity::{parse_activity, ParseError, TeamsActivity};
use crate::adapter::TeamsChat;
use crate::auth::{AuthError, BotAuthenticator};
use crate::config::TeamsConfig;

/// What the route needs: the token checker, the chat port (to answer), the
/// core's handler of neutral inbound events, the store (for idempotency
/// keys) and the clock.
#[derive(Clone)]
pub struct TeamsState {
    auth: Arc<BotAuthenticator>,
    chat: TeamsChat,
    handler: Arc<dyn InboundHandler>,
    store: Arc<dyn IdempotencyKeys>,
    clock: Arc<dyn Clock>,
    command: String,
}

impl TeamsState {
    /// State for [`router`].
    pub fn new(
        config: &TeamsConfig,
        chat: TeamsChat,
        handler: Arc<dyn InboundHandler>,
        store: Arc<dyn IdempotencyKeys>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            auth: Arc::new(BotAuthenticator::new(config)),
            chat,
            handler,
            store,
            clock,
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
    Store(PortError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Auth(AuthError::Keys(e)) => {
                tracing::error!(error = %e, "could not fetch the Bot Framework signing keys");
                (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response()
            }
            Self::Auth(e) => {
                tracing::warn!(error = %e, "refused an unauthenticated Teams request");
                (StatusCode::UNAUTHORIZED, "Bot Framework authentication failed").into_response()
            }
            Self::Malformed(e) => {
                tracing::warn!(error = %e, "refused a malformed Teams activity");
                (StatusCode::BAD_REQUEST, e.to_string()).into_response()
            }
            Self::Store(e) => {
                tracing::error!(error = %e, "could not record a Teams activity id");
                (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response()
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
    let activity = parse_activity(&body, &state.command).map_err(Refusal::Malformed)?;
    if activity.events.is_empty() {
        return Ok(StatusCode::OK.into_response());
    }
    let key = format!("teams:activity:{}", activity.id);
    let first =
        activity.id.is_empty() || state.store.remember(&key, state.clock.now()).await.map_err(Refusal::Store)?;
    if !first {
        tracing::debug!(activity = %activity.id, "repeated Teams activity ignored");
        return Ok(StatusCode::OK.into_response());
    }
    let mut retry = false;
    for event in activity.events.clone() {
        let reply = state.handler.handle(event).await;
        retry |= answer(&state, &activity, reply).await;
    }
    if retry {
        // Keep the key only for handled activities, so the redelivery is not ignored.
        if let Err(error) = state.store.forget_key(&key).await {
            tracing::error!(%error, activity = %activity.id, "could not forget a failed Teams activity");
        }
        return Ok((StatusCode::INTERNAL_SERVER_ERROR, "not handled; retry").into_response());
    }
    Ok(StatusCode::OK.into_response())
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
