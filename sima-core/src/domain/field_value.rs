//! Custom field values: what an incident holds for each of the company's
//! fields, and the text or list a door hands in for one.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The value of one custom field, checked against its kind. Stored as JSON:
/// a string (text, select, link, user), a number, or a list of strings
/// (multi-select).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// Text, a select option, a link or a user id.
    Text(String),
    /// A number (integer or decimal, finite, within bounds).
    Number(serde_json::Number),
    /// The options of a multi-select, in the order the field lists them.
    List(Vec<String>),
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => f.write_str(text),
            Self::Number(number) => write!(f, "{number}"),
            Self::List(items) => f.write_str(&items.join(", ")),
        }
    }
}

/// The custom field values of an incident, by field name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldValues(BTreeMap<String, FieldValue>);

impl FieldValues {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no field has a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of field `name`, if set.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.0.get(name)
    }

    /// Every value, by field name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldValue)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value))
    }

    /// Sets (`Some`) or clears (`None`) field `name`.
    pub fn set(&mut self, name: &str, value: Option<FieldValue>) {
        match value {
            Some(value) => self.0.insert(name.to_owned(), value),
            None => self.0.remove(name),
        };
    }
}

impl FromIterator<(String, FieldValue)> for FieldValues {
    fn from_iter<I: IntoIterator<Item = (String, FieldValue)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// A field value as a door hands it in, unchecked: one text (a form input,
/// a chat argument, a JSON string or number) or a list (a JSON array, a
/// multi-select input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldInput {
    /// One text.
    One(String),
    /// Several texts.
    Many(Vec<String>),
}

impl FieldInput {
    /// Whether it says nothing (blank text, empty list): the field is cleared.
    pub fn is_blank(&self) -> bool {
        match self {
            Self::One(text) => text.trim().is_empty(),
            Self::Many(items) => items.iter().all(|i| i.trim().is_empty()),
        }
    }
}

/// One field's change after declaration: before and after (`None`: unset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValueChange {
    /// The field's name.
    pub field: String,
    /// Before.
    pub old: Option<FieldValue>,
    /// After.
    pub new: Option<FieldValue>,
}

impl fmt::Display for FieldValueChange {
    /// `category set to leak`, `records changed from 3 to 12`, `owner cleared`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match (&self.old, &self.new) {
            (None, Some(new)) => write!(f, "{field} set to {new}"),
            (Some(old), Some(new)) => write!(f, "{field} changed from {old} to {new}"),
            (_, None) => write!(f, "{field} cleared"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_stored_as_plain_json_and_read_back() {
        let values: FieldValues = [
            ("category".to_owned(), FieldValue::Text("phishing".into())),
            ("records".to_owned(), FieldValue::Number(serde_json::Number::from_f64(12.5).unwrap())),
            ("systems".to_owned(), FieldValue::List(vec!["vpn".into(), "sso".into()])),
        ]
        .into_iter()
        .collect();
        let json = serde_json::to_value(&values).unwrap();
        assert_eq!(json, serde_json::json!({"category": "phishing", "records": 12.5, "systems": ["vpn", "sso"]}));
        assert_eq!(serde_json::from_value::<FieldValues>(json).unwrap(), values);
        assert_eq!(values.get("systems").unwrap().to_string(), "vpn, sso");
    }
}
