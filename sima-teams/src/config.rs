//! Typed configuration of the Teams adapter.

use std::time::Duration;

use serde::Deserialize;
use sima_core::{HttpPolicy, Secret};

/// Microsoft Graph v1.0.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";
/// The Bot Framework Connector's global service URL for proactive messages.
pub const DEFAULT_CONNECTOR_URL: &str = "https://smba.trafficmanager.net/teams";
/// Where the Bot Framework publishes the keys that sign inbound activities.
pub const DEFAULT_OPENID_METADATA_URL: &str = "https://login.botframework.com/v1/.well-known/openidconfiguration";
/// The issuer of the tokens on inbound activities.
pub const BOT_FRAMEWORK_ISSUER: &str = "https://api.botframework.com";
/// At most this many requests a second on one team or one channel.
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 4;
/// The OAuth2 scope of Microsoft Graph.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
/// The OAuth2 scope of the Bot Framework Connector.
pub const CONNECTOR_SCOPE: &str = "https://api.botframework.com/.default";

/// How SIMA talks to one Microsoft Teams team.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamsConfig {
    /// The Microsoft Entra tenant (directory) id; activities of other tenants are refused.
    pub tenant_id: String,
    /// The bot's app (client) id: the audience of inbound tokens.
    pub app_id: String,
    /// The app's client secret.
    pub app_password: Secret,
    /// The team whose channels are incident rooms (its group id); activities
    /// in other teams' channels are refused.
    pub team_id: String,
    /// Microsoft Graph base, with the version (`https://graph.microsoft.com/v1.0`).
    #[serde(default = "default_graph_url")]
    pub graph_url: String,
    /// Bot Framework Connector base (the bot's service URL).
    #[serde(default = "default_connector_url")]
    pub connector_url: String,
    /// OAuth2 token endpoint; default `https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token`.
    #[serde(default)]
    pub token_url: Option<String>,
    /// OpenID metadata whose `jwks_uri` lists the keys of inbound tokens.
    #[serde(default = "default_openid_metadata_url")]
    pub openid_metadata_url: String,
    /// The word that starts a command typed to the bot (`incident status monitoring`).
    #[serde(default = "default_command")]
    pub command: String,
    /// Archive incident channels when SIMA closes them (needs the Graph
    /// permission `ChannelSettings.ReadWrite.All`); off, archiving is skipped.
    #[serde(default)]
    pub archive_rooms: bool,
    /// At most this many requests a second go to one team (Graph channel
    /// calls) or one channel (Connector messages); Teams throttles bots that
    /// send faster. Calls beyond it wait their turn in the process.
    #[serde(default = "default_requests_per_second")]
    pub requests_per_second: u32,
    /// Timeouts and in-process retries on rate limits.
    #[serde(default)]
    pub http: HttpPolicy,
}

impl TeamsConfig {
    /// A configuration with the defaults and these identities and credentials.
    pub fn new(
        tenant_id: impl Into<String>,
        app_id: impl Into<String>,
        app_password: Secret,
        team_id: impl Into<String>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            app_id: app_id.into(),
            app_password,
            team_id: team_id.into(),
            graph_url: default_graph_url(),
            connector_url: default_connector_url(),
            token_url: None,
            openid_metadata_url: default_openid_metadata_url(),
            command: default_command(),
            archive_rooms: false,
            requests_per_second: default_requests_per_second(),
            http: HttpPolicy::default(),
        }
    }

    /// The OAuth2 token endpoint in use.
    pub fn token_endpoint(&self) -> String {
        self.token_url
            .clone()
            .unwrap_or_else(|| format!("https://login.microsoftonline.com/{}/oauth2/v2.0/token", self.tenant_id))
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.http.timeout()
    }
}

fn default_graph_url() -> String {
    DEFAULT_GRAPH_URL.to_owned()
}

fn default_connector_url() -> String {
    DEFAULT_CONNECTOR_URL.to_owned()
}

fn default_openid_metadata_url() -> String {
    DEFAULT_OPENID_METADATA_URL.to_owned()
}

fn default_requests_per_second() -> u32 {
    DEFAULT_REQUESTS_PER_SECOND
}

fn default_command() -> String {
    "incident".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let config = TeamsConfig::new("t", "app", Secret::new("very-secret-password"), "team");
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret-password"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn defaults_fill_in_and_unknown_fields_are_refused() {
        let config: TeamsConfig =
            serde_json::from_str(r#"{"tenant_id":"t1","app_id":"a","app_password":"p","team_id":"g"}"#).unwrap();
        assert_eq!(config.graph_url, DEFAULT_GRAPH_URL);
        assert_eq!(config.command, "incident");
        assert_eq!(config.requests_per_second, 4);
        assert_eq!(config.token_endpoint(), "https://login.microsoftonline.com/t1/oauth2/v2.0/token");
        let err = serde_json::from_str::<TeamsConfig>(
            r#"{"tenant_id":"t","app_id":"a","app_password":"p","team_id":"g","tokn":1}"#,
        );
        assert!(err.is_err());
    }
}
