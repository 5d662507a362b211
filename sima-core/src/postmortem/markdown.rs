//! Markdown rendering of a document.

use std::fmt::Write;

use crate::domain::format_time;
use crate::model::{DocBlock, Document};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The document as Markdown: a title, a facts list, then the blocks.
pub fn to_markdown(document: &Document) -> String {
    let p = &document.properties;
    let mut out = format!("# {}\n\n", document.title);
    let facts = [
        ("Incident", Some(p.number.clone())),
        ("Severity", Some(p.severity.clone())),
        ("Domain", Some(p.domain.clone())),
        ("Status", Some(p.status.clone())),
        ("Started", Some(format_time(p.started_at))),
        ("Resolved", p.resolved_at.map(format_time)),
        ("MTTA (min)", p.mtta_minutes.map(|m| m.to_string())),
        ("MTTR (min)", p.mttr_minutes.map(|m| m.to_string())),
        ("Incident Manager", p.incident_manager.clone()),
        ("Channel", p.room_url.clone()),
    ];
    for (label, value) in facts {
        if let Some(value) = value {
            let _ = writeln!(out, "- **{label}:** {value}");
        }
    }
    for block in &document.blocks {
        out.push('\n');
        match block {
            DocBlock::Heading { level, text } => {
                let _ = writeln!(out, "{} {text}", "#".repeat(usize::from((*level).clamp(1, 5)) + 1));
            }
            DocBlock::Paragraph { text } => {
                let _ = writeln!(out, "{text}");
            }
            DocBlock::Bullets { items } => items.iter().for_each(|i| {
                let _ = writeln!(out, "- {i}");
            }),
            DocBlock::Todos { items } => items.iter().for_each(|t| {
                let _ = writeln!(out, "- [{}] {}", if t.done { "x" } else { " " }, t.text);
            }),
            DocBlock::Table { header, rows } => {
                let _ = writeln!(out, "| {} |", header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
                let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
                for row in rows {
                    let _ = writeln!(out, "| {} |", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
                }
            }
        }
    }
    out
}
