//! The company's incident types and custom fields ([`FieldSchema`]), and
//! the checks every door puts field values through.

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

use super::{FieldInput, FieldValue, FieldValues, Severity, UserRef, ValidationError};

/// Longest text value, in characters.
pub const MAX_TEXT_FIELD: usize = 1000;
/// Longest link, in characters.
pub const MAX_LINK: usize = 2000;
/// Largest magnitude of a number field.
pub const MAX_NUMBER: f64 = 1e15;

/// What kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// One line of text (at most [`MAX_TEXT_FIELD`] characters).
    Text,
    /// A number, integer or decimal (magnitude at most [`MAX_NUMBER`]).
    Number,
    /// One of the field's options.
    Select,
    /// Some of the field's options.
    MultiSelect,
    /// An `http(s)` URL.
    Link,
    /// A chat user (id or mention).
    User,
}

impl FieldKind {
    /// Every kind, as `sima.toml` writes them.
    pub const ALL: [Self; 6] = [Self::Text, Self::Number, Self::Select, Self::MultiSelect, Self::Link, Self::User];

    /// The name `sima.toml` uses (`multi_select`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Select => "select",
            Self::MultiSelect => "multi_select",
            Self::Link => "link",
            Self::User => "user",
        }
    }

    /// The kind `name` names, if any.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name.trim())
    }

    /// Whether values come from the field's options.
    pub fn has_options(self) -> bool {
        matches!(self, Self::Select | Self::MultiSelect)
    }
}

/// One custom field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    /// Its name in API bodies and `/incident set` (`category`).
    pub name: String,
    /// What forms and cards call it (`Attack category`).
    pub label: String,
    /// What it holds.
    pub kind: FieldKind,
    /// The choices of a select or multi-select.
    pub options: Vec<String>,
    /// Whether a declaration of a type asking for it must give it.
    pub required: bool,
}

/// A kind of incident: its own fields, defaults and post-mortem sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentType {
    /// Its name in API bodies (`security`).
    pub name: String,
    /// What it is for (the declare form's help text).
    pub description: String,
    /// Whether its incidents are private.
    pub private: bool,
    /// Its severity when the declaration gives none.
    pub default_severity: Option<Severity>,
    /// The names of the fields it asks for, in form order.
    pub fields: Vec<String>,
    /// Headings the post-mortem adds for it.
    pub postmortem_sections: Vec<String>,
}

/// A mistake in the schema: each names what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SchemaError {
    /// Two fields share a name.
    #[error("field `{0}` is defined twice")]
    DuplicateField(String),
    /// Two types share a name.
    #[error("incident type `{0}` is defined twice")]
    DuplicateType(String),
    /// A type asks for a field nobody defined.
    #[error("incident type `{incident_type}` names field `{field}`, which no [[fields]] entry defines")]
    UndefinedField {
        /// The type.
        incident_type: String,
        /// The missing field.
        field: String,
    },
    /// A select without choices.
    #[error("field `{0}` is a select but has no options")]
    NoOptions(String),
    /// A name that is not a lowercase slug.
    #[error(
        "name `{0}` is invalid: use lowercase letters, digits and `_` or `-`, starting with a letter (at most 40)"
    )]
    Name(String),
}

/// The company's fields and incident types. Empty by default: then every
/// `type` and field given at a door is refused as unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSchema {
    fields: Vec<FieldDef>,
    types: Vec<IncidentType>,
}

/// Whether `name` is a lowercase slug a field or type may have.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

impl FieldSchema {
    /// The schema of these fields and types.
    ///
    /// # Errors
    /// Every [`SchemaError`]: duplicate or invalid names, a select without
    /// options, a type naming an undefined field.
    pub fn new(fields: Vec<FieldDef>, types: Vec<IncidentType>) -> Result<Self, Vec<SchemaError>> {
        let mut errors = Vec::new();
        let mut seen = BTreeSet::new();
        for field in &fields {
            if !valid_name(&field.name) {
                errors.push(SchemaError::Name(field.name.clone()));
            }
            if !seen.insert(field.name.as_str()) {
                errors.push(SchemaError::DuplicateField(field.name.clone()));
            }
            if field.kind.has_options() && field.options.is_empty() {
                errors.push(SchemaError::NoOptions(field.name.clone()));
            }
        }
        let mut type_names = BTreeSet::new();
        for incident_type in &types {
            if !valid_name(&incident_type.name) {
                errors.push(SchemaError::Name(incident_type.name.clone()));
            }
            if !type_names.insert(incident_type.name.as_str()) {
                errors.push(SchemaError::DuplicateType(incident_type.name.clone()));
            }
            for field in incident_type.fields.iter().filter(|f| !seen.contains(f.as_str())) {
                errors.push(SchemaError::UndefinedField {
                    incident_type: incident_type.name.clone(),
                    field: field.clone(),
                });
            }
        }
        if errors.is_empty() {
            Ok(Self { fields, types })
        } else {
            Err(errors)
        }
    }

