//! `[status]`: the public status page (`/status`), its components, its
//! words, and the hosted Statuspage page public updates are pushed to.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use sima_core::domain::Domain;
use sima_statuspage::StatuspageConfig;

use crate::delays::Delay;

/// The built-in words a page starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

impl Language {
    /// The `lang` attribute of the page.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }
}

/// `[status]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusSettings {
    /// `on` (default) serves `/status`, its feed and its `summary.json`;
    /// `off` answers them 404 (`SIMA_STATUS_PAGE`).
    #[serde(deserialize_with = "on_off")]
    pub page: bool,
    /// The page's name, in the heading, the feed and `summary.json`.
    pub title: String,
    /// The public base the page is reached at, for links and feed ids;
    /// unset: `SIMA_PUBLIC_URL` (`public_url`).
    pub url: Option<String>,
    /// The built-in words: `en` (default) or `fr`.
    pub language: Language,
    /// How often the page is read from the store and rendered again, in
    /// seconds (1 to 300; default 5): readers are served from memory between.
    pub refresh_secs: u64,
    /// The update reminder tells the Communication Lead when a published
    /// incident's status page has gone this long without a public update;
    /// `off` never does (a sev1 or sev2 never published is still pointed
    /// out). Default `30m` (`SIMA_STATUS__REMINDER_AFTER`).
    pub reminder_after: Delay,
    /// The components customers see, in order (`[[status.components]]`).
    pub components: Vec<ComponentSettings>,
    /// Words replacing the built-in ones (`[status.strings]`, `key = "text"`).
    pub strings: BTreeMap<String, String>,
    /// The Atlassian Statuspage page public updates are also pushed to
    /// (`[status.statuspage]`, `SIMA_STATUSPAGE_API_KEY`, `SIMA_STATUSPAGE_PAGE_ID`).
    pub statuspage: Option<StatuspageConfig>,
}

impl Default for StatusSettings {
    fn default() -> Self {
        Self {
            page: true,
            title: "Status".to_owned(),
            url: None,
            language: Language::En,
            refresh_secs: 5,
            reminder_after: Delay::secs(30 * 60),
            components: Vec::new(),
            strings: BTreeMap::new(),
            statuspage: None,
        }
    }
}

/// A component of the status page (`[[status.components]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentSettings {
    /// What customers call it (`API`).
    pub name: String,
    /// The domains whose public incidents affect it (services may also name
    /// it with `component = "<name>"`).
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// One line under its name.
    #[serde(default)]
    pub description: String,
}

/// Longest accepted `status.refresh_secs`.
pub(super) const MAX_REFRESH_SECS: u64 = 300;

/// Longest component name, page title or replaced word.
pub(super) const MAX_TEXT: usize = 200;

