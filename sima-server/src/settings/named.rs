//! The named variables: the `SIMA_*` names SIMA has always read, each the
//! alias of one key, with how an empty value is taken. They win over the
//! uniform `SIMA_<SECTION>__<KEY>` form of the same key.

/// How a named variable's value becomes the key's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Taken as it is, even empty.
    Text,
    /// A credential SIMA sends: empty means unset (the integration runs
    /// log-only), overriding the file.
    Secret,
    /// A credential that guards an inbound route: kept even empty, so that
    /// the check refuses it instead of silently opening the route.
    Guard,
    /// A name or URL: blank means unset, overriding the file.
    Optional,
    /// Empty is ignored: the file's value stays.
    IgnoreEmpty,
    /// A comma-separated list.
    List,
    /// `30m, sev1=15m, sev4=off`: the default update reminder, then
    /// per-severity values.
    Reminders,
}

/// One named variable: its name, the key it sets (`section.key`), its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    /// `SIMA_SLACK_BOT_TOKEN`.
    pub variable: &'static str,
    /// `slack.bot_token`.
    pub key: &'static str,
    /// How its value is taken.
    pub rule: Rule,
}

const fn named(variable: &'static str, key: &'static str, rule: Rule) -> Named {
    Named { variable, key, rule }
}

/// Every named variable. Top-level keys (`SIMA_LISTEN`, `SIMA_API_TOKEN`…)
/// already follow the uniform rule; they are listed for their empty-value rule.
pub const NAMED: &[Named] = &[
    named("SIMA_LISTEN", "listen", Rule::Text),
    named("SIMA_DATABASE_URL", "database_url", Rule::Text),
    named("SIMA_PUBLIC_URL", "public_url", Rule::Text),
    named("SIMA_WEBHOOK_TOKEN", "webhook_token", Rule::Guard),
    named("SIMA_API_TOKEN", "api_token", Rule::Guard),
    named("SIMA_API_READ_TOKEN", "api_read_token", Rule::Guard),
    named("SIMA_METRICS_TOKEN", "metrics_token", Rule::Guard),
    named("SIMA_TRUSTED_PROXIES", "limits.trusted_proxies", Rule::List),
    named("SIMA_SLACK_BOT_TOKEN", "slack.bot_token", Rule::Secret),
    named("SIMA_SLACK_SIGNING_SECRET", "slack.signing_secret", Rule::Guard),
    named("SIMA_SLACK_APP_TOKEN", "slack.app_token", Rule::Secret),
    named("SIMA_SLACK_API_URL", "slack.api_url", Rule::Text),
    named("SIMA_SLACK_BROADCAST_CHANNEL", "broadcast_channel", Rule::Text),
    named("SIMA_PAGERDUTY_EVENTS_URL", "pagerduty.events_url", Rule::Text),
    named("SIMA_PAGERDUTY_ROUTING_KEY", "pagerduty.routing_key", Rule::Secret),
    named("SIMA_NOTION_API_URL", "notion.api_url", Rule::Text),
    named("SIMA_NOTION_TOKEN", "notion.token", Rule::Secret),
    named("SIMA_NOTION_DATA_SOURCE_ID", "notion.data_source_id", Rule::Optional),
    named("SIMA_NOTION_PRIVATE_DATA_SOURCE_ID", "notion.private_data_source_id", Rule::Optional),
    named("SIMA_CONFLUENCE_URL", "confluence.url", Rule::Optional),
    named("SIMA_CONFLUENCE_EMAIL", "confluence.email", Rule::Optional),
    named("SIMA_CONFLUENCE_API_TOKEN", "confluence.api_token", Rule::Secret),
    named("SIMA_CONFLUENCE_SPACE_ID", "confluence.space_id", Rule::Optional),
    named("SIMA_CONFLUENCE_PARENT_ID", "confluence.parent_id", Rule::Optional),
    named("SIMA_CONFLUENCE_PRIVATE_PARENT_ID", "confluence.private_parent_id", Rule::Optional),
    named("SIMA_TEAMS_TENANT_ID", "teams.tenant_id", Rule::Optional),
    named("SIMA_TEAMS_APP_ID", "teams.app_id", Rule::Optional),
    named("SIMA_TEAMS_APP_PASSWORD", "teams.app_password", Rule::Secret),
    named("SIMA_TEAMS_TEAM_ID", "teams.team_id", Rule::Optional),
    named("SIMA_TEAMS_BROADCAST_CHANNEL", "teams.broadcast_channel", Rule::Optional),
    named("SIMA_TEAMS_GRAPH_URL", "teams.graph_url", Rule::Optional),
    named("SIMA_TEAMS_CONNECTOR_URL", "teams.connector_url", Rule::Optional),
    named("SIMA_TEAMS_TOKEN_URL", "teams.token_url", Rule::Optional),
    named("SIMA_TEAMS_OPENID_URL", "teams.openid_url", Rule::Optional),
    named("SIMA_CHAT", "chat.provider", Rule::Optional),
    named("SIMA_DOCS", "docs.provider", Rule::Optional),
    named("SIMA_PAGING", "paging.provider", Rule::Optional),
    named("SIMA_TRACKER", "tracker.provider", Rule::Optional),
    named("SIMA_JIRA_URL", "jira.url", Rule::Optional),
    named("SIMA_JIRA_EMAIL", "jira.email", Rule::Optional),
    named("SIMA_JIRA_API_TOKEN", "jira.api_token", Rule::Secret),
    named("SIMA_JIRA_PROJECT", "jira.project", Rule::Optional),
    named("SIMA_JIRA_ISSUE_TYPE", "jira.issue_type", Rule::Optional),
    named("SIMA_JIRA_WEBHOOK_SECRET", "jira.webhook_secret", Rule::Guard),
    named("SIMA_LINEAR_API_KEY", "linear.api_key", Rule::Secret),
    named("SIMA_LINEAR_TEAM_ID", "linear.team_id", Rule::Optional),
    named("SIMA_LINEAR_API_URL", "linear.api_url", Rule::Optional),
    named("SIMA_LINEAR_WEBHOOK_SECRET", "linear.webhook_secret", Rule::Guard),
    named("SIMA_STATUS_PAGE", "status.page", Rule::IgnoreEmpty),
    named("SIMA_STATUSPAGE_API_KEY", "status.statuspage.api_key", Rule::Secret),
    named("SIMA_STATUSPAGE_PAGE_ID", "status.statuspage.page_id", Rule::Optional),
    named("SIMA_STATUSPAGE_API_URL", "status.statuspage.api_url", Rule::Optional),
    named("SIMA_SESSION_KEY", "ui.session_key", Rule::IgnoreEmpty),
    named("SIMA_SLACK_CLIENT_ID", "ui.slack_client_id", Rule::IgnoreEmpty),
    named("SIMA_SLACK_CLIENT_SECRET", "ui.slack_client_secret", Rule::IgnoreEmpty),
    named("SIMA_SLACK_AUTHORIZE_URL", "ui.slack_authorize_url", Rule::IgnoreEmpty),
    named("SIMA_REMINDER_AFTER", "reminders", Rule::Reminders),
    named("SIMA_POSTMORTEM_REMINDER_AFTER", "reminders.postmortem_after", Rule::Text),
    named("SIMA_ARCHIVE_AFTER", "rooms.archive_after", Rule::Text),
    named("SIMA_EFFECT_RETRY_FOR", "effects.retry_for", Rule::Text),
];

/// The named variable called `variable`, if any.
pub fn find(variable: &str) -> Option<&'static Named> {
    NAMED.iter().find(|named| named.variable == variable)
}

/// The named variable that sets `key` (`slack.bot_token`), if any.
pub fn for_key(key: &str) -> Option<&'static Named> {
    NAMED.iter().find(|named| named.key == key)
}