    /// Every field, in definition order.
    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    /// Every incident type, in definition order.
    pub fn types(&self) -> &[IncidentType] {
        &self.types
    }

    /// Field `name`, if defined.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Incident type `name`, if defined.
    pub fn incident_type(&self, name: &str) -> Option<&IncidentType> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The fields an incident of `incident_type` asks for, in form order:
    /// the type's, or every field for an incident without a type.
    pub fn fields_of(&self, incident_type: Option<&str>) -> Vec<&FieldDef> {
        match incident_type.and_then(|t| self.incident_type(t)) {
            Some(t) => t.fields.iter().filter_map(|name| self.field(name)).collect(),
            None => self.fields.iter().collect(),
        }
    }

    /// The type a declaration names, checked.
    ///
    /// # Errors
    /// [`ValidationError::IncidentType`] naming the known types.
    pub fn parse_type(&self, name: &str) -> Result<&IncidentType, ValidationError> {
        let name = name.trim();
        self.incident_type(name).ok_or_else(|| ValidationError::IncidentType {
            given: name.to_owned(),
            hint: use_one_of(self.types.iter().map(|t| t.name.as_str()), NO_TYPES),
        })
    }

    /// The values of a declaration of `incident_type`: every input checked
    /// by its field's kind, and every required field of the type given.
    ///
    /// # Errors
    /// One [`ValidationError::Field`] per wrong, unknown or missing field.
    pub fn declared_values(
        &self,
        incident_type: Option<&str>,
        inputs: &BTreeMap<String, FieldInput>,
    ) -> Result<FieldValues, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut values = FieldValues::new();
        for (name, value) in self.changes(incident_type, inputs, &mut errors) {
            values.set(&name, value);
        }
        // `required` is the type's demand: an incident without a type gives what it likes.
        let required_fields = if incident_type.is_some() { self.fields_of(incident_type) } else { Vec::new() };
        for field in required_fields.into_iter().filter(|f| f.required) {
            if values.get(&field.name).is_none() && !errors.iter().any(|e| e.names_field(&field.name)) {
                errors.push(required(field, incident_type));
            }
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }

    /// The changes `inputs` make to an incident of `incident_type`: a
    /// value per field, `None` where a blank input clears it.
    ///
    /// # Errors
    /// One [`ValidationError::Field`] per wrong or unknown field, or a
    /// required field cleared.
    pub fn updated_values(
        &self,
        incident_type: Option<&str>,
        inputs: &BTreeMap<String, FieldInput>,
    ) -> Result<Vec<(String, Option<FieldValue>)>, Vec<ValidationError>> {
        let mut errors = Vec::new();
        if inputs.is_empty() {
            errors.push(ValidationError::Field { name: "fields".into(), problem: "give at least one field".into() });
        }
        let changes = self.changes(incident_type, inputs, &mut errors);
        for (name, value) in &changes {
            match self.field(name) {
                Some(field) if field.required && value.is_none() && incident_type.is_some() => {
                    errors.push(required(field, incident_type));
                }
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(errors)
        }
    }

    /// Each input checked (`None` for a blank one), errors noted.
    fn changes(
        &self,
        incident_type: Option<&str>,
        inputs: &BTreeMap<String, FieldInput>,
        errors: &mut Vec<ValidationError>,
    ) -> Vec<(String, Option<FieldValue>)> {
        let asked = self.fields_of(incident_type);
        let mut changes = Vec::new();
        for (name, input) in inputs {
            let Some(field) = asked.iter().find(|f| &f.name == name) else {
                let hint = match incident_type {
                    Some(t) if !self.fields.is_empty() => {
                        use_one_of(asked.iter().map(|f| f.name.as_str()), &format!("type `{t}` has no fields"))
                    }
                    _ => use_one_of(asked.iter().map(|f| f.name.as_str()), NO_FIELDS),
                };
                let problem = match (self.field(name), incident_type) {
                    (Some(_), Some(t)) => format!("is not a field of type `{t}`: {hint}"),
                    _ => format!("is unknown: {hint}"),
                };
                errors.push(ValidationError::Field { name: name.clone(), problem });
                continue;
            };
            if input.is_blank() {
                changes.push((name.clone(), None));
                continue;
            }
            match field.check(input) {
                Ok(value) => changes.push((name.clone(), Some(value))),
                Err(problem) => errors.push(ValidationError::Field { name: name.clone(), problem }),
            }
        }
        changes
    }
}

/// "`name` is required" for an incident of `incident_type`.
fn required(field: &FieldDef, incident_type: Option<&str>) -> ValidationError {
    let problem = match incident_type {
        Some(t) => format!("is required for type `{t}` ({})", field.label),
        None => format!("is required ({})", field.label),
    };
    ValidationError::Field { name: field.name.clone(), problem }
}

/// Why no incident type can be named: none is configured.
pub const NO_TYPES: &str = "no [[incident_types]] are defined in sima.toml";
/// Why no custom field can be named: none is configured.
pub const NO_FIELDS: &str = "no [[fields]] are defined in sima.toml";

/// What to write instead: ``use `a`, `b` or `c` ``, or `none` when there is
/// nothing to use (a sentence saying why).
pub fn use_one_of<'a>(names: impl Iterator<Item = &'a str>, none: &str) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    match names.as_slice() {
        [] => none.to_owned(),
        [one] => format!("use {one}"),
        [rest @ .., last] => format!("use {} or {last}", rest.join(", ")),
    }
}

