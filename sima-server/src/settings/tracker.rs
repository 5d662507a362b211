//! The tracker sections: `[tracker]` (which tracker action items are
//! exported to, when, and how often they are read back), `[jira]` and
//! `[linear]` (their credentials), with the checks run before the start.

use serde::Deserialize;

use sima_core::Secret;

use crate::delays::Delay;

/// Which action items become tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportMode {
    /// Every action item, as it is added.
    #[default]
    All,
    /// Only those someone asks for (`POST …/actions/{n}/export`).
    OnCommand,
}

impl ExportMode {
    /// As written in `sima.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::OnCommand => "on_command",
        }
    }
}

/// `[tracker]`: where action items are followed up.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrackerSettings {
    /// `jira`, `linear` or `none` (`SIMA_TRACKER`); unset: from the credentials set, else `none`.
    pub provider: Option<String>,
    /// `all` (every action item) or `on_command` (those asked for); default `all`.
    pub export: ExportMode,
    /// How often every open ticket is read back, catching missed webhooks;
    /// `off` disables it. Default `15m`.
    pub reconcile_every: Delay,
}

impl Default for TrackerSettings {
    fn default() -> Self {
        Self { provider: None, export: ExportMode::All, reconcile_every: Delay::secs(15 * 60) }
    }
}

/// Jira Cloud settings (`SIMA_JIRA_*`): action items as issues of one project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JiraSettings {
    /// The site (`https://acme.atlassian.net`); REST v3 is under `{url}/rest/api/3`.
    pub url: Option<String>,
    /// The Atlassian account's e-mail, for Basic auth with `api_token`.
    pub email: Option<String>,
    /// That account's API token; Debug prints `[redacted]`.
    pub api_token: Option<Secret>,
    /// The key of the project issues are created in (`OPS`).
    pub project: Option<String>,
    /// The issue type's name; unset: `Task`.
    pub issue_type: Option<String>,
    /// The secret of Jira's admin webhook (`X-Hub-Signature`); unset: `POST /webhooks/jira` is refused.
    pub webhook_secret: Option<Secret>,
}

impl JiraSettings {
    /// Whether any credential is set (the tracker is inferred from it).
    pub fn any_set(&self) -> bool {
        self.url.is_some() || self.email.is_some() || self.api_token.is_some() || self.project.is_some()
    }

    /// The settings Jira needs that are missing, by variable.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("SIMA_JIRA_URL", self.url.is_none()),
            ("SIMA_JIRA_EMAIL", self.email.is_none()),
            ("SIMA_JIRA_API_TOKEN", self.api_token.is_none()),
            ("SIMA_JIRA_PROJECT", self.project.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect()
    }
}

/// Linear settings (`SIMA_LINEAR_*`): action items as issues of one team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearSettings {
    /// A personal API key (`lin_api_…`); Debug prints `[redacted]`.
    pub api_key: Option<Secret>,
    /// The id (UUID) of the team issues are created in.
    pub team_id: Option<String>,
    /// The GraphQL endpoint; unset: `https://api.linear.app/graphql`.
    pub api_url: Option<String>,
    /// The webhook's signing secret (`Linear-Signature`); unset: `POST /webhooks/linear` is refused.
    pub webhook_secret: Option<Secret>,
}

impl LinearSettings {
    /// Whether any credential is set (the tracker is inferred from it).
    pub fn any_set(&self) -> bool {
        self.api_key.is_some() || self.team_id.is_some()
    }

    /// The settings Linear needs that are missing, by variable.
    pub fn missing(&self) -> Vec<&'static str> {
        [("SIMA_LINEAR_API_KEY", self.api_key.is_none()), ("SIMA_LINEAR_TEAM_ID", self.team_id.is_none())]
            .into_iter()
            .filter_map(|(name, missing)| missing.then_some(name))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::Settings;
    use super::*;
    use crate::providers::TrackerProvider;

