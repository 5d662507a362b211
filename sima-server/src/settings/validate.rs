//! The checks a configuration passes before the server starts; every
//! problem is listed, not only the first.

use std::fmt;

use super::{redact_url, Settings, MIN_SECRET_LEN};

/// Everything wrong with a configuration, one line per problem, each naming
/// the key (and the variable, when it came from the environment), never a
/// secret's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<String>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for ConfigErrors {}

impl Settings {
    /// Refuses an inconsistent configuration, and any signing secret or token
    /// that is empty or shorter than [`MIN_SECRET_LEN`].
    ///
    /// # Errors
    /// [`ConfigErrors`]: every problem of [`Settings::problems`].
    pub fn validate(&self) -> anyhow::Result<()> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(problems).into())
        }
    }

    /// Every problem of this configuration, naming the key or variable
    /// (never a secret's value); empty when it can run.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = self.secret_problems();
        let limits = &self.limits;
        if limits.requests_per_second == 0 || limits.burst == 0 || limits.max_in_flight == 0 {
            problems.push(
                "limits.requests_per_second, limits.burst and limits.max_in_flight must be at least 1".to_owned(),
            );
        }
        if limits.request_timeout_secs == 0 {
            problems.push("limits.request_timeout_secs must be at least 1".to_owned());
        }
        if let Err(e) = crate::clients::TrustedProxies::parse(&limits.trusted_proxies, limits.trust_forwarded_for) {
            problems.push(e.to_string());
        }
        problems.extend(self.check_provider_urls().err().map(|e| e.to_string()));
        problems.extend(self.check_providers().err().map(|e| e.to_string()));
        problems.extend(self.tracker_problems());
        let notion = &self.notion;
        if notion.token.is_some() != notion.data_source_id.is_some() {
            problems.push(
                "Notion needs both SIMA_NOTION_TOKEN and SIMA_NOTION_DATA_SOURCE_ID (notion.token and \
                 notion.data_source_id), or neither, for Markdown post-mortems"
                    .to_owned(),
            );
        }
        if !(self.database_url.starts_with("sqlite:") || self.is_postgres()) {
            problems.push(format!(
                "SIMA_DATABASE_URL (database_url) must start with sqlite:// or postgres:// (got `{}`)",
                redact_url(&self.database_url)
            ));
        }
        if self.effects.retry_for.0.is_none() {
            problems.push(
                "SIMA_EFFECT_RETRY_FOR (effects.retry_for) cannot be `off`: failures are retried for some time, \
                 e.g. `24h`"
                    .to_owned(),
            );
        }
        problems.extend(self.intake.problems());
        if self.broadcast_channel.trim().is_empty() {
            problems.push(
                "the broadcast channel must not be empty (SIMA_SLACK_BROADCAST_CHANNEL, broadcast_channel)".to_owned(),
            );
        }
        problems.extend(self.reference_problems());
        problems.extend(self.severity_problems());
        problems.extend(self.incident_model_problems());
        problems.extend(self.status_problems());
        problems
    }

    /// Guard tokens that are empty, short or padded; other credentials set
    /// but empty; an app token that is not one.
    fn secret_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let guards = [
            ("SIMA_SLACK_SIGNING_SECRET (slack.signing_secret)", &self.slack.signing_secret),
            ("SIMA_WEBHOOK_TOKEN (webhook_token)", &self.webhook_token),
            ("SIMA_API_TOKEN (api_token)", &self.api_token),
            ("SIMA_API_READ_TOKEN (api_read_token)", &self.api_read_token),
            ("SIMA_METRICS_TOKEN (metrics_token)", &self.metrics_token),
        ];
        for (name, value) in guards {
            let Some(value) = value else { continue };
            let len = value.expose().chars().count();
            if len < MIN_SECRET_LEN || value.expose().trim() != value.expose() {
                problems.push(format!(
                    "{name} must be at least {MIN_SECRET_LEN} characters without surrounding spaces \
                     (got {len}); generate one with `openssl rand -hex 32`, or leave it unset"
                ));
            }
        }
        let credentials = [
            ("slack.bot_token", &self.slack.bot_token),
            ("pagerduty.routing_key", &self.pagerduty.routing_key),
            ("notion.token", &self.notion.token),
            ("confluence.api_token", &self.confluence.api_token),
            ("teams.app_password", &self.teams.app_password),
            ("ui.session_key", &self.ui.session_key),
            ("ui.slack_client_secret", &self.ui.slack_client_secret),
        ];
        let domains =
            self.domains.iter().enumerate().map(|(i, d)| (format!("domains[{i}].routing_key"), &d.routing_key));
        let services = self.services.iter().enumerate().map(|(i, s)| (format!("services[{i}].paging"), &s.paging));
        let domains = domains.chain(services);
        for (key, value) in credentials.into_iter().map(|(key, value)| (key.to_owned(), value)).chain(domains) {
            if value.as_ref().is_some_and(|v| v.expose().trim().is_empty()) {
                problems.push(format!("{key} is set but empty: give the credential, or leave the key unset"));
            }
        }
        if let Some(token) = &self.slack.app_token {
            if !token.expose().starts_with(sima_slack::socket::APP_TOKEN_PREFIX) {
                problems.push(
                    "SIMA_SLACK_APP_TOKEN (slack.app_token) must be an app-level token starting with `xapp-` \
                     (Slack app settings → Basic Information → App-Level Tokens, scope connections:write); \
                     bot tokens (xoxb-) go in SIMA_SLACK_BOT_TOKEN"
                        .to_owned(),
                );
            }
        }
        problems
    }
}
