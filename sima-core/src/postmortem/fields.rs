//! What the incident type adds to the post-mortem: a table of its custom
//! field values after the impact, and the type's own sections before the
//! lessons learned.

use crate::domain::{FieldSchema, Incident};
use crate::model::{DocBlock, Document, RichText};

/// The heading the type's sections go before.
const LAST_SECTION: &str = "Lessons learned";

/// `document` with the incident's type, field values (labelled as the
/// schema labels them) and the type's post-mortem sections.
pub(crate) fn with_fields(mut document: Document, incident: &Incident, schema: &FieldSchema) -> Document {
    let mut rows: Vec<Vec<RichText>> =
        incident.incident_type().map(|t| vec!["Type".into(), t.into()]).into_iter().collect();
    rows.extend(incident.fields().iter().map(|(name, value)| {
        let label = schema.field(name).map_or(name, |f| f.label.as_str());
        vec![label.into(), value.to_string().into()]
    }));
    if !rows.is_empty() {
        let at = position_after(&document.blocks, "Impact");
        let table = DocBlock::Table { header: vec!["Field".into(), "Value".into()], rows };
        document.blocks.splice(at..at, [heading("Fields"), table]);
    }
    let sections = incident.incident_type().and_then(|t| schema.incident_type(t)).map(|t| &t.postmortem_sections);
    let mut at = heading_index(&document.blocks, LAST_SECTION).unwrap_or(document.blocks.len());
    for section in sections.into_iter().flatten() {
        document.blocks.insert(at, heading(section));
        document.blocks.insert(at + 1, DocBlock::Paragraph { text: "To be written.".into() });
        at += 2;
    }
    document
}

fn heading(text: &str) -> DocBlock {
    DocBlock::Heading { level: 2, text: text.to_owned() }
}

fn heading_index(blocks: &[DocBlock], text: &str) -> Option<usize> {
    blocks.iter().position(|b| matches!(b, DocBlock::Heading { text: t, .. } if t == text))
}

/// The index after section `text` (its heading and what follows, up to the
/// next heading); the end when there is no such section.
fn position_after(blocks: &[DocBlock], text: &str) -> usize {
    let Some(start) = heading_index(blocks, text) else { return blocks.len() };
    blocks[start + 1..]
        .iter()
        .position(|b| matches!(b, DocBlock::Heading { .. }))
        .map_or(blocks.len(), |offset| start + 1 + offset)
}
