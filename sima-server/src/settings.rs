//! Configuration: `sima.toml` (path in `SIMA_CONFIG`), then `SIMA_*`
//! environment variables, which win.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use anyhow::{bail, Context};
use serde::Deserialize;
use sima_core::domain::{Domain, Severity};

use crate::delays::{self, EffectSettings, ReminderSettings, RoomSettings};
use crate::providers::{self, ChatProvider, DocsProvider, PagingProvider, ProviderSettings};
use crate::workflows::{Guard, Workflow};

pub use sima_core::Secret;

/// A domain people can declare incidents for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainSettings {
    /// The slug (`outbound-email`).
    pub name: Domain,
    /// What it covers, shown in the declare form.
    #[serde(default)]
    pub description: String,
    /// PagerDuty routing key of its on-call (else the default key).
    #[serde(default)]
    pub routing_key: Option<Secret>,
}

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

/// How monitoring webhooks are handled.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    /// Severity of alerts that carry none.
    pub default_severity: Severity,
    /// Domain of alerts that name none.
    pub default_domain: Domain,
    /// Resolve the incident when its alert resolves (else only post an update).
    pub resolve_on_alert_resolved: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            default_severity: Severity::Sev3,
            default_domain: Domain::parse("unassigned").unwrap_or_else(|_| unreachable!("a valid slug")),
            resolve_on_alert_resolved: false,
        }
    }
}

/// Abuse and overload protection.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Requests per second one client may make to `/api` and `/webhooks`, sustained.
    pub requests_per_second: u32,
    /// Requests one client may make at once above the sustained rate.
    pub burst: u32,
    /// Requests served at the same time; more are answered 503 at once.
    pub max_in_flight: usize,
    /// Seconds a request may take before it is answered 503.
    pub request_timeout_secs: u64,
    /// Identify clients by the last `X-Forwarded-For` address, whoever the
    /// peer is (one proxy hop; prefer `trusted_proxies`).
    pub trust_forwarded_for: bool,
    /// The reverse proxies in front of this server, as addresses or CIDRs
    /// (`SIMA_TRUSTED_PROXIES`, comma-separated): `X-Forwarded-For` entries
    /// they appended are followed back to the first address that is not one
    /// of them, the client. Declaring any turns the loopback default off.
    pub trusted_proxies: Vec<String>,
}

impl LimitSettings {
    /// Whether any proxy is declared (read on every request: no parsing).
    pub fn declares_proxies(&self) -> bool {
        self.trust_forwarded_for || !self.trusted_proxies.is_empty()
    }

    /// The declared proxies (validated by [`Settings::validate`]).
    pub fn proxies(&self) -> crate::clients::TrustedProxies {
        crate::clients::TrustedProxies::parse(&self.trusted_proxies, self.trust_forwarded_for).unwrap_or_default()
    }
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            requests_per_second: 50,
            burst: 200,
            max_in_flight: 512,
            request_timeout_secs: 10,
            trust_forwarded_for: false,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Shortest accepted signing secret, webhook token or API token.
pub const MIN_SECRET_LEN: usize = 16;

/// Everything the server is configured with.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Bind address.
    pub listen: String,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Base URL used in links.
    pub public_url: String,
    /// Bearer token for `/webhooks/*`; unset: webhooks are refused.
    pub webhook_token: Option<Secret>,
    /// Bearer token for every `/api/v1/*` route; unset: the API answers
    /// loopback clients only.
    pub api_token: Option<Secret>,
    /// Bearer token that may only read (`GET`) the API, for dashboards.
    pub api_read_token: Option<Secret>,
    /// Bearer token for `/metrics`; unset: `/metrics` is open.
    pub metrics_token: Option<Secret>,
    /// Rate limits, concurrency and timeouts.
    pub limits: LimitSettings,
    /// The company-wide broadcast channel id.
    pub broadcast_channel: String,
    /// First word of incident room names.
    pub room_prefix: String,
    /// Where Markdown post-mortems go when Notion is not configured.
    pub postmortem_dir: PathBuf,
    /// Incidents at least this severe page the on-call.
    pub page_min_severity: Severity,
    /// Slack.
    pub slack: SlackSettings,
    /// PagerDuty.
    pub pagerduty: PagerDutySettings,
    /// Notion.
    pub notion: NotionSettings,
    /// Confluence.
    pub confluence: ConfluenceSettings,
    /// Monitoring webhooks.
    pub alerts: AlertSettings,
    /// Declarable domains.
    pub domains: Vec<DomainSettings>,
    /// Descriptions of the severity levels, shown in forms (`sev1 = "…"`).
    pub severities: BTreeMap<Severity, String>,
    /// Update and post-mortem reminders.
    pub reminders: ReminderSettings,
    /// Room archiving.
    pub rooms: RoomSettings,
    /// The effect worker's retry horizon.
    pub effects: EffectSettings,
    /// The company's workflows (`[[workflows]]`), checked when read.
    #[serde(deserialize_with = "crate::workflows::deserialize_workflows")]
    pub workflows: Vec<Workflow>,
    /// Commands only a role holder may send (`[[guards]]`).
    #[serde(deserialize_with = "crate::workflows::deserialize_guards")]
    pub guards: Vec<Guard>,
    /// The dashboard.
    pub ui: crate::ui::UiSettings,
    /// `[chat] provider`: `slack` or `log` (`SIMA_CHAT`); unset: from the credentials.
    pub chat: ProviderSettings,
    /// `[docs] provider`: `notion` or `markdown` (`SIMA_DOCS`); unset: from the credentials.
    pub docs: ProviderSettings,
    /// `[paging] provider`: `pagerduty` or `log` (`SIMA_PAGING`); unset: from the credentials.
    pub paging: ProviderSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:3000".into(),
            database_url: "sqlite://sima.db".into(),
            public_url: "http://127.0.0.1:3000".into(),
            webhook_token: None,
            api_token: None,
            api_read_token: None,
            metrics_token: None,
            limits: LimitSettings::default(),
            broadcast_channel: "production-issues-bot".into(),
            room_prefix: "incident".into(),
            postmortem_dir: PathBuf::from("postmortems"),
            page_min_severity: Severity::Sev4,
            slack: SlackSettings::default(),
            pagerduty: PagerDutySettings::default(),
            notion: NotionSettings::default(),
            confluence: ConfluenceSettings::default(),
            alerts: AlertSettings::default(),
            domains: Vec::new(),
            severities: BTreeMap::new(),
            reminders: ReminderSettings::default(),
            rooms: RoomSettings::default(),
            effects: EffectSettings::default(),
            workflows: Vec::new(),
            guards: Vec::new(),
            ui: crate::ui::UiSettings::default(),
            chat: ProviderSettings::default(),
            docs: ProviderSettings::default(),
            paging: ProviderSettings::default(),
        }
    }
}

