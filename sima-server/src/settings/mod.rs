//! Configuration: `sima.toml` (path in `SIMA_CONFIG` or `--config`), then
//! the `SIMA_*` environment variables, which win. Every key can be set from
//! the environment by one rule, `SIMA_<SECTION>__<KEY>`
//! (`SIMA_LIMITS__REQUESTS_PER_SECOND`; `SIMA_ROOM_PREFIX` at the top
//! level), and the named variables (`SIMA_SLACK_BOT_TOKEN`) keep working.
//!
//! # Layout
//! - `sections`: domains, alerts and limits.
//! - `catalog`: a `[[services]]` entry and whom it invites.
//! - `services`: the service catalog (`[[services]]`, and `[[domains]]` read as services).
//! - `severities`: the labels and descriptions of the severity levels.
//! - `status`: `[status]`, the public status page and its components.
//! - `incident_model`: `[[fields]]` and `[[incident_types]]`, checked into the core's field schema.
//! - `integrations`: the Slack, PagerDuty, Notion, Confluence and Teams sections.
//! - [`keys`]: the keys the file accepts, read from the types.
//! - `load`: where the settings are read from: the process, a variables map, a file's text.
//! - `layers`: the file and the environment merged (figment), errors naming the key and its source.
//! - [`env`](mod@env): the uniform `SIMA_<SECTION>__<KEY>` rule.
//! - [`named`]: the named variables and how each takes an empty value.
//! - `validate`: the checks run before the server starts, every problem listed.
//! - `references`: the cross-references (page targets, guards, domains).
//! - `network`: who the server is open to, how it reaches its database.
//! - `providers`: which adapter serves each port, and the URLs secrets are sent to.
//! - `describe`: the start-up summary.
//! - `redact`: what may be printed of a URL.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use sima_core::domain::Severity;

use crate::delays::{EffectSettings, ReminderSettings, RoomSettings};
use crate::providers::ProviderSettings;
use crate::workflows::{Guard, Workflow};

mod catalog;
mod describe;
pub mod env;
mod incident_model;
mod integrations;
pub mod keys;
mod layers;
mod load;
pub mod named;
mod network;
mod providers;
mod redact;
mod references;
mod sections;
mod services;
mod severities;
mod status;
mod status_checks;
#[cfg(test)]
mod tests;
mod tracker;
mod tracker_checks;
mod validate;

