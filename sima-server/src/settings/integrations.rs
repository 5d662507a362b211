//! The sections of the providers: Slack, PagerDuty, Notion, Confluence, Teams.

use serde::Deserialize;

use super::Secret;

/// Slack credentials and endpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackSettings {
    /// Bot token (`xoxb-…`); unset: chat runs in log-only mode.
    pub bot_token: Option<Secret>,
    /// Signing secret; unset: the signed HTTP routes refuse Slack's requests.
    pub signing_secret: Option<Secret>,
    /// App-level token (`xapp-…`, scope `connections:write`); set: Slack's
    /// requests also arrive over Socket Mode, and no public URL is needed.
    pub app_token: Option<Secret>,
    /// Web API base.
    pub api_url: Option<String>,
    /// Workspace id, for room links.
    pub team_id: Option<String>,
}

/// PagerDuty settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutySettings {
    /// Events v2 enqueue URL.
    pub events_url: Option<String>,
    /// Default routing key; unset (and no domain key): paging runs log-only.
    pub routing_key: Option<Secret>,
}

/// Notion settings; all three set, or post-mortems go to Markdown files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotionSettings {
    /// API base including the version path.
    pub api_url: Option<String>,
    /// Integration token.
    pub token: Option<Secret>,
    /// The post-mortems data source.
    pub data_source_id: Option<String>,
    /// The data source private incidents' post-mortems go to; unset: `data_source_id`.
    pub private_data_source_id: Option<String>,
}

/// Confluence settings (`SIMA_CONFLUENCE_*`): post-mortems as pages of a space.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfluenceSettings {
    /// The site's wiki base (`https://acme.atlassian.net/wiki`); the API is under `{url}/api/v2`.
    pub url: Option<String>,
    /// The Atlassian account's e-mail, for Basic auth with `api_token`.
    pub email: Option<String>,
    /// That account's API token; Debug prints `[redacted]`.
    pub api_token: Option<Secret>,
    /// The numeric id of the space post-mortems go to.
    pub space_id: Option<String>,
    /// The page post-mortems are created under; unset: the space's top level.
    pub parent_id: Option<String>,
    /// The page private incidents' post-mortems are created under; unset: `parent_id`.
    pub private_parent_id: Option<String>,
}

impl ConfluenceSettings {
    /// Whether any credential is set (the docs provider is inferred from it).
    pub fn any_set(&self) -> bool {
        self.url.is_some() || self.email.is_some() || self.api_token.is_some() || self.space_id.is_some()
    }

    /// The settings Confluence needs that are missing, by variable.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.url.is_none() {
            missing.push("SIMA_CONFLUENCE_URL");
        }
        if self.email.is_none() {
            missing.push("SIMA_CONFLUENCE_EMAIL");
        }
        if self.api_token.is_none() {
            missing.push("SIMA_CONFLUENCE_API_TOKEN");
        }
        if self.space_id.is_none() {
            missing.push("SIMA_CONFLUENCE_SPACE_ID");
        }
        missing
    }
}

/// Microsoft Teams settings (`SIMA_TEAMS_*`): incident rooms are channels of one team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamsSettings {
    /// The Microsoft Entra tenant (directory) id; activities of other tenants are refused.
    pub tenant_id: Option<String>,
    /// The bot's app (client) id.
    pub app_id: Option<String>,
    /// The app's client secret; Debug prints `[redacted]`.
    pub app_password: Option<Secret>,
    /// The team whose channels are incident rooms (its group id).
    pub team_id: Option<String>,
    /// The company-wide broadcast channel's id (`19:…@thread.tacv2`).
    pub broadcast_channel: Option<String>,
    /// Microsoft Graph base; default `https://graph.microsoft.com/v1.0`.
    pub graph_url: Option<String>,
    /// Bot Framework Connector base; default `https://smba.trafficmanager.net/teams`.
    pub connector_url: Option<String>,
    /// OAuth2 token endpoint; default `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`.
    pub token_url: Option<String>,
    /// OpenID metadata listing the keys of inbound tokens; default the Bot Framework's.
    pub openid_url: Option<String>,
}

impl TeamsSettings {
    /// Whether any credential is set (the chat provider is inferred from it).
    pub fn any_set(&self) -> bool {
        self.tenant_id.is_some() || self.app_id.is_some() || self.app_password.is_some() || self.team_id.is_some()
    }

    /// The settings Teams needs that are missing, by variable.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("SIMA_TEAMS_TENANT_ID", self.tenant_id.is_none()),
            ("SIMA_TEAMS_APP_ID", self.app_id.is_none()),
            ("SIMA_TEAMS_APP_PASSWORD", self.app_password.is_none()),
            ("SIMA_TEAMS_TEAM_ID", self.team_id.is_none()),
            ("SIMA_TEAMS_BROADCAST_CHANNEL", self.broadcast_channel.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect()
    }
}
