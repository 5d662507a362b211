//! Which adapter serves each port, and the URLs credentials are sent to.

use anyhow::bail;

use super::{is_safe_provider_url, redact_url, Settings};
use crate::providers::{self, ChatProvider, DocsProvider, PagingProvider};

impl Settings {
    /// Refuses a provider URL that would carry a secret in clear text: every
    /// one must be `https://`, or `http://` to a loopback host (a local test
    /// double or a sidecar).
    pub(super) fn check_provider_urls(&self) -> anyhow::Result<()> {
        let urls = [
            ("SIMA_SLACK_API_URL (slack.api_url)", &self.slack.api_url),
            ("SIMA_SLACK_AUTHORIZE_URL (ui.slack_authorize_url)", &self.ui.slack_authorize_url),
            ("SIMA_PAGERDUTY_EVENTS_URL (pagerduty.events_url)", &self.pagerduty.events_url),
            ("SIMA_NOTION_API_URL (notion.api_url)", &self.notion.api_url),
            ("SIMA_CONFLUENCE_URL (confluence.url)", &self.confluence.url),
            ("SIMA_TEAMS_GRAPH_URL (teams.graph_url)", &self.teams.graph_url),
            ("SIMA_TEAMS_CONNECTOR_URL (teams.connector_url)", &self.teams.connector_url),
            ("SIMA_TEAMS_TOKEN_URL (teams.token_url)", &self.teams.token_url),
            ("SIMA_TEAMS_OPENID_URL (teams.openid_url)", &self.teams.openid_url),
        ];
        for (name, url) in urls {
            let Some(url) = url else { continue };
            if !is_safe_provider_url(url) {
                bail!(
                    "{name} must be an https:// URL (plain http:// only to 127.0.0.1, localhost or [::1]), \
                     since credentials are sent to it; got `{}`",
                    redact_url(url)
                );
            }
        }
        Ok(())
    }

    /// The chat adapter: `[chat] provider`, else Slack when a bot token is
    /// set, else Teams when its settings are, else the log.
    pub fn chat_provider(&self) -> anyhow::Result<ChatProvider> {
        let inferred = if self.slack.bot_token.is_some() {
            ChatProvider::Slack
        } else if self.teams.any_set() {
            ChatProvider::Teams
        } else {
            ChatProvider::Log
        };
        providers::choose(&self.chat, inferred).map_err(anyhow::Error::msg)
    }

    /// The post-mortem adapter: `[docs] provider`, else Notion when its token
    /// is set, else Confluence when its settings are, else Markdown.
    pub fn docs_provider(&self) -> anyhow::Result<DocsProvider> {
        let inferred = if self.notion.token.is_some() {
            DocsProvider::Notion
        } else if self.confluence.any_set() {
            DocsProvider::Confluence
        } else {
            DocsProvider::Markdown
        };
        providers::choose(&self.docs, inferred).map_err(anyhow::Error::msg)
    }

    /// The paging adapter: `[paging] provider`, else PagerDuty when a routing key is set.
    pub fn paging_provider(&self) -> anyhow::Result<PagingProvider> {
        let inferred = if self.has_routing_key() { PagingProvider::PagerDuty } else { PagingProvider::Log };
        providers::choose(&self.paging, inferred).map_err(anyhow::Error::msg)
    }

    /// Whether a PagerDuty routing key is set, by default, on a domain or on a service.
    pub(super) fn has_routing_key(&self) -> bool {
        self.pagerduty.routing_key.is_some()
            || self.domains.iter().any(|d| d.routing_key.is_some())
            || self.services.iter().any(|s| s.paging.is_some())
    }

    /// Refuses an unknown provider name, or a named one without its credentials.
    pub(super) fn check_providers(&self) -> anyhow::Result<()> {
        if self.chat_provider()? == ChatProvider::Slack && self.slack.bot_token.is_none() {
            bail!("SIMA_CHAT=slack needs SIMA_SLACK_BOT_TOKEN (slack.bot_token)");
        }
        let missing = self.teams.missing();
        if self.chat_provider()? == ChatProvider::Teams && !missing.is_empty() {
            bail!("SIMA_CHAT=teams needs {} (teams.* in sima.toml)", missing.join(", "));
        }
        if self.docs_provider()? == DocsProvider::Notion && self.notion.token.is_none() {
            bail!("SIMA_DOCS=notion needs SIMA_NOTION_TOKEN and SIMA_NOTION_DATA_SOURCE_ID");
        }
        let missing = self.confluence.missing();
        if self.docs_provider()? == DocsProvider::Confluence && !missing.is_empty() {
            bail!("SIMA_DOCS=confluence needs {} (confluence.* in sima.toml)", missing.join(", "));
        }
        if self.paging_provider()? == PagingProvider::PagerDuty && !self.has_routing_key() {
            bail!("SIMA_PAGING=pagerduty needs SIMA_PAGERDUTY_ROUTING_KEY (or a routing_key on a [[domains]] entry, or paging on a [[services]] entry)");
        }
        Ok(())
    }
}
