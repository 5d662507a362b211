//! Declarations from JSON bodies: the fields callers send, read into the
//! core's [`DeclarationDraft`], and its field errors as one API error.

use std::collections::BTreeMap;

use serde::Deserialize;
use sima_core::domain::{
    Actor, Declaration, DeclarationDraft, FieldError, FieldInput, FieldSchema, Severity, ValidationError,
};

use crate::error::ApiError;

/// The fields of a declaration as callers send them (see [`DeclarationDraft`]).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DeclarationFields {
    /// Domain slug.
    pub domain: String,
    /// One line.
    pub summary: String,
    /// Longer text.
    #[serde(default)]
    pub description: Option<String>,
    /// `sev1`…`sev4`.
    #[serde(default)]
    pub severity: Option<String>,
    /// Affected customers.
    #[serde(default)]
    pub impact: Option<u64>,
    /// When impact began (RFC 3339).
    #[serde(default)]
    pub started_at: Option<String>,
    /// Deduplication key.
    #[serde(default)]
    pub dedup_key: Option<String>,
    /// Private: a private room, no broadcast, hidden from the read token and
    /// from those not in its room.
    #[serde(default)]
    pub private: bool,
    /// Incident type (one of the `[[incident_types]]` in `sima.toml`).
    #[serde(default, rename = "type")]
    pub incident_type: Option<String>,
    /// Custom field values by field name: a string, a number, or a list of
    /// strings for a multi-select; `null` or `""` leaves the field unset.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

impl From<DeclarationFields> for DeclarationDraft {
    fn from(fields: DeclarationFields) -> Self {
        let inputs = fields.fields.iter().map(|(name, value)| (name.clone(), field_input(value))).collect();
        Self {
            domain: fields.domain,
            summary: fields.summary,
            description: fields.description,
            severity: fields.severity,
            impact: fields.impact.map(|n| n.to_string()),
            started_at: fields.started_at,
            dedup_key: fields.dedup_key,
            private: fields.private,
            incident_type: fields.incident_type,
            fields: inputs,
        }
    }
}

/// A JSON field value as the core reads it: a string or number as one text,
/// an array as a list (its non-text items refused by the field's check as
/// unknown options), anything else as text the kind check refuses.
pub(crate) fn field_input(value: &serde_json::Value) -> FieldInput {
    match value {
        serde_json::Value::String(text) => FieldInput::One(text.clone()),
        serde_json::Value::Null => FieldInput::One(String::new()),
        serde_json::Value::Array(items) => FieldInput::Many(
            items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), ToOwned::to_owned)).collect(),
        ),
        other => FieldInput::One(other.to_string()),
    }
}

/// JSON field values as the core reads them.
pub(crate) fn field_inputs(values: &BTreeMap<String, serde_json::Value>) -> BTreeMap<String, FieldInput> {
    values.iter().map(|(name, value)| (name.clone(), field_input(value))).collect()
}

impl DeclarationFields {
    /// A valid declaration by `reporter`, of `default_severity` unless one is given.
    ///
    /// # Errors
    /// 400 (422 for refused characters) naming every invalid field.
    /// Its type and custom fields are checked against `schema`.
    pub fn into_declaration(
        self,
        schema: &FieldSchema,
        reporter: Actor,
        default_severity: Severity,
    ) -> Result<Declaration, ApiError> {
        DeclarationDraft::from(self).parse_in(schema, reporter, Some(default_severity)).map_err(refused)
    }
}

/// A validation error naming the field: 422 for refused characters, else 400.
pub(crate) fn named<T>(name: &str, result: Result<T, ValidationError>) -> Result<T, ApiError> {
    result.map_err(|error| answer(&error, format!("`{name}`: {error}")))
}

/// The draft's field errors as one answer, each field named; its status is
/// the first error's.
fn refused(errors: Vec<FieldError>) -> ApiError {
    let message = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
    match errors.first() {
        Some(first) => answer(&first.error, message),
        None => ApiError::invalid("the declaration is invalid"),
    }
}

/// 422 for characters that are refused in a well-formed value, else 400.
fn answer(error: &ValidationError, message: String) -> ApiError {
    match error {
        ValidationError::HiddenCharacters(_) => ApiError::unprocessable(message),
        _ => ApiError::invalid(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn fields(json: serde_json::Value) -> DeclarationFields {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn every_wrong_field_is_named_in_one_answer() {
        let body = fields(serde_json::json!({
            "domain": "Not A Slug", "summary": "Disk full", "severity": "sev9", "started_at": "yesterday"
        }));
        let error = body.into_declaration(&FieldSchema::default(), Actor::Api, Severity::Sev3).unwrap_err();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        for field in ["`domain`", "`severity`: severity `sev9`", "`started_at`: time `yesterday`"] {
            assert!(error.message().contains(field), "{field} in {}", error.message());
        }
        assert!(!error.message().contains("`summary`"), "{}", error.message());
    }

    #[test]
    fn refused_characters_are_422_and_a_missing_severity_is_the_default() {
        let hidden = fields(serde_json::json!({ "domain": "payments", "summary": "Pay\u{202E}stnem" }));
        let error = hidden.into_declaration(&FieldSchema::default(), Actor::Api, Severity::Sev3).unwrap_err();
        assert_eq!(
            (error.status(), error.message().starts_with("`summary`")),
            (StatusCode::UNPROCESSABLE_ENTITY, true)
        );
        let plain = fields(serde_json::json!({ "domain": "payments", "summary": "Payments fail", "impact": 120 }));
        let declaration = plain.into_declaration(&FieldSchema::default(), Actor::Api, Severity::Sev2).unwrap();
        assert_eq!(declaration.severity, Severity::Sev2);
        assert_eq!(declaration.impact.map(|i| i.affected_customers()), Some(120));
    }
}
