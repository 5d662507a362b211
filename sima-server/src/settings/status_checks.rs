//! Checks of `[status]` and what the status page reads from the settings:
//! its public base and the domains each component covers.

use sima_core::domain::Domain;

use super::status::{ComponentSettings, MAX_REFRESH_SECS, MAX_TEXT};
use super::{is_safe_provider_url, redact_url, Settings};
use crate::status::strings::Key;

impl Settings {
    /// The public base of the status page: `status.url`, else `public_url`,
    /// without a trailing slash.
    pub fn status_url(&self) -> String {
        let url = self.status.url.as_deref().filter(|u| !u.trim().is_empty()).unwrap_or(&self.public_url);
        url.trim().trim_end_matches('/').to_owned()
    }

    /// What is wrong with `[status]`: empty or duplicate component names,
    /// domains no `[[domains]]`/`[[services]]` entry declares, services
    /// naming no component, unknown words, a page title out of bounds.
    pub(super) fn status_problems(&self) -> Vec<String> {
        let status = &self.status;
        let mut problems = Vec::new();
        if status.title.trim().is_empty() || status.title.chars().count() > MAX_TEXT {
            problems.push(format!("status.title must be 1 to {MAX_TEXT} characters"));
        }
        if let Some(url) = &status.url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                problems.push(format!("status.url must start with http:// or https:// (got `{url}`)"));
            }
        }
        if !(1..=MAX_REFRESH_SECS).contains(&status.refresh_secs) {
            problems.push(format!("status.refresh_secs must be 1 to {MAX_REFRESH_SECS} (got {})", status.refresh_secs));
        }
        let services = self.services();
        for (index, component) in status.components.iter().enumerate() {
            let name = component.name.trim();
            if name.is_empty() || name.chars().count() > MAX_TEXT {
                problems.push(format!("status.components[{index}].name must be 1 to {MAX_TEXT} characters"));
            }
            if status.components[..index].iter().any(|c| c.name.trim().eq_ignore_ascii_case(name)) {
                problems.push(format!("status.components[{index}]: the name \"{name}\" is used by another component"));
            }
            if services.is_empty() {
                continue;
            }
            for domain in &component.domains {
                if !services.iter().any(|s| s.name == *domain) {
                    problems.push(format!(
                        "status.components[{index}] (\"{name}\"): domain \"{domain}\" is declared by no [[domains]] \
                         or [[services]] entry"
                    ));
                }
            }
        }
        if !status.components.is_empty() {
            for service in &services {
                let Some(component) = &service.component else { continue };
                if !status.components.iter().any(|c| c.name.trim() == component.trim()) {
                    problems.push(format!(
                        "service \"{}\": `component = \"{component}\"` names no [[status.components]] entry",
                        service.name
                    ));
                }
            }
        }
        for (key, text) in &status.strings {
            if Key::named(key).is_none() {
                let known: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
                problems.push(format!("status.strings: unknown word `{key}`, expected one of {}", known.join(", ")));
            } else if text.trim().is_empty() || text.chars().count() > MAX_TEXT {
                problems.push(format!("status.strings.{key} must be 1 to {MAX_TEXT} characters"));
            }
        }
        if let Some(hosted) = &status.statuspage {
            if hosted.api_key.expose().trim().is_empty() || hosted.page_id.trim().is_empty() {
                problems.push(
                    "status.statuspage needs both api_key and page_id (SIMA_STATUSPAGE_API_KEY, \
                     SIMA_STATUSPAGE_PAGE_ID)"
                        .to_owned(),
                );
            }
            if !is_safe_provider_url(&hosted.api_url) {
                problems.push(format!(
                    "status.statuspage.api_url (SIMA_STATUSPAGE_API_URL) must be an https:// URL (plain http:// \
                     only to 127.0.0.1, localhost or [::1]), since the API key is sent to it; got `{}`",
                    redact_url(&hosted.api_url)
                ));
            }
        }
        problems
    }

    /// The domains whose incidents affect the component `name`: its
    /// `domains`, and the services naming it with `component`.
    pub fn component_domains(&self, component: &ComponentSettings) -> Vec<Domain> {
        let mut domains = component.domains.clone();
        for service in self.services() {
            if service.component.as_deref().is_some_and(|c| c.trim() == component.name.trim())
                && !domains.contains(&service.name)
            {
                domains.push(service.name);
            }
        }
        domains
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::Settings;

    fn problems(url: &str) -> String {
        let env: HashMap<String, String> = [
            ("SIMA_STATUSPAGE_API_KEY", "key-123"),
            ("SIMA_STATUSPAGE_PAGE_ID", "page1"),
            ("SIMA_STATUSPAGE_API_URL", url),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        match Settings::from_file_text("sima.toml", "", &env) {
            Ok(_) => String::new(),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn the_statuspage_key_is_sent_only_over_https_or_to_loopback() {
        assert!(problems("http://statuspage.example/v1").contains("SIMA_STATUSPAGE_API_URL"));
        assert_eq!(problems("https://api.statuspage.io/v1"), "");
        assert_eq!(problems("http://127.0.0.1:9000/v1"), "");
    }
}
