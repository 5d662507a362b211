//! Custom fields on the card and in answers: the incident's type and its
//! field values, under their labels on the card and by name in answers.

use crate::domain::{FieldSchema, Incident};
use crate::model::{Block, Field};

/// Slack shows at most 10 fields in one section.
const MAX_CARD_FIELDS: usize = 10;

/// The card's block of custom fields: the type, then each value under its
/// field's label in `schema` (its name when the schema no longer has it);
/// `None` when the incident has neither.
pub(crate) fn custom_fields_block(incident: &Incident, schema: &FieldSchema) -> Option<Block> {
    let mut fields: Vec<Field> = incident.incident_type().map(|t| Field::new("Type", t)).into_iter().collect();
    fields.extend(incident.fields().iter().map(|(name, value)| Field::new(label(schema, name), value)));
    fields.truncate(MAX_CARD_FIELDS);
    (!fields.is_empty()).then_some(Block::Fields { fields })
}

/// What forms and cards call field `name`: its label, else its name.
fn label<'a>(schema: &'a FieldSchema, name: &'a str) -> &'a str {
    schema.field(name).map(|f| f.label.as_str()).filter(|l| !l.trim().is_empty()).unwrap_or(name)
}

/// `category: phishing · records: 12`, or `none set`: by name, as
/// `/incident set <field> <value>` writes them.
pub(crate) fn field_summary(incident: &Incident) -> String {
    let values: Vec<String> = incident.fields().iter().map(|(name, value)| format!("{name}: {value}")).collect();
    if values.is_empty() {
        "none set".to_owned()
    } else {
        values.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FieldDef, FieldKind};

    #[test]
    fn a_field_is_shown_by_its_label_and_by_its_name_once_the_schema_drops_it() {
        let def = |name: &str, label: &str| FieldDef {
            name: name.to_owned(),
            label: label.to_owned(),
            kind: FieldKind::Text,
            options: vec![],
            required: false,
        };
        let schema = FieldSchema::new(vec![def("category", "Attack category"), def("ticket", " ")], vec![])
            .expect("a valid schema");
        assert_eq!(label(&schema, "category"), "Attack category");
        assert_eq!(label(&schema, "ticket"), "ticket", "a blank label falls back to the name");
        assert_eq!(label(&schema, "retired"), "retired");
    }
}
