//! The declare form shaped by the company's incident types and custom
//! fields: the type first, then the chosen type's fields, every input
//! keeping what was already chosen.

use std::collections::BTreeMap;

use super::field_inputs::{field_input, TYPE_INPUT};
use crate::domain::{FieldDef, FieldKind, FieldSchema, IncidentType, MAX_LINK, MAX_TEXT_FIELD};
use crate::model::{Choice, Form, Input, InputKind};

/// Longest number a number field's input takes, in characters.
const MAX_NUMBER_INPUT: u32 = 32;

/// The input the custom fields come before, when the form has it.
const FIELDS_BEFORE: &str = "private";

/// `form` (the declare form) shaped by `schema` for the values chosen so
/// far (`values`, by input id). With incident types defined, the form
/// opens with a type select that reshapes it, and holds the chosen type's
/// fields (none until a type is chosen); without types, every field, none
/// required. Each input is pre-filled with its value in `values`, and an
/// empty severity with the chosen type's default.
pub(crate) fn shaped_declare_form(mut form: Form, schema: &FieldSchema, values: &BTreeMap<String, String>) -> Form {
    let chosen = values.get(TYPE_INPUT).and_then(|name| schema.incident_type(name.trim()));
    let fields: Vec<Input> = if schema.types().is_empty() {
        schema.fields().iter().map(|field| field_control(field, false)).collect()
    } else {
        chosen.map_or_else(Vec::new, |t| {
            schema.fields_of(Some(&t.name)).into_iter().map(|f| field_control(f, true)).collect()
        })
    };
    let at = form.inputs.iter().position(|input| input.id == FIELDS_BEFORE).unwrap_or(form.inputs.len());
    form.inputs.splice(at..at, fields);
    if !schema.types().is_empty() {
        form.inputs.insert(0, type_input(schema.types()));
    }
    for input in &mut form.inputs {
        if let Some(value) = values.get(&input.id).filter(|v| !v.trim().is_empty()) {
            input.initial = Some(value.clone());
        }
    }
    if let Some(default) = chosen.and_then(|t| t.default_severity) {
        if let Some(severity) = form.inputs.iter_mut().find(|i| i.id == "severity" && i.initial.is_none()) {
            severity.initial = Some(default.as_str().to_owned());
        }
    }
    form
}

/// The type select: choosing a type shows its fields.
fn type_input(types: &[IncidentType]) -> Input {
    let options = types
        .iter()
        .map(|t| Choice {
            value: t.name.clone(),
            label: if t.description.trim().is_empty() {
                t.name.clone()
            } else {
                format!("{} · {}", t.name, t.description)
            },
        })
        .collect();
    Input {
        id: TYPE_INPUT.to_owned(),
        label: "Incident type".to_owned(),
        kind: InputKind::ReshapingSelect { options },
        optional: true,
        initial: None,
        hint: Some("Choose one first: its own fields appear below".to_owned()),
    }
}

/// The input of one custom field; `required` only where a type asks for it.
fn field_control(field: &FieldDef, typed: bool) -> Input {
    let choices = || field.options.iter().map(|o| Choice { value: o.clone(), label: o.clone() }).collect();
    let line = |max: usize, placeholder: Option<&str>| InputKind::Text {
        multiline: false,
        max_length: u32::try_from(max).ok(),
        placeholder: placeholder.map(str::to_owned),
    };
    let kind = match field.kind {
        FieldKind::Select => InputKind::Select { options: choices() },
        FieldKind::MultiSelect => InputKind::MultiSelect { options: choices() },
        FieldKind::User => InputKind::User,
        FieldKind::Number => line(MAX_NUMBER_INPUT as usize, Some("e.g. 120")),
        FieldKind::Link => line(MAX_LINK, Some("https://…")),
        FieldKind::Text => line(MAX_TEXT_FIELD, None),
    };
    Input {
        id: field_input(&field.name),
        label: if field.label.trim().is_empty() { field.name.clone() } else { field.label.clone() },
        kind,
        optional: !(typed && field.required),
        initial: None,
        hint: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;
    use crate::messages::{declare_form, SeverityDescriptions};

    fn schema() -> FieldSchema {
        let field = |name: &str, kind, options: &[&str], required| FieldDef {
            name: name.into(),
            label: format!("The {name}"),
            kind,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            required,
        };
        let security = IncidentType {
            name: "security".into(),
            description: "Breaches".into(),
            private: false,
            default_severity: Some(Severity::Sev2),
            fields: vec!["category".into(), "owner".into()],
            postmortem_sections: vec![],
        };
        FieldSchema::new(
            vec![
                field("category", FieldKind::MultiSelect, &["leak", "phishing"], true),
                field("owner", FieldKind::User, &[], false),
                field("records", FieldKind::Number, &[], true),
            ],
            vec![security],
        )
        .expect("a valid schema")
    }

    fn ids(form: &Form) -> Vec<&str> {
        form.inputs.iter().map(|i| i.id.as_str()).collect()
    }

    #[test]
    fn the_type_comes_first_and_its_fields_appear_once_chosen_keeping_the_values() {
        let base = declare_form(&[], &SeverityDescriptions::new());
        let before = shaped_declare_form(base.clone(), &schema(), &BTreeMap::new());
        assert_eq!(before.inputs[0].id, "type");
        assert!(
            matches!(before.inputs[0].kind, InputKind::ReshapingSelect { ref options } if options[0].label == "security · Breaches")
        );
        assert!(!ids(&before).iter().any(|id| id.starts_with("field.")), "{:?}", ids(&before));

        let values = BTreeMap::from([
            ("type".to_owned(), "security".to_owned()),
            ("summary".to_owned(), "Phishing wave".to_owned()),
        ]);
        let after = shaped_declare_form(base, &schema(), &values);
        let fields: Vec<&Input> = after.inputs.iter().filter(|i| i.id.starts_with("field.")).collect();
        assert_eq!(fields.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["field.category", "field.owner"]);
        assert!(matches!(fields[0].kind, InputKind::MultiSelect { .. }) && !fields[0].optional);
        assert!(matches!(fields[1].kind, InputKind::User) && fields[1].optional);
        let initial = |id: &str| after.inputs.iter().find(|i| i.id == id).and_then(|i| i.initial.clone());
        assert_eq!(initial("type").as_deref(), Some("security"));
        assert_eq!(initial("summary").as_deref(), Some("Phishing wave"));
        assert_eq!(initial("severity").as_deref(), Some("sev2"), "the type's default severity");
    }
}
