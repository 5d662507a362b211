//! The schema's own checks, and each kind's value checks.

use super::*;

fn field(name: &str, kind: FieldKind, options: &[&str], required: bool) -> FieldDef {
    FieldDef {
        name: name.into(),
        label: name.replace('_', " "),
        kind,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        required,
    }
}

fn security(fields: &[&str]) -> IncidentType {
    IncidentType {
        name: "security".into(),
        description: "Breaches and attacks".into(),
        private: true,
        default_severity: Some(Severity::Sev2),
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        postmortem_sections: vec!["Disclosure".into()],
    }
}

pub(crate) fn schema() -> FieldSchema {
    FieldSchema::new(
        vec![
            field("category", FieldKind::Select, &["phishing", "malware", "leak"], true),
            field("records", FieldKind::Number, &[], false),
            field("systems", FieldKind::MultiSelect, &["vpn", "sso", "mail"], false),
            field("ticket", FieldKind::Link, &[], false),
            field("owner", FieldKind::User, &[], false),
            field("notes", FieldKind::Text, &[], false),
        ],
        vec![security(&["category", "records", "systems"])],
    )
    .unwrap()
}

fn inputs(pairs: &[(&str, &str)]) -> BTreeMap<String, FieldInput> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), FieldInput::One((*v).to_owned()))).collect()
}