    fn env(vars: &[(&str, &str)]) -> HashMap<String, String> {
        vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn problems(vars: &[(&str, &str)]) -> Vec<String> {
        match Settings::from_env(&env(vars)) {
            Ok(_) => Vec::new(),
            Err(error) => error.downcast::<super::super::ConfigErrors>().expect("a configuration error").0,
        }
    }

    const JIRA: [(&str, &str); 5] = [
        ("SIMA_JIRA_URL", "https://acme.atlassian.net"),
        ("SIMA_JIRA_EMAIL", "sima@acme.example"),
        ("SIMA_JIRA_API_TOKEN", "ATATT-token"),
        ("SIMA_JIRA_PROJECT", "OPS"),
        ("SIMA_JIRA_WEBHOOK_SECRET", "jira-webhook-secret-0123"),
    ];

    #[test]
    fn unset_is_none_and_credentials_choose_the_tracker() {
        let settings = Settings::from_env(&env(&[])).unwrap();
        assert_eq!(settings.tracker_provider().unwrap(), TrackerProvider::None);
        assert_eq!(settings.tracker.export, ExportMode::All);
        assert_eq!(settings.tracker.reconcile_every.to_string(), "15m");
        let jira = Settings::from_env(&env(&JIRA)).unwrap();
        assert_eq!(jira.tracker_provider().unwrap(), TrackerProvider::Jira);
        assert!(jira.problems().is_empty(), "{:?}", jira.problems());
        let linear =
            Settings::from_env(&env(&[("SIMA_LINEAR_API_KEY", "lin_api_k"), ("SIMA_LINEAR_TEAM_ID", "t1")])).unwrap();
        assert_eq!(linear.tracker_provider().unwrap(), TrackerProvider::Linear);
        let named = Settings::from_env(&env(&[("SIMA_TRACKER", "none"), JIRA[0]])).unwrap();
        assert_eq!(named.tracker_provider().unwrap(), TrackerProvider::None);
    }

    #[test]
    fn each_missing_setting_is_named() {
        let found = problems(&[("SIMA_TRACKER", "jira"), ("SIMA_JIRA_URL", "https://acme.atlassian.net")]);
        assert!(
            found.iter().any(|p| p
                == "SIMA_TRACKER=jira needs SIMA_JIRA_EMAIL, SIMA_JIRA_API_TOKEN, SIMA_JIRA_PROJECT (jira.* in sima.toml)"),
            "{found:?}"
        );
        let found = problems(&[("SIMA_TRACKER", "linear")]);
        assert!(found.iter().any(|p| p.contains("SIMA_LINEAR_API_KEY, SIMA_LINEAR_TEAM_ID")), "{found:?}");
        let found = problems(&[("SIMA_TRACKER", "github")]);
        assert!(found.iter().any(|p| p.contains("accepted: jira, linear, none")), "{found:?}");
        let both = problems(&[JIRA[0], ("SIMA_LINEAR_TEAM_ID", "t1")]);
        assert!(both.iter().any(|p| p.contains("choose one with SIMA_TRACKER")), "{both:?}");
    }

    #[test]
    fn urls_secrets_and_modes_are_checked() {
        let mut vars = JIRA.to_vec();
        vars[0] = ("SIMA_JIRA_URL", "http://acme.atlassian.net");
        vars.push(("SIMA_LINEAR_WEBHOOK_SECRET", "short"));
        vars.push(("SIMA_LINEAR_API_URL", "http://linear.example/graphql"));
        let found = problems(&vars);
        assert!(found.iter().any(|p| p.starts_with("SIMA_JIRA_URL (jira.url) must be an https://")), "{found:?}");
        assert!(found.iter().any(|p| p.starts_with("SIMA_LINEAR_API_URL (linear.api_url)")), "{found:?}");
        assert!(found.iter().any(|p| p.starts_with("SIMA_LINEAR_WEBHOOK_SECRET")), "{found:?}");
        assert!(found.iter().all(|p| !p.contains("short")), "the secret is never shown: {found:?}");
        let loopback = problems(&[("SIMA_TRACKER", "jira"), ("SIMA_JIRA_URL", "http://127.0.0.1:9")]);
        assert!(loopback.iter().all(|p| !p.contains("https://")), "{loopback:?}");

        let modes = Settings::from_env(&env(&[
            ("SIMA_TRACKER__EXPORT", "on_command"),
            ("SIMA_TRACKER__RECONCILE_EVERY", "off"),
        ]))
        .unwrap();
        assert_eq!((modes.tracker.export, modes.tracker.reconcile_every), (ExportMode::OnCommand, Delay::OFF));
        let wrong = Settings::from_env(&env(&[("SIMA_TRACKER__EXPORT", "some")])).unwrap_err();
        assert!(format!("{wrong:#}").contains("on_command"), "{wrong:#}");
    }

    #[test]
    fn the_guide_shows_a_configuration_that_loads() {
        let guide = include_str!("../../../docs/trackers.md");
        let block = guide.split("```toml\n").nth(1).and_then(|rest| rest.split("```").next()).expect("a toml block");
        let settings = Settings::from_file_text("docs/trackers.md", block, &HashMap::new()).expect("it loads");
        assert_eq!(settings.tracker_provider().unwrap(), TrackerProvider::Jira);
        assert_eq!(settings.jira.project.as_deref(), Some("OPS"));
    }

    #[test]
    fn the_summary_names_the_tracker_and_never_its_secrets() {
        let jira = Settings::from_env(&env(&JIRA)).unwrap();
        let line = jira.describe_tracker();
        assert_eq!(
            line,
            "tracker: Jira (project OPS, export all, read back every 15m; webhooks at POST /webhooks/jira)"
        );
        let shown = format!("{jira:?}");
        assert!(!shown.contains("ATATT-token") && !shown.contains("jira-webhook-secret"), "{shown}");
    }
}