impl FieldDef {
    /// The value `input` makes for this field, or what is wrong with it.
    ///
    /// # Errors
    /// A problem sentence (it follows the field's name).
    pub fn check(&self, input: &FieldInput) -> Result<FieldValue, String> {
        let one = || match input {
            FieldInput::One(text) => Ok(text.trim()),
            FieldInput::Many(_) => Err(format!("takes one value, not a list ({})", self.kind.as_str())),
        };
        match self.kind {
            FieldKind::Text => {
                let text = one()?;
                let length = text.chars().count();
                if length > MAX_TEXT_FIELD {
                    return Err(format!("is too long: {length} characters, at most {MAX_TEXT_FIELD}"));
                }
                if text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
                    return Err("contains control characters or bidirectional overrides; remove them".into());
                }
                Ok(FieldValue::Text(text.to_owned()))
            }
            FieldKind::Number => {
                let text = one()?;
                let number = text
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && n.abs() <= MAX_NUMBER && text.len() <= 32)
                    .ok_or_else(|| format!("`{}` is not a number: use digits, e.g. `120` or `99.5`", clip(text)))?;
                let number = if number.fract() == 0.0 {
                    // Within ±1e15, so exactly an i64.
                    #[allow(clippy::cast_possible_truncation)]
                    serde_json::Number::from(number as i64)
                } else {
                    serde_json::Number::from_f64(number).ok_or_else(|| format!("`{}` is not a number", clip(text)))?
                };
                Ok(FieldValue::Number(number))
            }
            FieldKind::Select => self.option(one()?).map(FieldValue::Text),
            FieldKind::MultiSelect => {
                let given: Vec<&str> = match input {
                    FieldInput::One(text) => text.split(',').collect(),
                    FieldInput::Many(items) => items.iter().map(String::as_str).collect(),
                };
                let mut chosen = BTreeSet::new();
                for item in given.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
                    chosen.insert(self.option(item)?);
                }
                Ok(FieldValue::List(self.options.iter().filter(|o| chosen.contains(*o)).cloned().collect()))
            }
            FieldKind::Link => {
                let text = one()?;
                let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
                let host_given = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
                if !host_given || text.len() > MAX_LINK || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(format!(
                        "`{}` is not a link: use an http(s) URL of at most {MAX_LINK} characters, e.g. `https://status.example.com/1`",
                        clip(text)
                    ));
                }
                Ok(FieldValue::Text(text.to_owned()))
            }
            FieldKind::User => {
                let text = one()?;
                let id = mentioned_user(text);
                UserRef::parse(id)
                    .map(|user| FieldValue::Text(user.as_str().to_owned()))
                    .map_err(|_| format!("`{}` is not a user: mention someone or give a chat user id", clip(text)))
            }
        }
    }

    /// The option `given` names (letter case aside), or the choices.
    fn option(&self, given: &str) -> Result<String, String> {
        self.options.iter().find(|o| o.eq_ignore_ascii_case(given)).cloned().ok_or_else(|| {
            let hint = use_one_of(self.options.iter().map(String::as_str), "the field has no options");
            format!("option `{}` is unknown: {hint}", clip(given))
        })
    }
}

/// The user id in a mention (`<@U024|alice>` → `U024`), or the text itself.
fn mentioned_user(text: &str) -> &str {
    let inner = text.strip_prefix("<@").and_then(|t| t.strip_suffix('>')).unwrap_or(text);
    inner.split('|').next().unwrap_or(inner)
}

/// At most 60 characters of refused input, to quote it back.
fn clip(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(60).collect()
}

/// Whether `c` reorders the text around it when displayed.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}')
}

#[cfg(test)]
mod tests;
