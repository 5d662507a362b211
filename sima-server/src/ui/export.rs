//! The timeline of an incident as Markdown and CSV, for post-mortems and spreadsheets.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use sima_core::domain::{format_time, Incident, IncidentEvent, IncidentRef};
use sima_core::{describe_event, escape_markdown};

use crate::state::AppState;
use crate::ui::layout::PageError;
use crate::ui::pages::incident::number;

/// The event's `kind`, as the API names it (`status_changed`).
fn kind(event: &IncidentEvent) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// A Markdown table cell: lines joined, and people's text shown as written
/// (no links, HTML or emphasis of their making, no pipe breaking the table).
fn md_cell(text: &str) -> String {
    escape_markdown(&text.replace(['\r', '\n'], " "))
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break;
/// a leading `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'`
/// so spreadsheets do not run it as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// `# INC-7 …` and a table of every event.
pub(crate) fn to_markdown(incident: &Incident, events: &[IncidentEvent]) -> String {
    let mut out = format!("# {} timeline: {}\n\n", incident.number(), md_cell(incident.summary().as_str()));
    out.push_str("| # | Time (UTC) | Who | What |\n|---|---|---|---|\n");
    for e in events {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            e.seq,
            format_time(e.at),
            md_cell(&e.actor.to_string()),
            md_cell(&describe_event(e))
        ));
    }
    out
}

/// `seq,at,actor,kind,description` and a row per event.
pub(crate) fn to_csv(events: &[IncidentEvent]) -> String {
    let mut out = String::from("seq,at,actor,kind,description\r\n");
    for e in events {
        let fields = [e.seq.to_string(), format_time(e.at), e.actor.to_string(), kind(e), describe_event(e)];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Loads the incident of a path segment and its events.
async fn load(
    state: &AppState,
    segment: Result<Path<String>, PathRejection>,
) -> Result<(Incident, Vec<IncidentEvent>), PageError> {
    Ok(state.service.timeline(IncidentRef::Number(number(segment)?)).await?)
}

/// `GET /ui/incidents/{INC-n}/timeline.md`.
pub(crate) async fn markdown(
    State(state): State<AppState>,
    segment: Result<Path<String>, PathRejection>,
) -> Result<impl IntoResponse, PageError> {
    let (incident, events) = load(&state, segment).await?;
    let name = format!("attachment; filename=\"{}-timeline.md\"", incident.number());
    Ok((
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)],
        to_markdown(&incident, &events),
    ))
}

/// `GET /ui/incidents/{INC-n}/timeline.csv`.
pub(crate) async fn csv(
    State(state): State<AppState>,
    segment: Result<Path<String>, PathRejection>,
) -> Result<impl IntoResponse, PageError> {
    let (incident, events) = load(&state, segment).await?;
    let name = format!("attachment; filename=\"{}-timeline.csv\"", incident.number());
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)],
        to_csv(&events),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("@SUM(1)"), "'@SUM(1)");
    }

    #[test]
    fn csv_fields_starting_with_a_tab_or_carriage_return_are_defused() {
        assert_eq!(csv_field("\t=cmd|' /C calc'!A0"), "'\t=cmd|' /C calc'!A0");
        assert_eq!(csv_field("\r=1+1"), "\"'\r=1+1\"", "defused, then quoted for its line break");
        assert_eq!(csv_field("a\tb"), "a\tb", "a tab inside is left alone");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
        assert_eq!(md_cell("[pay](http://x) <img>"), "\\[pay\\](http://x) \\<img\\>");
    }
}
