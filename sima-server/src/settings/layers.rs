//! The layers merged into [`Settings`] with figment: the defaults, then
//! `sima.toml`, then the environment. Each value keeps its layer, so that a
//! mistake names the key and where it was written: the file, or the variable.

use std::collections::HashMap;

use figment::error::Kind;
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider, Source};
use serde::Deserialize;

use super::env::Environment;
use super::{keys, Settings};

/// The name of the environment's layer.
const ENVIRONMENT: &str = "the environment";

/// The keys of one source.
struct Layer {
    metadata: Metadata,
    dict: Dict,
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.dict.clone()))
    }
}

/// What was read: the file's keys (with its path) and the environment's.
pub(super) struct Sources {
    file: Option<(String, Dict)>,
    env: Environment,
}

impl Sources {
    /// The file `path` whose text is `text` (if any), and `env`.
    ///
    /// # Errors
    /// The file is not TOML, said with the line and column.
    pub(super) fn read(file: Option<(&str, &str)>, env: &HashMap<String, String>) -> Result<Self, Vec<String>> {
        let file = match file {
            Some((path, text)) => {
                let table: toml::Table =
                    toml::from_str(text).map_err(|e| vec![format!("{path} is not valid TOML: {e}")])?;
                let dict = Dict::deserialize(toml::Value::Table(table))
                    .map_err(|e| vec![format!("{path} cannot be read: {e}")])?;
                Some((path.to_owned(), dict))
            }
            None => None,
        };
        Ok(Self { file, env: Environment::read(env) })
    }

    /// The settings these sources give, not yet checked as a whole.
    ///
    /// # Errors
    /// Every unknown key, or the first value of the wrong type, each naming
    /// the key and its file or variable.
    pub(super) fn settings(&self) -> Result<Settings, Vec<String>> {
        let unknown = self.unknown_keys();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let mut figment = Figment::new();
        if let Some((path, dict)) = &self.file {
            let metadata = Metadata::from(path.clone(), Source::Custom(path.clone()));
            figment = figment.merge(Layer { metadata, dict: dict.clone() });
        }
        figment = figment.merge(Layer { metadata: Metadata::named(ENVIRONMENT), dict: self.env.dict.clone() });
        figment.extract_lossy::<Settings>().map_err(|errors| errors.into_iter().map(|e| self.explain(&e)).collect())
    }

    /// Every key no setting has, in the file and in the environment.
    fn unknown_keys(&self) -> Vec<String> {
        let mut found = Vec::new();
        if let Some((path, dict)) = &self.file {
            for (key, section) in unknown_in(dict) {
                found.push(format!("{path}: {}", unknown_field(&key, section)));
            }
        }
        for (key, section) in unknown_in(&self.env.dict) {
            let path: Vec<String> = section.iter().map(|s| (*s).to_owned()).chain([key.clone()]).collect();
            let variable = self.env.variable_for(&path).unwrap_or("?");
            found.push(format!("{variable}: {}", unknown_field(&key, section)));
        }
        found
    }

    /// One error, with the key and where it was written; an unknown field
    /// is named by its whole key (`severities.sev1.name`).
    fn explain(&self, error: &figment::Error) -> String {
        let mut path = error.path.clone();
        let what = match &error.kind {
            Kind::UnknownField(field, expected) => {
                path.push(field.clone());
                match closest(field, expected) {
                    Some(near) => format!("unknown field `{field}`; did you mean `{near}`?"),
                    None => format!("unknown field `{field}`, expected {}", one_of(expected)),
                }
            }
            Kind::UnknownVariant(value, expected) => format!("unknown value `{value}`, expected {}", one_of(expected)),
            kind => kind.to_string(),
        };
        let key = path.join(".");
        let whence = match &error.metadata {
            Some(metadata) if metadata.name == ENVIRONMENT => match self.env.variable_for(&path) {
                Some(variable) => format!("{variable} ({key})"),
                None => key,
            },
            Some(metadata) if key.is_empty() => metadata.name.to_string(),
            Some(metadata) => format!("{key} in {}", metadata.name),
            None => key,
        };
        if whence.is_empty() {
            what
        } else {
            format!("{whence}: {what}")
        }
    }
}

/// The unknown keys of `dict`, with the section they are in (empty at the top).
fn unknown_in(dict: &Dict) -> Vec<(String, Vec<&'static str>)> {
    let mut found = Vec::new();
    for key in dict.keys().filter(|key| !keys::top_level().contains(&key.as_str())) {
        found.push((key.clone(), Vec::new()));
    }
    for (section, fields) in keys::sections() {
        let tables = match dict.get(section) {
            Some(Value::Dict(_, table)) => vec![table],
            Some(Value::Array(_, items)) => items.iter().filter_map(Value::as_dict).collect(),
            _ => continue,
        };
        for table in tables {
            for key in table.keys().filter(|key| !fields.contains(&key.as_str())) {
                if !found.iter().any(|(known, place)| known == key && place.as_slice() == [section]) {
                    found.push((key.clone(), vec![section]));
                }
            }
        }
    }
    found
}

/// "unknown field `lisen`; did you mean `listen`?".
fn unknown_field(key: &str, section: Vec<&'static str>) -> String {
    let (place, fields) = match section.first() {
        Some(section) => {
            let fields = keys::sections().into_iter().find(|(name, _)| name == section).map_or(&[][..], |(_, f)| f);
            (format!(" in [{section}]"), fields)
        }
        None => (" at the top level".to_owned(), keys::top_level()),
    };
    match closest(key, fields) {
        Some(near) => format!("unknown field `{key}`{place}; did you mean `{near}`?"),
        None => format!("unknown field `{key}`{place}, expected {}", one_of(fields)),
    }
}

fn one_of(fields: &[&str]) -> String {
    let quoted: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
    format!("one of {}", quoted.join(", "))
}

/// The known key nearest to `key`, when a slip of two characters or less.
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known.iter().map(|k| (distance(key, k), *k)).filter(|(d, _)| *d <= 2).min_by_key(|(d, _)| *d).map(|(_, k)| k)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_is_named_with_the_key_meant() {
        assert_eq!(distance("lisen", "listen"), 1);
        assert_eq!(closest("lisen", keys::top_level()), Some("listen"));
        assert_eq!(closest("zzzzzz", keys::top_level()), None);
        let said = unknown_field("bursty", vec!["limits"]);
        assert_eq!(said, "unknown field `bursty` in [limits]; did you mean `burst`?");
        let said = unknown_field("colour", vec!["limits"]);
        assert!(
            said.starts_with("unknown field `colour` in [limits], expected one of `requests_per_second`"),
            "{said}"
        );
    }
}
