//! The axum route the Bot Framework calls: `POST /messages` (the bot's
//! messaging endpoint, nested by the embedder, e.g. under `/teams`).
//!
//! Every request is checked against its Bot Framework token before anything
//! else, then its activity against the configured tenant, team and
//! Connector; only then is it handed to the core, keyed by the activity's
//! conversation and id, so redeliveries and replays never act twice.
//! Answers are posted in the activity's thread through the Connector (at the
//! configured `connector_url`, never at a URL the request names), or, for an
//! invoke, returned in the response, within 8 s (Teams waits up to 15 s).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use sima_core::chat::{DeliveryKey, InboundHandler};

use crate::activity::{parse_activity, ParseError, TeamsActivity};
use crate::adapter::TeamsChat;
use crate::answers::answer;
use crate::auth::{AuthError, BotAuthenticator};
use crate::config::TeamsConfig;
use crate::tenancy::Tenancy;

/// What the route needs: the token checker, the tenant, team and Connector
/// served, the chat port (to answer), and the core's handler of neutral
/// inbound events (`Engine::inbound`), which acts on each delivery once.
#[derive(Clone)]
pub struct TeamsState {
    auth: Arc<BotAuthenticator>,
    tenancy: Arc<Tenancy>,
    pub(crate) chat: TeamsChat,
    handler: Arc<dyn InboundHandler>,
    command: String,
}

impl TeamsState {
    /// State for [`router`].
    pub fn new(config: &TeamsConfig, chat: TeamsChat, handler: Arc<dyn InboundHandler>) -> Self {
        Self {
            auth: Arc::new(BotAuthenticator::new(config)),
            tenancy: Arc::new(Tenancy::new(config, chat.client().clone())),
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
            Self::Auth(AuthError::Keys(e) | AuthError::Lookup(e)) => {
                tracing::error!(error = %e, "could not check a Teams request");
                (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response()
            }
            // A foreign tenant, team or Connector fails authentication like a
            // bad token: the token alone does not say who the caller is.
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
    let claims = state.auth.verify(authorization, &channel.channel_id).await.map_err(Refusal::Auth)?;
    // Reading has no effect; a body that is no activity is a 400, not a 401.
    let activity = parse_activity(&body, &state.command).map_err(Refusal::Malformed)?;
    state.tenancy.admit(&body, &claims).await.map_err(Refusal::Auth)?;
    for (user, name) in &activity.people {
        state.chat.learn_name(user, name);
    }
    let mut replies = Vec::with_capacity(activity.events.len());
    for (n, event) in activity.events.iter().cloned().enumerate() {
        replies.push(state.handler.handle(event, delivery_key(&activity, n)).await);
    }
    Ok(answer(&state.chat, &activity, replies).await)
}

/// The delivery key of the `n`th event of an activity
/// (`teams:activity:<conversation>|<id>`, then `…:1`, `…:2` for the next
/// members one update adds); none for an activity without an id.
fn delivery_key(activity: &TeamsActivity, n: usize) -> Option<DeliveryKey> {
    let (conversation, id) = (&activity.conversation, &activity.id);
    match (id.as_str(), n) {
        ("", _) => None,
        (_, 0) => Some(DeliveryKey::new(format!("teams:activity:{conversation}|{id}"))),
        (_, n) => Some(DeliveryKey::new(format!("teams:activity:{conversation}|{id}:{n}"))),
    }
}
