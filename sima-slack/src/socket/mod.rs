//! Slack over Socket Mode: slash commands, interactions and events arrive
//! over WebSockets that SIMA opens to Slack, so no public URL is needed.
//!
//! [`SocketMode::run`] keeps [`SocketConfig::connections`] connections open
//! (two by default), each in its own loop: `apps.connections.open` with the
//! app-level token (`xapp-…`), connect to the WebSocket URL it returns, wait
//! for `hello`, then read envelopes until Slack says `disconnect` or the
//! socket drops, and start over. While one connection is replaced the other
//! still receives, so a refresh never leaves a gap. Failed attempts wait a
//! capped, jittered backoff; `link_disabled` (Socket Mode turned off for
//! the app) and a refused token stop a loop for good, with an error logged.
//!
//! Each envelope goes through the same pipeline as the signed HTTP routes
//! and is acknowledged with `{"envelope_id"}`, plus the answer the route
//! would give as `payload` when Slack accepts one. The authenticated
//! WebSocket is the authentication: envelopes are not signed.
//!
//! # Layout
//! - `open`: `apps.connections.open`.
//! - `backoff`: capped, jittered waits between attempts.
//! - `envelope`: one envelope → its acknowledgement.
//! - `connection`: one connection's life, from open to close.
//! - `testing` (feature `testing`): a local server that behaves like Slack's.

mod backoff;
mod connection;
mod envelope;
mod open;
#[cfg(feature = "testing")]
pub mod testing;

use std::future::Future;
use std::time::Duration;

use thiserror::Error;
use tokio::sync::watch;

use crate::config::{Secret, DEFAULT_API_URL};
use crate::router::SlackState;

pub use open::OpenError;

/// The prefix of Slack app-level tokens.
pub const APP_TOKEN_PREFIX: &str = "xapp-";

/// A configuration Socket Mode cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SocketError {
    /// The token is not an app-level token.
    #[error(
        "the Slack app token must be an app-level token starting with `{APP_TOKEN_PREFIX}` \
         (Basic Information → App-Level Tokens, scope connections:write)"
    )]
    NotAnAppToken,
    /// No connection at all.
    #[error("Socket Mode needs at least one connection")]
    NoConnection,
}

/// How SIMA connects to Slack over Socket Mode.
#[derive(Debug, Clone)]
pub struct SocketConfig {
    /// Web API base, where `apps.connections.open` is called.
    pub api_url: String,
    /// The app-level token (`xapp-…`, scope `connections:write`).
    app_token: Secret,
    /// Connections kept open at once.
    pub connections: usize,
    /// First wait after a failed attempt; it doubles up to [`Self::max_backoff`].
    pub min_backoff: Duration,
    /// Longest backoff between attempts (a `Retry-After` from Slack is honoured in full).
    pub max_backoff: Duration,
    /// How long a new connection may take to say `hello`.
    pub hello_timeout: Duration,
    /// Timeout of `apps.connections.open` and of the WebSocket handshake.
    pub connect_timeout: Duration,
}

impl SocketConfig {
    /// Two connections to Slack's API with this app-level token.
    ///
    /// # Errors
    /// [`SocketError::NotAnAppToken`] unless the token starts with `xapp-`.
    pub fn new(app_token: Secret) -> Result<Self, SocketError> {
        if !app_token.expose().starts_with(APP_TOKEN_PREFIX) {
            return Err(SocketError::NotAnAppToken);
        }
        Ok(Self {
            api_url: DEFAULT_API_URL.to_owned(),
            app_token,
            connections: 2,
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            hello_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
        })
    }

    /// The same configuration against another API base (a test server).
    pub fn with_api_url(mut self, api_url: impl Into<String>) -> Self {
        self.api_url = api_url.into();
        self
    }

    /// The app-level token.
    pub fn app_token(&self) -> &Secret {
        &self.app_token
    }
}

/// Receives Slack's requests over Socket Mode and hands them to the same
/// pipeline as the HTTP routes.
pub struct SocketMode {
    config: SocketConfig,
    state: SlackState,
}

impl SocketMode {
    /// Socket Mode for this configuration, handling requests with `state`.
    ///
    /// # Errors
    /// [`SocketError::NoConnection`] when `connections` is 0.
    pub fn new(config: SocketConfig, state: SlackState) -> Result<Self, SocketError> {
        if config.connections == 0 {
            return Err(SocketError::NoConnection);
        }
        Ok(Self { config, state })
    }

    /// Keeps the connections open until `shutdown` completes (then each
    /// connection acknowledges what it is handling, closes, and this
    /// returns) or every connection has stopped for good.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let http = match reqwest::Client::builder()
            .timeout(self.config.connect_timeout)
            .connect_timeout(self.config.connect_timeout)
            .build()
        {
            Ok(http) => http,
            Err(error) => {
                tracing::error!(%error, "could not build the Socket Mode client; Socket Mode is off");
                return;
            }
        };
        tracing::info!(connections = self.config.connections, "Slack Socket Mode starting");
        let mut loops = tokio::task::JoinSet::new();
        for slot in 0..self.config.connections {
            let link = connection::Link {
                slot,
                config: self.config.clone(),
                state: self.state.clone(),
                http: http.clone(),
                stop: stop_rx.clone(),
            };
            loops.spawn(link.run());
        }
        let all_stopped = async {
            while let Some(result) = loops.join_next().await {
                if let Err(error) = result {
                    tracing::error!(%error, "a Socket Mode connection loop failed");
                }
            }
        };
        tokio::pin!(all_stopped);
        tokio::select! {
            () = &mut all_stopped => {
                tracing::error!("every Socket Mode connection has stopped; Slack requests no longer arrive over Socket Mode");
                return;
            }
            () = shutdown => {}
        }
        let _ = stop_tx.send(true);
        all_stopped.await;
        tracing::info!("Slack Socket Mode stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_app_level_tokens_are_accepted_and_never_printed() {
        assert_eq!(SocketConfig::new(Secret::new("xoxb-bot")).unwrap_err(), SocketError::NotAnAppToken);
        let config = SocketConfig::new(Secret::new("xapp-1-A0-123-secretvalue")).unwrap();
        assert_eq!(config.connections, 2);
        assert!(!format!("{config:?}").contains("secretvalue"));
        assert!(SocketError::NotAnAppToken.to_string().contains("xapp-"));
    }
}
