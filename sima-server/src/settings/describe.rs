//! The start-up summary: one line per integration, secrets never shown.

use super::Settings;
use crate::delays;
use crate::providers::{ChatProvider, DocsProvider, PagingProvider};

impl Settings {
    /// One line per integration: what is configured, what runs log-only.
    pub fn describe(&self) -> Vec<String> {
        let store = if self.is_postgres() { "PostgreSQL" } else { "SQLite" };
        let migrations =
            if self.auto_migrate { "" } else { " (migrations left to `sima-server migrate`: auto_migrate is off)" };
        let slack = &self.slack;
        let inbound = match (&slack.app_token, &slack.signing_secret) {
            (Some(_), Some(_)) => "inbound over Socket Mode and signed HTTP requests",
            (Some(_), None) => "inbound over Socket Mode; HTTP routes refused (no signing secret)",
            (None, Some(_)) => "inbound over signed HTTP requests",
            (None, None) => "inbound Slack requests refused (set SIMA_SLACK_APP_TOKEN or SIMA_SLACK_SIGNING_SECRET)",
        };
        let chat = match (&slack.bot_token, &slack.signing_secret, &slack.app_token) {
            _ if self.chat_provider().ok() == Some(ChatProvider::Teams) => format!(
                "Microsoft Teams (team {}; inbound Bot Framework activities at POST /teams/messages)",
                self.teams.team_id.as_deref().unwrap_or("?")
            ),
            _ if self.chat_provider().ok() == Some(ChatProvider::Log) && slack.bot_token.is_some() => {
                format!("log-only (SIMA_CHAT=log); {inbound}")
            }
            (None, None, None) => {
                "log-only (set SIMA_SLACK_BOT_TOKEN, and SIMA_SLACK_APP_TOKEN or SIMA_SLACK_SIGNING_SECRET)".to_owned()
            }
            (Some(_), _, _) => format!("Slack (Web API; {inbound})"),
            (None, _, _) => format!("log-only (no bot token); {inbound}"),
        };
        let keyed = self
            .services()
            .iter()
            .filter(|s| matches!(self.paging_of(s.name.as_str()), Ok(super::Paging::Key(_))))
            .count();
        let paging = match (&self.pagerduty.routing_key, keyed) {
            _ if self.paging_provider().ok() == Some(PagingProvider::Log) && self.has_routing_key() => {
                "log-only (SIMA_PAGING=log)".to_owned()
            }
            (Some(_), n) => format!("PagerDuty (default routing key, {n} domain keys)"),
            (None, 0) => "log-only (set SIMA_PAGERDUTY_ROUTING_KEY)".to_owned(),
            (None, n) => format!("PagerDuty ({n} domain keys, no default)"),
        };
        let docs = match self.docs_provider().ok() {
            Some(DocsProvider::Notion) => "Notion".to_owned(),
            Some(DocsProvider::Confluence) => {
                format!("Confluence (space {})", self.confluence.space_id.as_deref().unwrap_or("?"))
            }
            _ => format!("Markdown files in {}", self.postmortem_dir.display()),
        };
        let webhooks = if self.webhook_token.is_some() { "enabled" } else { "refused (set SIMA_WEBHOOK_TOKEN)" };
        let api = match (&self.api_token, &self.api_read_token) {
            (Some(_), Some(_)) => "bearer token required (SIMA_API_TOKEN; SIMA_API_READ_TOKEN reads only)",
            (Some(_), None) => "bearer token required (SIMA_API_TOKEN)",
            (None, Some(_)) => "bearer token required (SIMA_API_READ_TOKEN reads only; no SIMA_API_TOKEN to write)",
            (None, None) if self.open_to_loopback() => {
                "no SIMA_API_TOKEN: open to clients on this machine only (listening on loopback, no proxy declared; \
                 requests must be addressed to a loopback name or SIMA_PUBLIC_URL, writes must be JSON; \
                 anything forwarding to this port makes its clients local: see SECURITY.md)"
            }
            (None, None) => {
                "no SIMA_API_TOKEN, and listening beyond loopback or behind a declared proxy: refusing every \
                 client (set SIMA_API_TOKEN)"
            }
        };
        let metrics = if self.metrics_token.is_some() { "bearer token required" } else { "open to every client" };
        let mut lines = vec![
            format!("store: {store}{migrations}"),
            format!("chat: {chat}"),
            format!("paging: {paging}"),
            format!("post-mortems: {docs}"),
            format!("webhooks: {webhooks}"),
            format!("api: {api}"),
            format!("/metrics: {metrics}"),
            format!(
                "broadcast channel: {}",
                match (&self.teams.broadcast_channel, self.chat_provider().ok()) {
                    (Some(channel), Some(ChatProvider::Teams)) => channel,
                    _ => &self.broadcast_channel,
                }
            ),
        ];
        lines
            .push(self.ui.describe(self.api_token.is_some() || self.api_read_token.is_some(), self.open_to_loopback()));
        if self.ui.slack_sign_in() && self.slack.team_id.is_none() {
            lines.push(
                "dashboard: Sign in with Slack refuses everyone until slack.team_id (the workspace) is set".to_owned(),
            );
        }
        lines.push(self.describe_tracker());
        lines.extend(delays::describe(&self.reminders, &self.rooms, &self.effects));
        lines.push(self.intake.describe());
        if self.workflows.is_empty() {
            lines.push("workflows: none (the default runbooks only)".to_owned());
        }
        lines.extend(self.workflows.iter().map(|w| format!("workflow {w}")));
        lines.extend(self.guards.iter().map(|g| format!("guard {g}")));
        lines
    }
}
