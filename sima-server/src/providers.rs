//! Which adapter serves each port: `SIMA_CHAT` / `[chat] provider`,
//! `SIMA_DOCS` / `[docs] provider`, `SIMA_PAGING` / `[paging] provider` and
//! `SIMA_TRACKER` / `[tracker] provider`.
//! Unset, each is chosen from the credentials that are set, as a newcomer
//! expects; an unknown name stops the start, naming it and the accepted ones.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// `[chat]`, `[docs]` or `[paging]` in `sima.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// The adapter's name; unset: chosen from the credentials.
    pub provider: Option<String>,
}

/// A port's adapter, named.
pub trait Provider: Sized + Copy + fmt::Display + 'static {
    /// The variable that names it.
    const VARIABLE: &'static str;
    /// Every provider, by name.
    const ALL: &'static [(&'static str, Self)];
}

/// Parses a provider name, or says which names are accepted.
///
/// # Errors
/// The name is not one of [`Provider::ALL`].
pub fn parse<P: Provider>(name: &str) -> Result<P, String> {
    let wanted = name.trim().to_ascii_lowercase();
    P::ALL.iter().find(|(known, _)| *known == wanted).map(|(_, provider)| *provider).ok_or_else(|| {
        let accepted: Vec<&str> = P::ALL.iter().map(|(known, _)| *known).collect();
        format!("{} = `{}` is not a provider SIMA knows; accepted: {}", P::VARIABLE, name.trim(), accepted.join(", "))
    })
}

macro_rules! provider {
    ($(#[$doc:meta])* $name:ident, $variable:literal, { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl Provider for $name {
            const VARIABLE: &'static str = $variable;
            const ALL: &'static [(&'static str, Self)] = &[$(($text, Self::$variant)),+];
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let name = Self::ALL.iter().find(|(_, p)| p == self).map_or("?", |(n, _)| *n);
                f.write_str(name)
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(name: &str) -> Result<Self, String> {
                parse(name)
            }
        }
    };
}

provider!(
    /// Where incidents are run: rooms, cards, broadcasts.
    ChatProvider, "SIMA_CHAT (chat.provider)", {
        /// Slack (`sima-slack`).
        Slack = "slack",
        /// Messages written to the log only.
        Log = "log",
        /// Microsoft Teams (`sima-teams`).
        Teams = "teams",
    }
);

provider!(
    /// Where post-mortems are written.
    DocsProvider, "SIMA_DOCS (docs.provider)", {
        /// A Notion data source (`sima-notion`).
        Notion = "notion",
        /// Markdown files under `postmortem_dir`.
        Markdown = "markdown",
        /// Pages of a Confluence Cloud space (`sima-confluence`).
        Confluence = "confluence",
    }
);

provider!(
    /// Who pages the on-call.
    PagingProvider, "SIMA_PAGING (paging.provider)", {
        /// PagerDuty Events v2 (`sima-pagerduty`).
        PagerDuty = "pagerduty",
        /// Pages written to the log only.
        Log = "log",
    }
);

provider!(
    /// Where action items are followed up as tickets.
    TrackerProvider, "SIMA_TRACKER (tracker.provider)", {
        /// Issues of a Jira Cloud project (`sima-jira`).
        Jira = "jira",
        /// Issues of a Linear team (`sima-linear`).
        Linear = "linear",
        /// No tracker: action items live in SIMA only.
        None = "none",
    }
);

/// The provider `setting` names, or `inferred` when it names none.
///
/// # Errors
/// The name is unknown (see [`parse`]).
pub fn choose<P: Provider>(setting: &ProviderSettings, inferred: P) -> Result<P, String> {
    setting.provider.as_deref().filter(|name| !name.trim().is_empty()).map_or(Ok(inferred), parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_and_unknown_ones_name_the_accepted() {
        assert_eq!("Slack".parse::<ChatProvider>(), Ok(ChatProvider::Slack));
        assert_eq!(" pagerduty ".parse::<PagingProvider>(), Ok(PagingProvider::PagerDuty));
        let error = "carrier-pigeon".parse::<ChatProvider>().unwrap_err();
        assert_eq!(
            error,
            "SIMA_CHAT (chat.provider) = `carrier-pigeon` is not a provider SIMA knows; accepted: slack, log, teams"
        );
        assert_eq!(DocsProvider::Markdown.to_string(), "markdown");
        assert_eq!(" TEAMS".parse::<ChatProvider>(), Ok(ChatProvider::Teams));
        assert_eq!(ChatProvider::Teams.to_string(), "teams");
        assert_eq!("Confluence".parse::<DocsProvider>(), Ok(DocsProvider::Confluence));
        assert_eq!(DocsProvider::Confluence.to_string(), "confluence");
    }

    #[test]
    fn unset_means_inferred() {
        let unset = ProviderSettings::default();
        assert_eq!(choose(&unset, DocsProvider::Notion), Ok(DocsProvider::Notion));
        let blank = ProviderSettings { provider: Some(" ".into()) };
        assert_eq!(choose(&blank, PagingProvider::Log), Ok(PagingProvider::Log));
        let named = ProviderSettings { provider: Some("log".into()) };
        assert_eq!(choose(&named, ChatProvider::Slack), Ok(ChatProvider::Log));
    }
}
