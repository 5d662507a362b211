//! [`SlackState`]: what the routes and Socket Mode share.

use std::sync::Arc;
use std::time::Duration;

use sima_core::chat::InboundHandler;

use crate::config::Secret;
use crate::signature::SignatureVerifier;

/// The host of Slack's `response_url`s.
const HOOKS_HOST: &str = "hooks.slack.com";

/// How long a `response_url` post may take.
pub(crate) const RESPONSE_URL_TIMEOUT: Duration = Duration::from_secs(5);

/// What the routes and Socket Mode need: the signing secret and the core's
/// handler of neutral inbound events (`Engine::inbound`), which acts on each
/// delivery once.
#[derive(Clone)]
pub struct SlackState {
    /// `None`: no signing secret, so the HTTP routes refuse every request
    /// (Socket Mode only).
    pub(crate) verifier: Option<SignatureVerifier>,
    pub(crate) handler: Arc<dyn InboundHandler>,
    /// Posts answers to `response_url`s.
    pub(crate) http: reqwest::Client,
    /// `host[:port]` besides Slack's hooks host that `response_url`s may name.
    api_host: Option<String>,
    /// Updates open modals (`views.update`) when the core reshapes a form;
    /// `None`: no bot token, so forms keep their first shape.
    pub(crate) chat: Option<crate::SlackChat>,
}

impl SlackState {
    /// State for [`router`](crate::router()) (and Socket Mode), verifying HTTP requests with
    /// this signing secret against the system time.
    pub fn new(signing_secret: Secret, handler: Arc<dyn InboundHandler>) -> Self {
        Self { verifier: Some(SignatureVerifier::new(signing_secret)), ..Self::unsigned(handler) }
    }

    /// State for Socket Mode alone, without a signing secret: the
    /// authenticated WebSocket is the authentication, and [`router`](crate::router())'s
    /// routes refuse every request with 401.
    pub fn unsigned(handler: Arc<dyn InboundHandler>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(RESPONSE_URL_TIMEOUT)
            .connect_timeout(RESPONSE_URL_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "could not build the response_url client; using the defaults");
                reqwest::Client::new()
            });
        Self { verifier: None, handler, http, api_host: None, chat: None }
    }

    /// Also updates open modals through `chat` (`views.update`) when the
    /// core answers a change with a reshaped form (the incident type's fields).
    pub fn with_chat(mut self, chat: crate::SlackChat) -> Self {
        self.chat = Some(chat);
        self
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