fn problems(errors: &[ValidationError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn a_schema_names_every_mistake_in_it() {
    let errors = FieldSchema::new(
        vec![
            field("category", FieldKind::Select, &[], false),
            field("category", FieldKind::Text, &[], false),
            field("Bad Name", FieldKind::Text, &[], false),
        ],
        vec![security(&["category", "impact_area"]), security(&[])],
    )
    .unwrap_err();
    assert_eq!(
        errors,
        [
            SchemaError::NoOptions("category".into()),
            SchemaError::DuplicateField("category".into()),
            SchemaError::Name("Bad Name".into()),
            SchemaError::UndefinedField { incident_type: "security".into(), field: "impact_area".into() },
            SchemaError::DuplicateType("security".into()),
        ]
    );
    assert!(errors[3].to_string().contains("`impact_area`"), "{}", errors[3]);
}

#[test]
fn a_declaration_missing_a_required_field_of_its_type_is_refused_naming_it() {
    let errors = schema().declared_values(Some("security"), &inputs(&[("records", "12")])).unwrap_err();
    assert_eq!(problems(&errors), ["field `category` is required for type `security` (category)"]);
    // Without a type nothing is required.
    assert!(schema().declared_values(None, &inputs(&[])).unwrap().is_empty());
}

#[test]
fn options_outside_the_list_and_fields_outside_the_type_are_refused() {
    let errors = schema()
        .declared_values(Some("security"), &inputs(&[("category", "ransom"), ("notes", "x"), ("colour", "red")]))
        .unwrap_err();
    assert_eq!(
        problems(&errors),
        [
            "field `category` option `ransom` is unknown: use `phishing`, `malware` or `leak`",
            "field `colour` is unknown: use `category`, `records` or `systems`",
            "field `notes` is not a field of type `security`: use `category`, `records` or `systems`",
        ]
    );
    let unknown_type = schema().parse_type("hr").unwrap_err();
    assert_eq!(unknown_type.to_string(), "incident type `hr` is unknown: use `security`");
}

#[test]
fn without_types_or_fields_defined_the_refusal_says_none_are_defined_in_sima_toml() {
    let empty = FieldSchema::default();
    let unknown_type = empty.parse_type("security").unwrap_err();
    assert_eq!(
        unknown_type.to_string(),
        "incident type `security` is unknown: no [[incident_types]] are defined in sima.toml"
    );
    let errors = empty.declared_values(None, &inputs(&[("category", "leak")])).unwrap_err();
    assert_eq!(problems(&errors), ["field `category` is unknown: no [[fields]] are defined in sima.toml"]);

    // A type that asks for no fields, where other fields exist.
    let bare = FieldSchema::new(vec![field("notes", FieldKind::Text, &[], false)], vec![security(&[])]).unwrap();
    let errors = bare.declared_values(Some("security"), &inputs(&[("notes", "x")])).unwrap_err();
    assert_eq!(problems(&errors), ["field `notes` is not a field of type `security`: type `security` has no fields"]);
}

#[test]
fn the_hint_lists_what_to_use_or_says_why_there_is_nothing() {
    let hint = |names: &[&str]| use_one_of(names.iter().copied(), NO_TYPES);
    assert_eq!(hint(&[]), "no [[incident_types]] are defined in sima.toml");
    assert_eq!(hint(&["security"]), "use `security`");
    assert_eq!(hint(&["security", "hr", "vendor"]), "use `security`, `hr` or `vendor`");
}

#[test]
fn each_kind_keeps_what_it_reads_and_refuses_the_rest() {
    let schema = schema();
    let check = |name: &str, input: FieldInput| schema.field(name).unwrap().check(&input);
    let one = |s: &str| FieldInput::One(s.into());
    assert_eq!(check("category", one(" Phishing ")), Ok(FieldValue::Text("phishing".into())));
    assert_eq!(check("records", one("1200")), Ok(FieldValue::Number(1200.into())));
    assert_eq!(check("records", one("99.5")).unwrap().to_string(), "99.5");
    for bad in ["lots", "1e400", "NaN", "inf", "2e15"] {
        assert!(check("records", one(bad)).unwrap_err().contains("not a number"), "{bad}");
    }
    let many = FieldInput::Many(vec!["mail".into(), "vpn".into(), "vpn".into()]);
    assert_eq!(check("systems", many), Ok(FieldValue::List(vec!["vpn".into(), "mail".into()])));
    assert_eq!(check("systems", one("sso, mail")), Ok(FieldValue::List(vec!["sso".into(), "mail".into()])));
    assert!(check("systems", one("sso, fax")).unwrap_err().contains("option `fax` is unknown"));
    assert_eq!(
        check("ticket", one("https://jira.example.com/SEC-1")),
        Ok(FieldValue::Text("https://jira.example.com/SEC-1".into()))
    );
    for bad in ["javascript:alert(1)", "ftp://x", "https://", "https:///path", "http://a b"] {
        assert!(check("ticket", one(bad)).is_err(), "{bad}");
    }
    assert_eq!(check("owner", one("<@U024BE7LH|alice>")), Ok(FieldValue::Text("U024BE7LH".into())));
    assert!(check("owner", one("alice smith")).is_err());
    assert!(check("notes", one(&"x".repeat(MAX_TEXT_FIELD + 1))).unwrap_err().contains("too long"));
    assert!(check("notes", one("a\u{202E}b")).unwrap_err().contains("control characters"));
    assert!(check("category", FieldInput::Many(vec!["leak".into()])).unwrap_err().contains("one value"));
}

#[test]
fn an_update_may_clear_an_optional_field_but_not_a_required_one() {
    let schema = schema();
    let changes = schema.updated_values(Some("security"), &inputs(&[("records", " ")])).unwrap();
    assert_eq!(changes, [("records".to_owned(), None)]);
    let errors = schema.updated_values(Some("security"), &inputs(&[("category", "")])).unwrap_err();
    assert!(errors[0].names_field("category"));
    assert!(schema.updated_values(None, &inputs(&[])).is_err(), "an empty update says what to give");
}

fn security_draft(fields: &[(&str, &str)]) -> super::super::DeclarationDraft {
    super::super::DeclarationDraft {
        domain: "payments".into(),
        summary: "Phishing wave".into(),
        incident_type: Some("security".into()),
        fields: inputs(fields),
        ..Default::default()
    }
}

#[test]
fn a_typed_declaration_takes_the_types_defaults_and_its_checked_values() {
    use super::super::Actor;
    let declaration = security_draft(&[("category", "Leak"), ("records", "12")])
        .parse_in(&schema(), Actor::Api, Some(Severity::Sev4))
        .unwrap();
    assert_eq!(declaration.incident_type.as_deref(), Some("security"));
    assert_eq!(declaration.severity, Severity::Sev2, "the type's default wins over the door's");
    assert!(declaration.private, "a private type makes the incident private");
    assert_eq!(declaration.fields.get("category"), Some(&FieldValue::Text("leak".into())));
    assert_eq!(declaration.fields.get("records"), Some(&FieldValue::Number(12.into())));
}

#[test]
fn every_door_gets_the_same_named_errors_from_the_draft() {
    use super::super::Actor;
    let errors = security_draft(&[("records", "12")]).parse_in(&schema(), Actor::Api, None).unwrap_err();
    assert_eq!(
        errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["`fields`: field `category` is required for type `security` (category)"]
    );
    let unknown = super::super::DeclarationDraft { incident_type: Some("hr".into()), ..security_draft(&[]) };
    let errors = unknown.parse_in(&schema(), Actor::Api, Some(Severity::Sev3)).unwrap_err();
    assert_eq!(errors[0].field, "type");
    // Without a schema, fields and types are unknown.
    let errors = security_draft(&[("category", "leak")]).parse(Actor::Api, Some(Severity::Sev3)).unwrap_err();
    assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), ["type", "fields"]);
}

