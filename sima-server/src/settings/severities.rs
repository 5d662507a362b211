//! `[severities]`: the labels and descriptions a company gives the ordered
//! levels `sev1`…`sev4` (`sev1 = { label = "P1", description = "…" }`), or
//! a description alone (`sev1 = "…"`, the older form). The API keeps the
//! stable `sev1` values; labels are what people read.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use sima_core::domain::Severity;
use sima_core::SeverityDescriptions;

use super::Settings;

/// Longest severity label.
const MAX_LABEL: usize = 24;

/// How one severity level is named.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeveritySettings {
    /// Its short name (`P1`); unset: `sev1`.
    pub label: Option<String>,
    /// What it means, in forms; unset: SIMA's own description.
    pub description: Option<String>,
}

/// The keys of the table form.
const KEYS: &[&str] = &["label", "description"];

impl<'de> Deserialize<'de> for SeveritySettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = SeveritySettings;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a description (\"…\") or a table { label = \"P1\", description = \"…\" }")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(SeveritySettings { label: None, description: Some(text.to_owned()) })
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut named = SeveritySettings::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "label" => named.label = Some(map.next_value()?),
                        "description" => named.description = Some(map.next_value()?),
                        other => return Err(de::Error::unknown_field(other, KEYS)),
                    }
                }
                Ok(named)
            }
        }
        deserializer.deserialize_any(Either)
    }
}

impl Settings {
    /// The labels and descriptions forms, cards and the dashboard show.
    pub fn severity_names(&self) -> SeverityDescriptions {
        self.severities.iter().fold(SeverityDescriptions::new(), |names, (severity, named)| {
            let names = match &named.description {
                Some(description) => names.with_description(*severity, description.clone()),
                None => names,
            };
            match &named.label {
                Some(label) => names.with_label(*severity, label.trim().to_owned()),
                None => names,
            }
        })
    }

    /// A label that is empty, too long, on two lines, or used twice.
    pub(super) fn severity_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen: BTreeMap<String, Severity> = BTreeMap::new();
        for (severity, named) in &self.severities {
            let Some(label) = &named.label else { continue };
            let label = label.trim();
            if label.is_empty() || label.chars().count() > MAX_LABEL || label.chars().any(char::is_control) {
                problems.push(format!(
                    "severities.{severity}.label must be 1 to {MAX_LABEL} characters on one line (got {label:?})"
                ));
            } else if let Some(other) = seen.insert(label.to_lowercase(), *severity) {
                problems.push(format!(
                    "severities.{severity}.label \"{label}\" is also the label of {other}: give each level its own"
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn refused(text: &str, env: &[(&str, &str)]) -> String {
        let env: HashMap<String, String> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        match Settings::from_file_text("sima.toml", text, &env) {
            Ok(settings) => panic!("accepted: {:?}", settings.severities),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn an_unknown_key_of_a_level_is_refused_naming_the_whole_key_and_where() {
        let said = refused("[severities]\nsev1 = { name = \"P1\" }\n", &[]);
        assert!(
            said.contains(
                "severities.sev1.name in sima.toml: unknown field `name`, expected one of `label`, `description`"
            ),
            "{said}"
        );
        let said = refused("[severities.sev2]\nlabel = \"P2\"\nlable = \"x\"\n", &[]);
        assert!(
            said.contains("severities.sev2.lable in sima.toml: unknown field `lable`; did you mean `label`?"),
            "{said}"
        );
        let said = refused("", &[("SIMA_SEVERITIES__SEV3__NAME", "P3")]);
        assert!(said.contains("SIMA_SEVERITIES__SEV3__NAME (severities.sev3.name): unknown field `name`"), "{said}");
        let table = Settings::from_file_text("sima.toml", "[severities]\nsev1 = { label = \"P1\" }\n", &HashMap::new());
        assert_eq!(table.expect("known keys are read").severity_names().label(Severity::Sev1), "P1");
    }
}
