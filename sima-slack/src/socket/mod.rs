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
//! - `config`: [`SocketConfig`], and the [`SocketError`] a configuration Socket Mode cannot run with.
//! - `open`: `apps.connections.open`.
//! - `backoff`: capped, jittered waits between attempts.
//! - `envelope`: one envelope → its acknowledgement.
//! - `connection`: one connection's life, from open to close.
//! - `testing` (feature `testing`): a local server that behaves like Slack's.

mod backoff;
mod config;
mod connection;
mod envelope;
mod open;
#[cfg(feature = "testing")]
pub mod testing;

use std::future::Future;

use tokio::sync::watch;

use crate::state::SlackState;

pub use config::{SocketConfig, SocketError, APP_TOKEN_PREFIX};
pub use open::OpenError;

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