/// `true`, `false`, `"on"`, `"off"` (any case).
fn on_off<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Switch {
        Bool(bool),
        Text(String),
    }
    match Switch::deserialize(deserializer)? {
        Switch::Bool(on) => Ok(on),
        Switch::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "on" | "true" => Ok(true),
            "off" | "false" => Ok(false),
            other => Err(serde::de::Error::custom(format!("expected `on` or `off`, got `{other}`"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::Settings;

    fn load(text: &str) -> Settings {
        Settings::from_file_text("sima.toml", text, &HashMap::new()).unwrap()
    }

    #[test]
    fn the_page_is_on_by_default_and_off_by_file_or_environment() {
        assert!(Settings::default().status.page);
        assert!(!load("[status]\npage = \"off\"\n").status.page);
        assert!(!load("[status]\npage = false\n").status.page);
        let env = HashMap::from([("SIMA_STATUS_PAGE".to_owned(), "off".to_owned())]);
        assert!(!Settings::from_file_text("sima.toml", "", &env).unwrap().status.page);
        let env = HashMap::from([("SIMA_STATUS_PAGE".to_owned(), "maybe".to_owned())]);
        let err = Settings::from_file_text("sima.toml", "", &env).unwrap_err().to_string();
        assert!(err.contains("`on` or `off`"), "{err}");
    }

    #[test]
    fn the_status_page_reminder_waits_30_minutes_unless_told_otherwise() {
        assert_eq!(Settings::default().status.reminder_after.to_string(), "30m");
        assert_eq!(load("[status]\nreminder_after = \"1h\"\n").status.reminder_after.to_string(), "1h");
        assert_eq!(load("[status]\nreminder_after = \"off\"\n").status.reminder_after.0, None);
        let env = HashMap::from([("SIMA_STATUS__REMINDER_AFTER".to_owned(), "45m".to_owned())]);
        let settings = Settings::from_file_text("sima.toml", "", &env).unwrap();
        assert_eq!(settings.status.reminder_after.to_string(), "45m");
        for wrong in ["0m", "soon", "-5m"] {
            let text = format!("[status]\nreminder_after = \"{wrong}\"\n");
            let error = Settings::from_file_text("sima.toml", &text, &HashMap::new()).unwrap_err().to_string();
            assert!(error.contains("reminder_after") || error.contains(wrong), "{wrong}: {error}");
        }
    }

    #[test]
    fn the_url_falls_back_to_the_public_url() {
        let settings = load("public_url = \"https://sima.acme.example/\"\n");
        assert_eq!(settings.status_url(), "https://sima.acme.example");
        let settings = load("[status]\nurl = \"https://status.acme.example\"\n");
        assert_eq!(settings.status_url(), "https://status.acme.example");
    }

    #[test]
    fn components_are_checked_against_the_catalog() {
        let text = "[[domains]]\nname = \"payments\"\n[[services]]\nname = \"checkout\"\ncomponent = \"Shop\"\n\
                    [status]\nrefresh_secs = 0\n[[status.components]]\nname = \"API\"\n\
                    domains = [\"payments\", \"ledger\"]\n[[status.components]]\nname = \"api\"\n\
                    [status.strings]\ncomponents = \"Services\"\nbogus = \"x\"\n";
        let error = Settings::from_file_text("sima.toml", text, &HashMap::new()).unwrap_err().to_string();
        let problems: Vec<&str> = error.lines().collect();
        assert!(problems.iter().any(|p| p.contains("domain \"ledger\"")), "{error}");
        assert!(problems.iter().any(|p| p.contains("\"api\" is used by another")), "{error}");
        assert!(problems.iter().any(|p| p.contains("`component = \"Shop\"`")), "{error}");
        assert!(problems.iter().any(|p| p.contains("unknown word `bogus`")), "{error}");
        assert!(problems.iter().any(|p| p.contains("refresh_secs must be 1 to 300")), "{error}");
        assert_eq!(problems.len(), 5, "{error}");
    }

    #[test]
    fn services_naming_a_component_are_covered_by_it() {
        let settings = load(
            "[[services]]\nname = \"checkout\"\ncomponent = \"Shop\"\n[[status.components]]\nname = \"Shop\"\n\
             domains = [\"checkout\"]\n[[status.components]]\nname = \"Other\"\n",
        );
        assert!(settings.status_problems().is_empty(), "{:?}", settings.status_problems());
        let shop = &settings.status.components[0];
        assert_eq!(settings.component_domains(shop).len(), 1);
        assert!(settings.component_domains(&settings.status.components[1]).is_empty());
    }

    #[test]
    fn the_hosted_page_reads_from_the_named_variables() {
        let env = HashMap::from([
            ("SIMA_STATUSPAGE_API_KEY".to_owned(), "89a229ce-key".to_owned()),
            ("SIMA_STATUSPAGE_PAGE_ID".to_owned(), "gytm4qzbx9t6".to_owned()),
            ("SIMA_STATUSPAGE_API_URL".to_owned(), "http://127.0.0.1:9/v1".to_owned()),
        ]);
        let settings = Settings::from_file_text("sima.toml", "", &env).unwrap();
        let hosted = settings.status.statuspage.unwrap();
        assert_eq!(hosted.page_id, "gytm4qzbx9t6");
        assert_eq!(hosted.api_url, "http://127.0.0.1:9/v1");
        assert_eq!(hosted.api_key.expose(), "89a229ce-key");
    }
}
