//! The `incident_fields` view: one row per incident, field and value, as the
//! event log says now (the declaration's values, then each `fields_set`).

use sima_core::domain::{Command, FieldValue, FieldValues, Incident, Severity};
use sima_core::testkit::contract::{declaration, t0, write_history, History};

use crate::helpers::TestDb;

/// A row of the view: incident (`INC-n`), type, field, value.
type FieldRow = (String, Option<String>, String, String);

fn text(value: &str) -> Option<FieldValue> {
    Some(FieldValue::Text(value.to_owned()))
}

fn list(values: &[&str]) -> Option<FieldValue> {
    Some(FieldValue::List(values.iter().map(|v| (*v).to_owned()).collect()))
}

/// A `security` incident declared with four fields, then changed: one field
/// replaced, one cleared, one multi-select narrowed, one added.
pub(crate) fn security_history() -> History {
    let mut declared = declaration("auth", Severity::Sev1, None);
    declared.incident_type = Some("security".to_owned());
    declared.fields = FieldValues::from_iter([
        ("category".to_owned(), FieldValue::Text("phishing".to_owned())),
        ("records".to_owned(), FieldValue::Number(12.into())),
        ("ratio".to_owned(), FieldValue::Number(serde_json::Number::from_f64(99.5).expect("finite"))),
        ("systems".to_owned(), FieldValue::List(vec!["vpn".to_owned(), "sso".to_owned()])),
    ]);
    let at = |minutes: i64| t0() + chrono::Duration::minutes(minutes);
    History {
        declaration: declared,
        declared_at: t0(),
        commands: vec![
            (Command::SetFields(vec![("category".to_owned(), text("leak")), ("records".to_owned(), None)]), at(5)),
            (Command::SetFields(vec![("systems".to_owned(), list(&["db", "vpn"]))]), at(6)),
            (Command::SetFields(vec![("owner".to_owned(), text("U0OWNER"))]), at(7)),
        ],
    }
}

/// An incident of no type with one field set after declaration.
pub(crate) fn untyped_history() -> History {
    let at = |minutes: i64| t0() + chrono::Duration::minutes(minutes);
    History {
        declaration: declaration("payments", Severity::Sev3, None),
        declared_at: t0(),
        commands: vec![(Command::SetFields(vec![("team".to_owned(), text("billing"))]), at(1))],
    }
}

/// The rows the view should show for `incident`, from its snapshot.
fn rows_of(incident: &Incident) -> Vec<FieldRow> {
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

#[tokio::test]
async fn incident_fields_shows_each_fields_latest_value_and_drops_cleared_ones() {
    let db = TestDb::create().await;
    let security = write_history(&db.store, &security_history()).await;
    let untyped = write_history(&db.store, &untyped_history()).await;
    let plain = write_history(&db.store, &History { commands: vec![], ..untyped_history() }).await;

    let rows: Vec<FieldRow> =
        sqlx::query_as("SELECT incident, type, field, value FROM incident_fields ORDER BY number, field, value")
            .fetch_all(db.store.pool())
            .await
            .expect("the view answers");

    let (inc, sec) = (security.number().to_string(), Some("security".to_owned()));
    let row = |incident: &str, kind: &Option<String>, field: &str, value: &str| {
        (incident.to_owned(), kind.clone(), field.to_owned(), value.to_owned())
    };
    let expected = vec![
        row(&inc, &sec, "category", "leak"),
        row(&inc, &sec, "owner", "U0OWNER"),
        row(&inc, &sec, "ratio", "99.5"),
        row(&inc, &sec, "systems", "db"),
        row(&inc, &sec, "systems", "vpn"),
        row(&untyped.number().to_string(), &None, "team", "billing"),
    ];
    assert_eq!(rows, expected);
    let mut from_snapshots = [rows_of(&security), rows_of(&untyped), rows_of(&plain)].concat();
    from_snapshots.sort();
    assert_eq!(rows, from_snapshots, "the view agrees with the incidents' own fields");
    db.store.close().await;
}