fn secret(value: String) -> Option<Secret> {
    (!value.is_empty()).then_some(Secret::new(value))
}

/// A credential that protects an inbound route: set even when empty, so
/// that validation refuses it instead of silently opening the route.
fn guard(value: String) -> Option<Secret> {
    Some(Secret::new(value))
}

/// Whether credentials may be sent to `url`: `https://`, or `http://` to a
/// loopback host.
pub fn is_safe_provider_url(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return true;
    }
    let Some(rest) = lower.strip_prefix("http://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !authority.contains('@') && crate::guard::is_loopback_host(authority)
}

/// `postgres://user:password@host/db` with the password replaced.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, tail) = rest.split_once('/').map_or((rest, None), |(a, t)| (a, Some(t)));
    let shown = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:[redacted]@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = tail.map(|t| {
        // Query parameters such as `password=` or `sslpassword=` are hidden too.
        match t.split_once('?') {
            Some((path, query)) => {
                let query: Vec<String> = query
                    .split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) if k.to_ascii_lowercase().contains("password") => format!("{k}=[redacted]"),
                        _ => kv.to_owned(),
                    })
                    .collect();
                format!("{path}?{}", query.join("&"))
            }
            None => t.to_owned(),
        }
    });
    match tail {
        Some(t) => format!("{scheme}://{shown}/{t}"),
        None => format!("{scheme}://{shown}"),
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("webhook_token", &self.webhook_token)
            .field("api_token", &self.api_token)
            .field("api_read_token", &self.api_read_token)
            .field("metrics_token", &self.metrics_token)
            .field("limits", &self.limits)
            .field("broadcast_channel", &self.broadcast_channel)
            .field("slack", &self.slack)
            .field("pagerduty", &self.pagerduty)
            .field("notion", &self.notion)
            .field("confluence", &self.confluence)
            .field("reminders", &self.reminders)
            .field("rooms", &self.rooms)
            .field("effects", &self.effects)
            .field("workflows", &self.workflows.len())
            .field("guards", &self.guards.len())
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Reads the process environment (and the file `SIMA_CONFIG` names).
    ///
    /// # Errors
    /// An unreadable or invalid file, or an inconsistent configuration.
    pub fn load() -> anyhow::Result<Self> {
        Self::from_env(&std::env::vars().collect())
    }

    /// The settings for these variables: the file named by `SIMA_CONFIG` (if
    /// any), then every `SIMA_*` override.
    ///
    /// # Errors
    /// An unreadable or invalid file, or an inconsistent configuration.
    pub fn from_env(env: &HashMap<String, String>) -> anyhow::Result<Self> {
        match env.get("SIMA_CONFIG") {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading SIMA_CONFIG={path}"))?;
                Self::from_file_text(path, &text, env)
            }
            None => Self::with_overrides(Settings::default(), env),
        }
    }

    /// The settings of a `sima.toml` (`text`, read from `path`), then every
    /// `SIMA_*` override in `env`.
    ///
    /// # Errors
    /// Invalid TOML, an unknown key, or an inconsistent configuration.
    pub fn from_file_text(path: &str, text: &str, env: &HashMap<String, String>) -> anyhow::Result<Self> {
        let settings = toml::from_str(text).with_context(|| format!("{path} is not a valid SIMA configuration"))?;
        Self::with_overrides(settings, env)
    }

    fn with_overrides(mut settings: Settings, env: &HashMap<String, String>) -> anyhow::Result<Self> {
        let var = |name: &str| env.get(name).cloned();
        if let Some(v) = var("SIMA_LISTEN") {
            settings.listen = v;
        }
        if let Some(v) = var("SIMA_DATABASE_URL") {
            settings.database_url = v;
        }
        if let Some(v) = var("SIMA_PUBLIC_URL") {
            settings.public_url = v;
        }
        if let Some(v) = var("SIMA_WEBHOOK_TOKEN") {
            settings.webhook_token = guard(v);
        }
        if let Some(v) = var("SIMA_API_TOKEN") {
            settings.api_token = guard(v);
        }
        if let Some(v) = var("SIMA_API_READ_TOKEN") {
            settings.api_read_token = guard(v);
        }
        if let Some(v) = var("SIMA_METRICS_TOKEN") {
            settings.metrics_token = guard(v);
        }
        if let Some(v) = var("SIMA_SLACK_BOT_TOKEN") {
            settings.slack.bot_token = secret(v);
        }
        if let Some(v) = var("SIMA_SLACK_SIGNING_SECRET") {
            settings.slack.signing_secret = guard(v);
        }
        if let Some(v) = var("SIMA_SLACK_APP_TOKEN") {
            settings.slack.app_token = secret(v);
        }
        if let Some(v) = var("SIMA_SLACK_API_URL") {
            settings.slack.api_url = Some(v);
        }
        if let Some(v) = var("SIMA_SLACK_BROADCAST_CHANNEL") {
            settings.broadcast_channel = v;
        }
        if let Some(v) = var("SIMA_PAGERDUTY_EVENTS_URL") {
            settings.pagerduty.events_url = Some(v);
        }
        if let Some(v) = var("SIMA_PAGERDUTY_ROUTING_KEY") {
            settings.pagerduty.routing_key = secret(v);
        }
        if let Some(v) = var("SIMA_NOTION_API_URL") {
            settings.notion.api_url = Some(v);
        }
        if let Some(v) = var("SIMA_NOTION_TOKEN") {
            settings.notion.token = secret(v);
        }
        for (name, section) in [
            ("SIMA_CHAT", &mut settings.chat),
            ("SIMA_DOCS", &mut settings.docs),
            ("SIMA_PAGING", &mut settings.paging),
        ] {
            if let Some(v) = var(name) {
                section.provider = Some(v).filter(|v| !v.trim().is_empty());
            }
        }
        if let Some(v) = var("SIMA_TRUSTED_PROXIES") {
            settings.limits.trusted_proxies =
                v.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect();
        }
        if let Some(v) = var("SIMA_NOTION_DATA_SOURCE_ID") {
            settings.notion.data_source_id = Some(v).filter(|v| !v.is_empty());
        }
        let confluence = &mut settings.confluence;
        for (name, field) in [
            ("SIMA_CONFLUENCE_URL", &mut confluence.url),
            ("SIMA_CONFLUENCE_EMAIL", &mut confluence.email),
            ("SIMA_CONFLUENCE_SPACE_ID", &mut confluence.space_id),
            ("SIMA_CONFLUENCE_PARENT_ID", &mut confluence.parent_id),
        ] {
            if let Some(v) = var(name) {
                *field = Some(v).filter(|v| !v.trim().is_empty());
            }
        }
        if let Some(v) = var("SIMA_CONFLUENCE_API_TOKEN") {
            settings.confluence.api_token = secret(v);
        }
        settings.ui.apply_env(env);
        delays::apply_env(env, &mut settings.reminders, &mut settings.rooms, &mut settings.effects)?;
        settings.validate()?;
        Ok(settings)
    }

    /// Refuses an inconsistent configuration, and any signing secret or token
    /// that is empty or shorter than [`MIN_SECRET_LEN`].
    ///
    /// # Errors
    /// What is wrong, naming the variable (never its value).
    pub fn validate(&self) -> anyhow::Result<()> {
        let guards = [
            ("SIMA_SLACK_SIGNING_SECRET (slack.signing_secret)", &self.slack.signing_secret),
            ("SIMA_WEBHOOK_TOKEN (webhook_token)", &self.webhook_token),
            ("SIMA_API_TOKEN (api_token)", &self.api_token),
            ("SIMA_API_READ_TOKEN (api_read_token)", &self.api_read_token),
            ("SIMA_METRICS_TOKEN (metrics_token)", &self.metrics_token),
        ];
        for (name, value) in guards {
            if let Some(value) = value {
                let len = value.expose().chars().count();
                if len < MIN_SECRET_LEN || value.expose().trim() != value.expose() {
                    bail!(
                        "{name} must be at least {MIN_SECRET_LEN} characters without surrounding spaces \
                         (got {len}); generate one with `openssl rand -hex 32`, or leave it unset"
                    );
                }
            }
        }
        if let Some(token) = &self.slack.app_token {
            if !token.expose().starts_with(sima_slack::socket::APP_TOKEN_PREFIX) {
                bail!(
                    "SIMA_SLACK_APP_TOKEN (slack.app_token) must be an app-level token starting with `xapp-` \
                     (Slack app settings → Basic Information → App-Level Tokens, scope connections:write); \
                     bot tokens (xoxb-) go in SIMA_SLACK_BOT_TOKEN"
                );
            }
        }
        let limits = &self.limits;
        if limits.requests_per_second == 0 || limits.burst == 0 || limits.max_in_flight == 0 {
            bail!("limits.requests_per_second, limits.burst and limits.max_in_flight must be at least 1");
        }
        if limits.request_timeout_secs == 0 {
            bail!("limits.request_timeout_secs must be at least 1");
        }
        crate::clients::TrustedProxies::parse(&limits.trusted_proxies, limits.trust_forwarded_for)
            .map_err(|e| anyhow::anyhow!(e))?;
        self.check_provider_urls()?;
        self.check_providers()?;
        let notion = &self.notion;
        if notion.token.is_some() != notion.data_source_id.is_some() {
            bail!("Notion needs both SIMA_NOTION_TOKEN and SIMA_NOTION_DATA_SOURCE_ID (or neither, for Markdown post-mortems)");
        }
        if !(self.database_url.starts_with("sqlite:") || self.is_postgres()) {
            bail!(
                "SIMA_DATABASE_URL must start with sqlite:// or postgres:// (got `{}`)",
                redact_url(&self.database_url)
            );
        }
        if self.effects.retry_for.0.is_none() {
            bail!("effects.retry_for cannot be `off`: failures are retried for some time, e.g. `24h`");
        }
        if self.broadcast_channel.trim().is_empty() {
            bail!("the broadcast channel must not be empty");
        }
        Ok(())
    }

    /// Refuses a provider URL that would carry a secret in clear text: every
    /// one must be `https://`, or `http://` to a loopback host (a local test
    /// double or a sidecar).
    fn check_provider_urls(&self) -> anyhow::Result<()> {
        let urls = [
            ("SIMA_SLACK_API_URL (slack.api_url)", &self.slack.api_url),
            ("SIMA_SLACK_AUTHORIZE_URL (ui.slack_authorize_url)", &self.ui.slack_authorize_url),
            ("SIMA_PAGERDUTY_EVENTS_URL (pagerduty.events_url)", &self.pagerduty.events_url),
            ("SIMA_NOTION_API_URL (notion.api_url)", &self.notion.api_url),
            ("SIMA_CONFLUENCE_URL (confluence.url)", &self.confluence.url),
        ];
        for (name, url) in urls {
            let Some(url) = url else { continue };
            if !is_safe_provider_url(url) {
                bail!(
                    "{name} must be an https:// URL (plain http:// only to 127.0.0.1, localhost or [::1]),                      since credentials are sent to it; got `{}`",
                    redact_url(url)
                );
            }
        }
        Ok(())
    }

    /// The chat adapter: `[chat] provider`, else Slack when a bot token is set.
    pub fn chat_provider(&self) -> anyhow::Result<ChatProvider> {
        let inferred = if self.slack.bot_token.is_some() { ChatProvider::Slack } else { ChatProvider::Log };
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

    /// Whether a PagerDuty routing key is set, by default or on a domain.
    fn has_routing_key(&self) -> bool {
        self.pagerduty.routing_key.is_some() || self.domains.iter().any(|d| d.routing_key.is_some())
    }

    /// Refuses an unknown provider name, or a named one without its credentials.
    fn check_providers(&self) -> anyhow::Result<()> {
        if self.chat_provider()? == ChatProvider::Slack && self.slack.bot_token.is_none() {
            bail!("SIMA_CHAT=slack needs SIMA_SLACK_BOT_TOKEN (slack.bot_token)");
        }
        if self.docs_provider()? == DocsProvider::Notion && self.notion.token.is_none() {
            bail!("SIMA_DOCS=notion needs SIMA_NOTION_TOKEN and SIMA_NOTION_DATA_SOURCE_ID");
        }
        let missing = self.confluence.missing();
        if self.docs_provider()? == DocsProvider::Confluence && !missing.is_empty() {
            bail!("SIMA_DOCS=confluence needs {} (confluence.* in sima.toml)", missing.join(", "));
        }
        if self.paging_provider()? == PagingProvider::PagerDuty && !self.has_routing_key() {
            bail!("SIMA_PAGING=pagerduty needs SIMA_PAGERDUTY_ROUTING_KEY (or a routing_key on a [[domains]] entry)");
        }
        Ok(())
    }

    /// Whether the API and the dashboard may serve clients on this machine
    /// without a credential: only while listening on a loopback address with
    /// no proxy declared (a forwarder would make every client look local).
    pub fn open_to_loopback(&self) -> bool {
        crate::guard::is_loopback_host(&self.listen) && !self.limits.declares_proxies()
    }

    /// The warning to log when PostgreSQL is reached over a network without
    /// verifying its certificate (`sslmode=verify-full` or `verify-ca`).
    pub fn database_tls_warning(&self) -> Option<String> {
        if !self.is_postgres() {
            return None;
        }
        let (_, rest) = self.database_url.split_once("://")?;
        let (authority, query) = match rest.split_once('?') {
            Some((before, query)) => (before.split('/').next().unwrap_or_default(), query),
            None => (rest.split('/').next().unwrap_or_default(), ""),
        };
        let hosts = authority.rsplit_once('@').map_or(authority, |(_, hosts)| hosts);
        let remote = hosts.split(',').any(|host| !host.is_empty() && !crate::guard::is_loopback_host(host));
        let verified = query.split('&').any(|pair| matches!(pair, "sslmode=verify-full" | "sslmode=verify-ca"));
        (remote && !verified).then(|| {
            format!(
                "the database at {} is reached without verifying its certificate: add `sslmode=verify-full`                  (and `sslrootcert=` if its CA is private) to SIMA_DATABASE_URL",
                redact_url(&self.database_url)
            )
        })
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://") || self.database_url.starts_with("postgresql://")
    }

    /// One line per integration: what is configured, what runs log-only.
    pub fn describe(&self) -> Vec<String> {
        let store = if self.is_postgres() { "PostgreSQL" } else { "SQLite" };
        let slack = &self.slack;
        let inbound = match (&slack.app_token, &slack.signing_secret) {
            (Some(_), Some(_)) => "inbound over Socket Mode and signed HTTP requests",
            (Some(_), None) => "inbound over Socket Mode; HTTP routes refused (no signing secret)",
            (None, Some(_)) => "inbound over signed HTTP requests",
            (None, None) => "inbound Slack requests refused (set SIMA_SLACK_APP_TOKEN or SIMA_SLACK_SIGNING_SECRET)",
        };
        let chat = match (&slack.bot_token, &slack.signing_secret, &slack.app_token) {
            _ if self.chat_provider().ok() == Some(ChatProvider::Log) && slack.bot_token.is_some() => {
                format!("log-only (SIMA_CHAT=log); {inbound}")
            }
            (None, None, None) => {
                "log-only (set SIMA_SLACK_BOT_TOKEN, and SIMA_SLACK_APP_TOKEN or SIMA_SLACK_SIGNING_SECRET)".to_owned()
            }
            (Some(_), _, _) => format!("Slack (Web API; {inbound})"),
            (None, _, _) => format!("log-only (no bot token); {inbound}"),
        };
        let keyed = self.domains.iter().filter(|d| d.routing_key.is_some()).count();
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
            format!("store: {store}"),
            format!("chat: {chat}"),
            format!("paging: {paging}"),
            format!("post-mortems: {docs}"),
            format!("webhooks: {webhooks}"),
            format!("api: {api}"),
            format!("/metrics: {metrics}"),
            format!("broadcast channel: {}", self.broadcast_channel),
        ];
        lines
            .push(self.ui.describe(self.api_token.is_some() || self.api_read_token.is_some(), self.open_to_loopback()));
        if self.ui.slack_sign_in() && self.slack.team_id.is_none() {
            lines.push(
                "dashboard: Sign in with Slack refuses everyone until slack.team_id (the workspace) is set".to_owned(),
            );
        }
        lines.extend(delays::describe(&self.reminders, &self.rooms, &self.effects));
        if self.workflows.is_empty() {
            lines.push("workflows: none (the default runbooks only)".to_owned());
        }
        lines.extend(self.workflows.iter().map(|w| format!("workflow {w}")));
        lines.extend(self.guards.iter().map(|g| format!("guard {g}")));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_run_embedded() {
        let s = Settings::from_env(&env(&[])).unwrap();
        assert_eq!(s.listen, "127.0.0.1:3000");
        assert_eq!(s.database_url, "sqlite://sima.db");
        assert_eq!(s.broadcast_channel, "production-issues-bot");
        assert!(s.slack.bot_token.is_none() && s.webhook_token.is_none());
        assert!(s.describe()[1].contains("log-only"));
    }

    #[test]
    fn environment_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sima.toml");
        std::fs::write(
            &path,
            r#"
listen = "0.0.0.0:8080"
broadcast_channel = "CFILE"
[pagerduty]
routing_key = "file-key"
[[domains]]
name = "outbound-email"
description = "Transactional email"
routing_key = "email-key"
"#,
        )
        .unwrap();
        let s = Settings::from_env(&env(&[
            ("SIMA_CONFIG", path.to_str().unwrap()),
            ("SIMA_SLACK_BROADCAST_CHANNEL", "CENV"),
            ("SIMA_PAGERDUTY_ROUTING_KEY", "env-key"),
        ]))
        .unwrap();
        assert_eq!(s.listen, "0.0.0.0:8080");
        assert_eq!(s.broadcast_channel, "CENV");
        assert_eq!(s.pagerduty.routing_key.unwrap().expose(), "env-key");
        assert_eq!(s.domains[0].routing_key.as_ref().unwrap().expose(), "email-key");
    }

    #[test]
    fn durations_come_from_the_file_and_the_environment_wins() {
        let s = Settings::from_env(&env(&[])).unwrap();
        assert_eq!(s.reminders.update_after.to_string(), "30m");
        assert_eq!(s.rooms.archive_after.to_string(), "7d");
        assert_eq!(s.reminders.postmortem_after.to_string(), "2d");
        assert_eq!(s.effects.retry_for.to_string(), "1d");
        let described = s.describe().join("\n");
        assert!(described.contains("update reminders: 30m") && described.contains("room archive: 7d"), "{described}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sima.toml");
        let file = "[reminders]\nupdate_after = \"20m\"\n[reminders.update_after_by_severity]\nsev1 = \"15m\"\n\
                    [rooms]\narchive_after = \"off\"\n[effects]\nretry_for = \"12h\"\n";
        std::fs::write(&path, file).unwrap();
        let config = path.to_str().unwrap();
        let s = Settings::from_env(&env(&[("SIMA_CONFIG", config)])).unwrap();
        assert_eq!(s.reminders.update_after.to_string(), "20m");
        assert_eq!(s.reminders.update_after_by_severity[&Severity::Sev1].to_string(), "15m");
        assert_eq!(s.rooms.archive_after, crate::delays::Delay::OFF);
        assert_eq!(s.effects.retry_for.to_string(), "12h");

        let s = Settings::from_env(&env(&[
            ("SIMA_CONFIG", config),
            ("SIMA_REMINDER_AFTER", "3s"),
            ("SIMA_ARCHIVE_AFTER", "4s"),
            ("SIMA_POSTMORTEM_REMINDER_AFTER", "off"),
            ("SIMA_EFFECT_RETRY_FOR", "2h"),
        ]))
        .unwrap();
        assert_eq!(s.reminders.update_after.to_string(), "3s");
        assert_eq!(s.reminders.update_after_by_severity[&Severity::Sev1].to_string(), "15m", "kept from the file");
        assert_eq!(s.rooms.archive_after.to_string(), "4s");
        assert_eq!(s.reminders.postmortem_after.to_string(), "off");
        assert_eq!(s.effects.retry_for.to_string(), "2h");

        let err = Settings::from_env(&env(&[("SIMA_ARCHIVE_AFTER", "a week")])).unwrap_err();
        assert!(format!("{err:#}").contains("SIMA_ARCHIVE_AFTER") && format!("{err:#}").contains("`7d`"), "{err:#}");
        let err = Settings::from_env(&env(&[("SIMA_EFFECT_RETRY_FOR", "off")])).unwrap_err();
        assert!(err.to_string().contains("cannot be `off`"), "{err}");
        std::fs::write(&path, "[rooms]\narchive_after = \"7 days\"\n").unwrap();
        let err = Settings::from_env(&env(&[("SIMA_CONFIG", config)])).unwrap_err();
        assert!(format!("{err:#}").contains("no duration"), "{err:#}");
    }

    #[test]
    fn the_example_configuration_is_valid() {
        let example: Settings = toml::from_str(include_str!("../../sima.example.toml")).unwrap();
        example.validate().unwrap();
        assert_eq!(example.reminders.update_after_by_severity[&Severity::Sev1].to_string(), "15m");
        assert_eq!(example.effects.retry_for.to_string(), "1d");
    }

    #[test]
    fn mistakes_are_explained() {
        let err = Settings::from_env(&env(&[("SIMA_DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(err.to_string().contains("sqlite:// or postgres://"));
        let err = Settings::from_env(&env(&[("SIMA_NOTION_TOKEN", "t")])).unwrap_err();
        assert!(err.to_string().contains("SIMA_NOTION_DATA_SOURCE_ID"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sima.toml");
        std::fs::write(&path, "lisen = \"x\"").unwrap();
        let err = Settings::from_env(&env(&[("SIMA_CONFIG", path.to_str().unwrap())])).unwrap_err();
        assert!(format!("{err:#}").contains("unknown field `lisen`"), "{err:#}");
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Settings::from_env(&env(&[
            ("SIMA_WEBHOOK_TOKEN", "hunter2-hunter2-hunter2"),
            ("SIMA_API_TOKEN", "api-token-0123456789"),
            ("SIMA_DATABASE_URL", "postgres://sima:db-pa55word@db.internal:5432/sima?sslmode=require"),
        ]))
        .unwrap();
        let shown = format!("{s:?} {}", s.describe().join(" "));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("api-token-0123456789"), "{shown}");
        assert!(!shown.contains("db-pa55word"), "{shown}");
        assert!(shown.contains("postgres://sima:[redacted]@db.internal:5432/sima?sslmode=require"), "{shown}");
    }

    #[test]
    fn an_app_token_runs_socket_mode_without_a_signing_secret() {
        let app_token = "xapp-1-A0SIMA-1234-0123456789abcdef";
        let s = Settings::from_env(&env(&[("SIMA_SLACK_BOT_TOKEN", "xoxb-1"), ("SIMA_SLACK_APP_TOKEN", app_token)]))
            .unwrap();
        assert_eq!(s.slack.app_token.as_ref().unwrap().expose(), app_token);
        assert!(s.slack.signing_secret.is_none());
        let described = s.describe().join("\n");
        assert!(
            described.contains("chat: Slack (Web API; inbound over Socket Mode; HTTP routes refused"),
            "{described}"
        );
        assert!(!format!("{s:?} {described}").contains("0123456789abcdef"), "the app token is never printed");

        let s = Settings::from_env(&env(&[
            ("SIMA_SLACK_BOT_TOKEN", "xoxb-1"),
            ("SIMA_SLACK_APP_TOKEN", app_token),
            ("SIMA_SLACK_SIGNING_SECRET", "0123456789abcdef0123"),
        ]))
        .unwrap();
        assert!(s.describe()[1].contains("inbound over Socket Mode and signed HTTP requests"), "{:?}", s.describe());
        let s = Settings::from_env(&env(&[("SIMA_SLACK_SIGNING_SECRET", "0123456789abcdef0123")])).unwrap();
        assert!(s.describe()[1].contains("inbound over signed HTTP requests"), "{:?}", s.describe());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sima.toml");
        std::fs::write(&path, format!("[slack]\napp_token = \"{app_token}\"\n")).unwrap();
        let s = Settings::from_env(&env(&[("SIMA_CONFIG", path.to_str().unwrap())])).unwrap();
        assert_eq!(s.slack.app_token.unwrap().expose(), app_token);
    }

    #[test]
    fn a_token_that_is_not_an_app_token_is_explained() {
        for wrong in ["xoxb-1234-secretbotvalue", "xapp", " xapp-1-A0"] {
            let err = Settings::from_env(&env(&[("SIMA_SLACK_APP_TOKEN", wrong)])).unwrap_err().to_string();
            assert!(err.contains("SIMA_SLACK_APP_TOKEN") && err.contains("`xapp-`"), "{err}");
            assert!(!err.contains("secretbotvalue"), "the value is never echoed: {err}");
        }
        assert!(Settings::from_env(&env(&[("SIMA_SLACK_APP_TOKEN", "")])).unwrap().slack.app_token.is_none());
    }

    #[test]
    fn empty_or_short_secrets_are_refused_from_env_and_file() {
        for name in ["SIMA_SLACK_SIGNING_SECRET", "SIMA_WEBHOOK_TOKEN", "SIMA_API_TOKEN", "SIMA_API_READ_TOKEN"] {
            for value in ["", "short", " padded-token-0123456789 "] {
                let err = Settings::from_env(&env(&[(name, value)])).unwrap_err();
                assert!(err.to_string().contains(name), "{name}={value:?}: {err}");
                assert!(!err.to_string().contains("short"), "the value is never echoed: {err}");
            }
        }
        let dir = tempfile::tempdir().unwrap();
        for body in ["api_token = \"\"", "webhook_token = \"tiny\"", "[slack]\nsigning_secret = \"abc\""] {
            let path = dir.path().join("sima.toml");
            std::fs::write(&path, body).unwrap();
            let err = Settings::from_env(&env(&[("SIMA_CONFIG", path.to_str().unwrap())])).unwrap_err();
            assert!(err.to_string().contains("at least 16 characters"), "{body}: {err}");
        }
        assert!(Settings::from_env(&env(&[("SIMA_API_TOKEN", "0123456789abcdef")])).is_ok());
    }

    #[test]
    fn a_wrong_database_scheme_is_refused_without_its_password() {
        let err = Settings::from_env(&env(&[("SIMA_DATABASE_URL", "mysql://sima:hunter2-secret@db/sima")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SIMA_DATABASE_URL") && err.contains("db/sima"), "{err}");
        assert!(!err.contains("hunter2"), "the password is never logged: {err}");
    }

    #[test]
    fn provider_urls_that_receive_secrets_must_be_https_unless_loopback() {
        for name in
            ["SIMA_SLACK_API_URL", "SIMA_SLACK_AUTHORIZE_URL", "SIMA_PAGERDUTY_EVENTS_URL", "SIMA_NOTION_API_URL"]
        {
            for url in
                ["http://slack.example.com/api", "http://127.0.0.1.evil.example/api", "ftp://x", "http://u@localhost/"]
            {
                let err = Settings::from_env(&env(&[(name, url)])).unwrap_err().to_string();
                assert!(err.contains(name) && err.contains("https://"), "{name}={url}: {err}");
            }
            for url in [
                "https://slack.example.com/api",
                "http://127.0.0.1:9999/api",
                "http://localhost:80",
                "http://[::1]:1/x",
            ] {
                assert!(Settings::from_env(&env(&[(name, url)])).is_ok(), "{name}={url}");
            }
        }
    }

    #[test]
    fn the_loopback_default_needs_a_loopback_listener_and_no_declared_proxy() {
        let open = |pairs: &[(&str, &str)]| Settings::from_env(&env(pairs)).unwrap().open_to_loopback();
        assert!(open(&[]));
        assert!(open(&[("SIMA_LISTEN", "[::1]:3000")]));
        assert!(open(&[("SIMA_LISTEN", "localhost:3000")]));
        assert!(!open(&[("SIMA_LISTEN", "0.0.0.0:3000")]));
        assert!(!open(&[("SIMA_LISTEN", "sima.internal:3000")]));
        assert!(!open(&[("SIMA_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")]));
        let described = Settings::from_env(&env(&[("SIMA_LISTEN", "0.0.0.0:3000")])).unwrap().describe().join("\n");
        assert!(described.contains("refusing every client"), "{described}");
        let described = Settings::from_env(&env(&[])).unwrap().describe().join("\n");
        assert!(described.contains("open to clients on this machine only"), "{described}");
        let err = Settings::from_env(&env(&[("SIMA_TRUSTED_PROXIES", "10.0.0.0/8,nonsense")])).unwrap_err();
        assert!(err.to_string().contains("nonsense"), "{err}");
    }

    #[test]
    fn a_remote_database_without_certificate_checks_is_warned_about() {
        let warning = |url: &str| Settings { database_url: url.into(), ..Settings::default() }.database_tls_warning();
        let remote = warning("postgres://sima:pw@db.internal:5432/sima?sslmode=require").expect("a warning");
        assert!(remote.contains("sslmode=verify-full") && !remote.contains("pw@"), "{remote}");
        assert!(warning("postgres://sima:pw@db.internal/sima").is_some());
        assert!(warning("postgres://sima@db.internal/sima?sslmode=verify-full").is_none());
        assert!(warning("postgres://postgres@127.0.0.1:5432/sima").is_none(), "loopback");
        assert!(warning("postgresql://postgres@localhost/sima").is_none(), "loopback");
        assert!(warning("sqlite://sima.db").is_none());
    }

    const CONFLUENCE: [(&str, &str); 5] = [
        ("SIMA_CONFLUENCE_URL", "https://acme.atlassian.net/wiki"),
        ("SIMA_CONFLUENCE_EMAIL", "sima@acme.example"),
        ("SIMA_CONFLUENCE_API_TOKEN", "ATATT3x-confluence-secret"),
        ("SIMA_CONFLUENCE_SPACE_ID", "98306"),
        ("SIMA_CONFLUENCE_PARENT_ID", "557057"),
    ];

    #[test]
    fn confluence_is_read_from_env_inferred_and_its_token_never_printed() {
        let s = Settings::from_env(&env(&CONFLUENCE)).unwrap();
        assert_eq!(s.docs_provider().unwrap(), DocsProvider::Confluence);
        let c = &s.confluence;
        assert_eq!(c.url.as_deref(), Some("https://acme.atlassian.net/wiki"));
        assert_eq!(c.email.as_deref(), Some("sima@acme.example"));
        assert_eq!(c.api_token.as_ref().map(Secret::expose), Some("ATATT3x-confluence-secret"));
        assert_eq!((c.space_id.as_deref(), c.parent_id.as_deref()), (Some("98306"), Some("557057")));
        let shown = format!("{s:?}");
        assert!(shown.contains("98306") && !shown.contains("confluence-secret"), "{shown}");
        assert!(s.describe().join("\n").contains("Confluence (space 98306)"));

        let mut with_notion = CONFLUENCE.to_vec();
        with_notion.extend([("SIMA_NOTION_TOKEN", "ntn_x"), ("SIMA_NOTION_DATA_SOURCE_ID", "d")]);
        assert_eq!(Settings::from_env(&env(&with_notion)).unwrap().docs_provider().unwrap(), DocsProvider::Notion);
        let mut markdown = CONFLUENCE.to_vec();
        markdown.push(("SIMA_DOCS", "markdown"));
        assert_eq!(Settings::from_env(&env(&markdown)).unwrap().docs_provider().unwrap(), DocsProvider::Markdown);
    }

    #[test]
    fn confluence_without_its_settings_stops_the_start_naming_what_is_missing() {
        let err = Settings::from_env(&env(&[("SIMA_DOCS", "confluence")])).unwrap_err().to_string();
        for name in
            ["SIMA_CONFLUENCE_URL", "SIMA_CONFLUENCE_EMAIL", "SIMA_CONFLUENCE_API_TOKEN", "SIMA_CONFLUENCE_SPACE_ID"]
        {
            assert!(err.contains(name), "{name}: {err}");
        }
        assert!(!err.contains("PARENT_ID"), "the parent is optional: {err}");
        let partial = &CONFLUENCE[..3];
        let err = Settings::from_env(&env(partial)).unwrap_err().to_string();
        assert!(err.contains("SIMA_CONFLUENCE_SPACE_ID") && !err.contains("SIMA_CONFLUENCE_EMAIL"), "{err}");
        assert!(!err.contains("confluence-secret"), "{err}");
    }

    #[test]
    fn the_confluence_url_must_be_https_unless_loopback() {
        let with_url = |url: &'static str| {
            let mut pairs = CONFLUENCE.to_vec();
            pairs[0] = ("SIMA_CONFLUENCE_URL", url);
            Settings::from_env(&env(&pairs))
        };
        let err = with_url("http://acme.atlassian.net/wiki").unwrap_err().to_string();
        assert!(err.contains("SIMA_CONFLUENCE_URL"), "{err}");
        assert!(with_url("http://127.0.0.1:8090/wiki").is_ok());
        assert!(with_url("https://acme.atlassian.net/wiki").is_ok());
    }
}