#[test]
fn a_declared_event_stored_before_types_existed_still_loads_and_fields_set_folds_in() {
    use super::super::{Actor, EventKind, FieldValueChange, Incident, IncidentEvent, IncidentId, IncidentNumber};
    let old = serde_json::json!({"seq": 1, "at": "2026-11-25T10:00:00Z", "actor": "api", "kind": "declared",
        "domain": "payments", "summary": "Down", "description": "", "severity": "sev2", "impact": null,
        "started_at": "2026-11-25T10:00:00Z", "dedup_key": null});
    let event: IncidentEvent = serde_json::from_value(old.clone()).unwrap();
    assert!(matches!(&event.kind, EventKind::Declared { incident_type: None, fields, .. } if fields.is_empty()));
    assert_eq!(serde_json::to_value(&event).unwrap(), old, "an untyped declaration is stored as before");
    let mut incident = Incident::replay(IncidentId::new(), IncidentNumber::UNALLOCATED, &[event]).unwrap();
    assert_eq!((incident.incident_type(), incident.fields().is_empty()), (None, true));

    let values = schema().updated_values(None, &inputs(&[("records", "7"), ("owner", "<@U1>")])).unwrap();
    let kinds = incident
        .decide(&super::super::Command::SetFields(values.clone()), "2026-11-25T10:05:00Z".parse().unwrap())
        .unwrap();
    let set = IncidentEvent {
        seq: 2,
        at: "2026-11-25T10:05:00Z".parse().unwrap(),
        actor: Actor::Api,
        kind: kinds[0].clone(),
    };
    let json = serde_json::to_value(&set).unwrap();
    assert_eq!(json["kind"], "fields_set");
    assert_eq!(json["changes"][1], serde_json::json!({"field": "records", "old": null, "new": 7}));
    assert_eq!(serde_json::from_value::<IncidentEvent>(json).unwrap(), set);
    incident.apply(&set);
    assert_eq!(incident.fields().get("owner"), Some(&FieldValue::Text("U1".into())));
    let again = incident.decide(&super::super::Command::SetFields(values), "2026-11-25T10:06:00Z".parse().unwrap());
    assert_eq!(again.unwrap(), [], "setting the same values records nothing");
    let change = FieldValueChange { field: "records".into(), old: Some(FieldValue::Number(7.into())), new: None };
    assert_eq!(change.to_string(), "records cleared");
}