pub use catalog::{Invitee, ServiceSettings};
pub use incident_model::{FieldSettings, IncidentTypeSettings};
pub use integrations::{ConfluenceSettings, NotionSettings, PagerDutySettings, SlackSettings, TeamsSettings};
pub use redact::{is_safe_provider_url, redact_url};
pub use sections::{AlertSettings, DomainSettings, LimitSettings};
pub use services::Paging;
pub use severities::SeveritySettings;
pub use sima_core::Secret;
pub use status::{ComponentSettings, Language, StatusSettings};
pub use tracker::{ExportMode, JiraSettings, LinearSettings, TrackerSettings};
pub use validate::ConfigErrors;

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
    /// Microsoft Teams.
    pub teams: TeamsSettings,
    /// Monitoring webhooks.
    pub alerts: AlertSettings,
    /// Declarable domains (read as services).
    pub domains: Vec<DomainSettings>,
    /// The service catalog (`[[services]]`).
    pub services: Vec<ServiceSettings>,
    /// Labels and descriptions of the severity levels, shown in forms, the
    /// card and the dashboard (`sev1 = "…"` or `sev1 = { label, description }`).
    pub severities: BTreeMap<Severity, SeveritySettings>,
    /// Custom fields (`[[fields]]`).
    pub fields: Vec<FieldSettings>,
    /// Incident types (`[[incident_types]]`), each asking for some fields.
    pub incident_types: Vec<IncidentTypeSettings>,
    /// Update and post-mortem reminders.
    pub reminders: ReminderSettings,
    /// Room archiving.
    pub rooms: RoomSettings,
    /// The effect worker's retry horizon.
    pub effects: EffectSettings,
    /// How long accepted work may wait before new incidents from machines are refused.
    pub intake: crate::backlog::IntakeSettings,
    /// The company's workflows (`[[workflows]]`), checked when read.
    #[serde(deserialize_with = "crate::workflows::deserialize_workflows")]
    pub workflows: Vec<Workflow>,
    /// Commands only a role holder may send (`[[guards]]`).
    #[serde(deserialize_with = "crate::workflows::deserialize_guards")]
    pub guards: Vec<Guard>,
    /// The dashboard.
    pub ui: crate::ui::UiSettings,
    /// `[chat] provider`: `slack`, `teams` or `log` (`SIMA_CHAT`); unset: from the credentials.
    pub chat: ProviderSettings,
    /// `[docs] provider`: `notion` or `markdown` (`SIMA_DOCS`); unset: from the credentials.
    pub docs: ProviderSettings,
    /// `[paging] provider`: `pagerduty` or `log` (`SIMA_PAGING`); unset: from the credentials.
    pub paging: ProviderSettings,
    /// `[tracker]`: `jira`, `linear` or `none` (`SIMA_TRACKER`), the export mode, the read-back period.
    pub tracker: TrackerSettings,
    /// Jira Cloud (`SIMA_JIRA_*`).
    pub jira: JiraSettings,
    /// Linear (`SIMA_LINEAR_*`).
    pub linear: LinearSettings,
    /// The public status page (`[status]`, `SIMA_STATUS_PAGE`).
    pub status: StatusSettings,
    /// Apply the database migrations at start-up (`SIMA_AUTO_MIGRATE`); off:
    /// `serve` refuses a schema that is not current, and `sima-server migrate`
    /// applies it as a deploy step.
    pub auto_migrate: bool,
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
            teams: TeamsSettings::default(),
            alerts: AlertSettings::default(),
            domains: Vec::new(),
            services: Vec::new(),
            severities: BTreeMap::new(),
            fields: Vec::new(),
            incident_types: Vec::new(),
            reminders: ReminderSettings::default(),
            rooms: RoomSettings::default(),
            effects: EffectSettings::default(),
            intake: crate::backlog::IntakeSettings::default(),
            workflows: Vec::new(),
            guards: Vec::new(),
            ui: crate::ui::UiSettings::default(),
            chat: ProviderSettings::default(),
            docs: ProviderSettings::default(),
            paging: ProviderSettings::default(),
            tracker: TrackerSettings::default(),
            jira: JiraSettings::default(),
            linear: LinearSettings::default(),
            status: StatusSettings::default(),
            auto_migrate: true,
        }
    }
}

impl std::fmt::Debug for Settings {
    /// Every setting, secrets `[redacted]` and the database password hidden.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let workflows: Vec<String> = self.workflows.iter().map(ToString::to_string).collect();
        let guards: Vec<String> = self.guards.iter().map(ToString::to_string).collect();
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("auto_migrate", &self.auto_migrate)
            .field("public_url", &self.public_url)
            .field("webhook_token", &self.webhook_token)
            .field("api_token", &self.api_token)
            .field("api_read_token", &self.api_read_token)
            .field("metrics_token", &self.metrics_token)
            .field("limits", &self.limits)
            .field("broadcast_channel", &self.broadcast_channel)
            .field("room_prefix", &self.room_prefix)
            .field("postmortem_dir", &self.postmortem_dir)
            .field("page_min_severity", &self.page_min_severity)
            .field("slack", &self.slack)
            .field("pagerduty", &self.pagerduty)
            .field("notion", &self.notion)
            .field("confluence", &self.confluence)
            .field("teams", &self.teams)
            .field("alerts", &self.alerts)
            .field("domains", &self.domains)
            .field("services", &self.services)
            .field("severities", &self.severities)
            .field("fields", &self.fields)
            .field("incident_types", &self.incident_types)
            .field("reminders", &self.reminders)
            .field("rooms", &self.rooms)
            .field("effects", &self.effects)
            .field("intake", &self.intake)
            .field("workflows", &workflows)
            .field("guards", &guards)
            .field("ui", &self.ui)
            .field("chat", &self.chat)
            .field("docs", &self.docs)
            .field("paging", &self.paging)
            .field("tracker", &self.tracker)
            .field("jira", &self.jira)
            .field("linear", &self.linear)
            .field("status", &self.status)
            .finish()
    }
}
