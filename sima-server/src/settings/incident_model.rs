//! `[[fields]]` and `[[incident_types]]`: the custom fields a company adds
//! to its incidents, and the incident types asking for them. Read as text
//! and checked here, so that a wrong kind, a bad severity, an undefined
//! field or a duplicate name stops the start naming it.

use serde::Deserialize;
use sima_core::domain::{FieldDef, FieldKind, FieldSchema, IncidentType, Severity};

use super::Settings;

/// Most fields and most types a configuration may define.
const MAX_ENTRIES: usize = 100;
/// Most options one select may offer (Slack's static select limit).
const MAX_OPTIONS: usize = 100;

/// One `[[fields]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSettings {
    /// Its name in API bodies and `/incident set` (`category`).
    pub name: String,
    /// What forms and cards call it; unset: the name.
    #[serde(default)]
    pub label: Option<String>,
    /// `text`, `number`, `select`, `multi_select`, `link` or `user`.
    pub kind: String,
    /// The choices of a select or multi-select.
    #[serde(default)]
    pub options: Vec<String>,
    /// Whether a type asking for it needs it at declaration.
    #[serde(default)]
    pub required: bool,
}

/// One `[[incident_types]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentTypeSettings {
    /// Its name in API bodies (`security`).
    pub name: String,
    /// What it is for (the declare form's help text).
    #[serde(default)]
    pub description: String,
    /// Whether its incidents are private.
    #[serde(default)]
    pub private: bool,
    /// Its severity when a declaration gives none (`sev2`).
    #[serde(default)]
    pub default_severity: Option<String>,
    /// The `[[fields]]` it asks for, by name, in form order.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Headings its post-mortem adds (`["Disclosure", "Data affected"]`).
    #[serde(default)]
    pub postmortem_sections: Vec<String>,
}

impl Settings {
    /// The company's fields and types, checked.
    ///
    /// # Errors
    /// Every problem, each naming the entry and what to fix.
    pub fn field_schema(&self) -> Result<FieldSchema, Vec<String>> {
        let mut problems = Vec::new();
        if self.fields.len() > MAX_ENTRIES || self.incident_types.len() > MAX_ENTRIES {
            problems.push(format!("at most {MAX_ENTRIES} [[fields]] and {MAX_ENTRIES} [[incident_types]] are allowed"));
        }
        let mut fields = Vec::new();
        for (i, field) in self.fields.iter().enumerate() {
            let Some(kind) = FieldKind::parse(&field.kind) else {
                let kinds: Vec<&str> = FieldKind::ALL.iter().map(|k| k.as_str()).collect();
                problems.push(format!(
                    "fields[{i}] (\"{}\"): kind \"{}\" is unknown: use {}",
                    field.name,
                    field.kind,
                    kinds.join(", ")
                ));
                continue;
            };
            if field.options.len() > MAX_OPTIONS {
                problems.push(format!("fields[{i}] (\"{}\"): at most {MAX_OPTIONS} options", field.name));
            }
            if !kind.has_options() && !field.options.is_empty() {
                problems.push(format!(
                    "fields[{i}] (\"{}\"): options are for select and multi_select fields, not {}",
                    field.name,
                    kind.as_str()
                ));
            }
            fields.push(FieldDef {
                name: field.name.trim().to_owned(),
                label: field.label.clone().unwrap_or_else(|| field.name.clone()).trim().to_owned(),
                kind,
                options: field.options.iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect(),
                required: field.required,
            });
        }
        let mut types = Vec::new();
        for (i, incident_type) in self.incident_types.iter().enumerate() {
            let default_severity = match incident_type.default_severity.as_deref().map(str::parse::<Severity>) {
                None => None,
                Some(Ok(severity)) => Some(severity),
                Some(Err(error)) => {
                    problems
                        .push(format!("incident_types[{i}] (\"{}\"): default_severity: {error}", incident_type.name));
                    None
                }
            };
            types.push(IncidentType {
                name: incident_type.name.trim().to_owned(),
                description: incident_type.description.trim().to_owned(),
                private: incident_type.private,
                default_severity,
                fields: incident_type.fields.iter().map(|f| f.trim().to_owned()).collect(),
                postmortem_sections: incident_type.postmortem_sections.clone(),
            });
        }
        match FieldSchema::new(fields, types) {
            Ok(schema) if problems.is_empty() => Ok(schema),
            Ok(_) => Err(problems),
            Err(errors) => {
                problems.extend(errors.iter().map(|e| format!("[[fields]] / [[incident_types]]: {e}")));
                Err(problems)
            }
        }
    }

    /// What is wrong with `[[fields]]` and `[[incident_types]]`.
    pub(super) fn incident_model_problems(&self) -> Vec<String> {
        self.field_schema().err().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(toml: &str) -> Settings {
        #[derive(Deserialize)]
        struct Model {
            #[serde(default)]
            fields: Vec<FieldSettings>,
            #[serde(default)]
            incident_types: Vec<IncidentTypeSettings>,
        }
        let model: Model = toml::from_str(toml).unwrap();
        Settings { fields: model.fields, incident_types: model.incident_types, ..Settings::default() }
    }

    #[test]
    fn a_valid_model_makes_the_schema() {
        let schema = settings(
            r#"
            [[fields]]
            name = "category"
            label = "Attack category"
            kind = "select"
            options = ["phishing", "leak"]
            required = true
            [[incident_types]]
            name = "security"
            private = true
            default_severity = "sev2"
            fields = ["category"]
            "#,
        )
        .field_schema()
        .unwrap();
        let security = schema.incident_type("security").unwrap();
        assert_eq!((security.private, security.default_severity), (true, Some(Severity::Sev2)));
        assert_eq!(schema.field("category").unwrap().label, "Attack category");
    }

    #[test]
    fn every_mistake_is_named() {
        let problems = settings(
            r#"
            [[fields]]
            name = "category"
            kind = "select"
            [[fields]]
            name = "records"
            kind = "integer"
            [[fields]]
            name = "category"
            kind = "text"
            [[incident_types]]
            name = "security"
            default_severity = "p0"
            fields = ["category", "blast_radius"]
            "#,
        )
        .incident_model_problems()
        .join("\n");
        for expected in [
            "fields[1] (\"records\"): kind \"integer\" is unknown",
            "incident_types[0] (\"security\"): default_severity: severity `p0` is unknown",
            "field `category` is a select but has no options",
            "field `category` is defined twice",
            "incident type `security` names field `blast_radius`, which no [[fields]] entry defines",
        ] {
            assert!(problems.contains(expected), "{expected} in {problems}");
        }
    }
}
