//! How custom fields and the incident type travel through forms: the input
//! ids the declare form gives them, and their values read back.

use std::collections::BTreeMap;

use crate::domain::{FieldError, FieldInput, ValidationError};

/// The declare form's input for the incident type.
pub(crate) const TYPE_INPUT: &str = "type";

/// Input ids of custom fields start with this (`field.category`).
pub(crate) const FIELD_INPUT_PREFIX: &str = "field.";

/// The input id of custom field `name`.
pub(crate) fn field_input(name: &str) -> String {
    format!("{FIELD_INPUT_PREFIX}{name}")
}

/// The custom field values among a form's inputs (a multi-select's options
/// arrive joined by commas).
pub(crate) fn field_inputs(values: &BTreeMap<String, String>) -> BTreeMap<String, FieldInput> {
    values
        .iter()
        .filter_map(|(id, value)| Some((id.strip_prefix(FIELD_INPUT_PREFIX)?.to_owned(), value)))
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| (name, FieldInput::One(value.clone())))
        .collect()
}

/// The input a declaration error belongs to: its field's, or the custom
/// field's input for a custom field error.
pub(crate) fn input_of(error: &FieldError) -> String {
    match &error.error {
        ValidationError::Field { name, .. } => field_input(name),
        _ => error.field.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_inputs_are_read_back_by_name_and_errors_point_at_them() {
        let values = BTreeMap::from([
            ("summary".to_owned(), "Down".to_owned()),
            ("field.category".to_owned(), "leak".to_owned()),
            ("field.records".to_owned(), " ".to_owned()),
        ]);
        let inputs = field_inputs(&values);
        assert_eq!(inputs, BTreeMap::from([("category".to_owned(), FieldInput::One("leak".into()))]));
        let error = FieldError {
            field: "fields",
            error: ValidationError::Field { name: "category".into(), problem: "is required".into() },
        };
        assert_eq!(input_of(&error), "field.category");
        assert_eq!(input_of(&FieldError { field: "summary", error: ValidationError::Empty("summary") }), "summary");
    }
}
