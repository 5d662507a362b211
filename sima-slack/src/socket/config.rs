//! [`SocketConfig`]: how SIMA connects to Slack over Socket Mode.

use std::time::Duration;

use thiserror::Error;

use crate::config::{Secret, DEFAULT_API_URL};

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
