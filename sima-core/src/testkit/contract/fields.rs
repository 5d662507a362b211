//! Histories with custom fields, for the stores' `incident_fields` view and
//! SQL recipe tests, and the rows such a view must show for an incident.

use crate::domain::{Command, FieldValue, FieldValues, Incident, Severity};

use super::{declaration, t0, History};

/// A row of an `incident_fields` view: incident (`INC-n`), type, field, value.
pub type FieldRow = (String, Option<String>, String, String);

fn text(value: &str) -> Option<FieldValue> {
    Some(FieldValue::Text(value.to_owned()))
}

fn list(values: &[&str]) -> Option<FieldValue> {
    Some(FieldValue::List(values.iter().map(|v| (*v).to_owned()).collect()))
}

fn minutes(n: i64) -> chrono::DateTime<chrono::Utc> {
    t0() + chrono::Duration::minutes(n)
}

/// A `security` incident declared with four fields, then changed: one field
/// replaced, one cleared, one multi-select narrowed, one added.
pub fn security_history() -> History {
    let mut declared = declaration("auth", Severity::Sev1, None);
    declared.incident_type = Some("security".to_owned());
    declared.fields = FieldValues::from_iter([
        ("category".to_owned(), FieldValue::Text("phishing".to_owned())),
        ("records".to_owned(), FieldValue::Number(12.into())),
        ("ratio".to_owned(), FieldValue::Number(serde_json::Number::from_f64(99.5).expect("99.5 is finite"))),
        ("systems".to_owned(), FieldValue::List(vec!["vpn".to_owned(), "sso".to_owned()])),
    ]);
    History {
        declaration: declared,
        declared_at: t0(),
        commands: vec![
            (Command::SetFields(vec![("category".to_owned(), text("leak")), ("records".to_owned(), None)]), minutes(5)),
            (Command::SetFields(vec![("systems".to_owned(), list(&["db", "vpn"]))]), minutes(6)),
            (Command::SetFields(vec![("owner".to_owned(), text("U0OWNER"))]), minutes(7)),
        ],
    }
}

/// An incident of no type with one field set after declaration.
pub fn untyped_history() -> History {
    History {
        declaration: declaration("payments", Severity::Sev3, None),
        declared_at: t0(),
        commands: vec![(Command::SetFields(vec![("team".to_owned(), text("billing"))]), minutes(1))],
    }
}

/// The rows an `incident_fields` view should show for `incident`, from its
/// snapshot: one per field, one per item of a multi-select.
pub fn field_rows_of(incident: &Incident) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    for (field, value) in incident.fields().iter() {
        let values = match value {
            FieldValue::List(items) => items.clone(),
            other => vec![other.to_string()],
        };
        for value in values {
            rows.push((
                incident.number().to_string(),
                incident.incident_type().map(str::to_owned),
                field.to_owned(),
                value,
            ));
        }
    }
    rows
}
