//! The environment as a layer over `sima.toml`. Every key can be set by one
//! uniform rule, `SIMA_<SECTION>__<KEY>` (`SIMA_LIMITS__BURST`,
//! `SIMA_REMINDERS__UPDATE_AFTER_BY_SEVERITY__SEV1`), or `SIMA_<KEY>` for a
//! top-level key (`SIMA_ROOM_PREFIX`); the named variables of
//! [`super::named`] (`SIMA_SLACK_BOT_TOKEN`) keep working and win.
//!
//! A value is taken as text (numbers and booleans are read from it where
//! the key wants one); a value starting with `[` or `{` is read as a TOML
//! array or inline table (`SIMA_LIMITS__TRUSTED_PROXIES='["10.0.0.0/8"]'`).

use std::collections::{BTreeMap, HashMap};

use figment::value::{Dict, Empty, Tag, Value};
use serde::Deserialize;

use super::keys;
use super::named::{self, Named, Rule};

/// The prefix of every variable SIMA reads.
pub const PREFIX: &str = "SIMA_";
/// What separates a section from its key in a variable's name.
pub const SEPARATOR: &str = "__";

/// The keys the environment sets, and which variable set each.
#[derive(Debug, Clone, Default)]
pub(super) struct Environment {
    /// The keys, as nested tables.
    pub(super) dict: Dict,
    /// `limits.burst` → `SIMA_LIMITS__BURST`.
    variables: BTreeMap<String, String>,
}

impl Environment {
    /// The keys `env` sets: uniform variables first, then the named ones over them.
    pub(super) fn read(env: &HashMap<String, String>) -> Self {
        let mut names: Vec<&String> = env.keys().filter(|name| name.starts_with(PREFIX)).collect();
        names.sort();
        let mut this = Self::default();
        for name in &names {
            if named::find(name).is_some() {
                continue;
            }
            if let Some(path) = uniform_path(name) {
                this.set(&path, structured(&env[*name]), name);
            }
        }
        for name in &names {
            if let Some(named) = named::find(name) {
                this.apply(named, &env[*name]);
            }
        }
        this
    }

    /// The variable that set `path`, the table above it, or a key under it.
    pub(super) fn variable_for(&self, path: &[String]) -> Option<&str> {
        let joined = path.join(".");
        let above = (1..=path.len()).rev().find_map(|len| self.variables.get(&path[..len].join(".")));
        let under = || self.variables.iter().find(|(key, _)| key.starts_with(&format!("{joined}."))).map(|(_, v)| v);
        above.or_else(under).map(String::as_str)
    }

    fn apply(&mut self, named: &Named, value: &str) {
        let path: Vec<String> = named.key.split('.').map(str::to_owned).collect();
        let unset = || Value::Empty(Tag::Default, Empty::None);
        let value = match named.rule {
            Rule::Text | Rule::Guard => text(value),
            Rule::Secret if value.is_empty() => unset(),
            Rule::Optional if value.trim().is_empty() => unset(),
            Rule::Secret | Rule::Optional => text(value),
            Rule::IgnoreEmpty if value.is_empty() => return,
            Rule::IgnoreEmpty => text(value),
            Rule::List => {
                let items = value.split(',').map(str::trim).filter(|item| !item.is_empty()).map(text).collect();
                Value::Array(Tag::Default, items)
            }
            Rule::Reminders => return self.apply_reminders(named.variable, value),
        };
        self.set(&path, value, named.variable);
    }

    /// `30m, sev1=15m, sev4=off` into `reminders.update_after` and
    /// `reminders.update_after_by_severity`.
    fn apply_reminders(&mut self, variable: &str, value: &str) {
        for (severity, delay) in crate::delays::reminder_entries(value) {
            let path: Vec<String> = match severity {
                Some(severity) => ["reminders", "update_after_by_severity", &severity].map(str::to_owned).to_vec(),
                None => ["reminders", "update_after"].map(str::to_owned).to_vec(),
            };
            self.set(&path, text(&delay), variable);
        }
        self.variables.insert("reminders".to_owned(), variable.to_owned());
    }

    fn set(&mut self, path: &[String], value: Value, variable: &str) {
        let Some((last, parents)) = path.split_last() else { return };
        let mut dict = &mut self.dict;
        for key in parents {
            let entry = dict.entry(key.clone()).or_insert_with(|| Value::Dict(Tag::Default, Dict::new()));
            if !matches!(entry, Value::Dict(..)) {
                *entry = Value::Dict(Tag::Default, Dict::new());
            }
            match entry {
                Value::Dict(_, inner) => dict = inner,
                _ => return,
            }
        }
        dict.insert(last.clone(), value);
        self.variables.insert(path.join("."), variable.to_owned());
    }
}

/// The key a uniform variable sets, lowercased: `SIMA_LIMITS__BURST` →
/// `["limits", "burst"]`. A name without `__` is a top-level key only when
/// `sima.toml` has that key (`SIMA_ROOM_PREFIX`); others (`SIMA_CONFIG`,
/// `SIMA_LOG_FORMAT`) are not settings of the file and are left alone.
pub fn uniform_path(variable: &str) -> Option<Vec<String>> {
    let rest = variable.strip_prefix(PREFIX)?;
    let path: Vec<String> = rest.split(SEPARATOR).map(str::to_ascii_lowercase).collect();
    if path.iter().any(String::is_empty) {
        return None;
    }
    if path.len() == 1 && !keys::top_level().contains(&path[0].as_str()) {
        return None;
    }
    Some(path)
}

/// The uniform variable of a key: `limits.burst` → `SIMA_LIMITS__BURST`.
pub fn uniform_variable(key: &str) -> String {
    format!("{PREFIX}{}", key.replace('.', SEPARATOR).to_ascii_uppercase())
}

fn text(value: &str) -> Value {
    Value::String(Tag::Default, value.to_owned())
}

/// A value as text, or as a TOML array or inline table when it starts like one.
fn structured(value: &str) -> Value {
    let trimmed = value.trim_start();
    if !(trimmed.starts_with('[') || trimmed.starts_with('{')) {
        return text(value);
    }
    toml::from_str::<toml::Table>(&format!("value = {value}"))
        .ok()
        .and_then(|mut table| table.remove("value"))
        .and_then(|parsed| <Value as Deserialize>::deserialize(parsed).ok())
        .unwrap_or_else(|| text(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_uniform_rule_names_sections_with_two_underscores() {
        assert_eq!(uniform_path("SIMA_LIMITS__REQUESTS_PER_SECOND").unwrap(), ["limits", "requests_per_second"]);
        assert_eq!(uniform_path("SIMA_ROOM_PREFIX").unwrap(), ["room_prefix"]);
        assert_eq!(uniform_path("SIMA_CONFIG"), None, "not a key of the file");
        assert_eq!(uniform_path("SIMA_LIMITS__"), None);
        assert_eq!(uniform_path("PATH"), None);
        assert_eq!(uniform_variable("limits.requests_per_second"), "SIMA_LIMITS__REQUESTS_PER_SECOND");
    }

    #[test]
    fn named_variables_win_and_are_remembered() {
        let read = Environment::read(&env(&[
            ("SIMA_SLACK__BOT_TOKEN", "uniform"),
            ("SIMA_SLACK_BOT_TOKEN", "named"),
            ("SIMA_TRUSTED_PROXIES", "10.0.0.0/8, ,127.0.0.1"),
        ]));
        let slack = read.dict["slack"].as_dict().unwrap();
        assert_eq!(slack["bot_token"].as_str(), Some("named"));
        let proxies = read.dict["limits"].as_dict().unwrap()["trusted_proxies"].as_array().unwrap();
        assert_eq!(proxies.iter().filter_map(Value::as_str).collect::<Vec<_>>(), ["10.0.0.0/8", "127.0.0.1"]);
        let path = ["slack".to_owned(), "bot_token".to_owned()];
        assert_eq!(read.variable_for(&path), Some("SIMA_SLACK_BOT_TOKEN"));
    }

    #[test]
    fn arrays_and_tables_are_read_as_toml() {
        let read = Environment::read(&env(&[("SIMA_SEVERITIES", "{ sev1 = \"Down\" }"), ("SIMA_ROOM_PREFIX", "[x")]));
        assert_eq!(read.dict["severities"].as_dict().unwrap()["sev1"].as_str(), Some("Down"));
        assert_eq!(read.dict["room_prefix"].as_str(), Some("[x"), "not TOML: kept as text");
    }
}
