//! `GET /ui/incidents/{INC-n}`: the incident's card, its whole timeline, links
//! to its room and post-mortem, and its action items.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use maud::{html, Markup};
use sima_core::domain::{ActionStatus, FieldSchema, FieldValue, Incident, IncidentEvent, IncidentNumber, IncidentRef};
use sima_core::{describe_event, human_duration, Durations, SeverityDescriptions};

use crate::api::naming::{clip, incident_number, written_as_number};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::layout::{external_link, maybe_when, page, when, PageError};
use crate::ui::pages::list::severity_badge;

/// The `INC-n` of a path segment: 400 when its number is out of range, 404
/// when it is no incident number at all.
pub(crate) fn number(segment: Result<Path<String>, PathRejection>) -> Result<IncidentNumber, PageError> {
    let Path(segment) = segment.map_err(|e| ApiError::invalid(format!("`incident`: {}", e.body_text())))?;
    if !written_as_number(&segment) {
        let message = format!("`{}` is no incident number (INC-n)", clip(&segment));
        return Err(PageError(ApiError::not_found(message)));
    }
    Ok(incident_number("incident", &segment)?)
}

/// The card: roles, severity (as the company names it), impact, milestones and durations.
fn card(incident: &Incident, names: &SeverityDescriptions) -> Markup {
    let m = incident.milestones();
    let d = Durations::of(&m);
    let roles = incident.roles();
    let person = |user: Option<&sima_core::domain::UserRef>| user.map_or_else(|| "—".to_owned(), ToString::to_string);
    html! {
        dl.card {
            dt { "Status" } dd { span class={ "status " (incident.status().as_str()) } { (incident.status().as_str()) } }
            dt { "Severity" } dd { (severity_badge(incident.severity(), names)) }
            dt { "Domain" } dd { (incident.domain()) }
            dt { "Impact" } dd { (incident.impact().map_or_else(|| "unknown".to_owned(), |i| format!("{} customers", i.affected_customers()))) }
            dt { "Incident Manager" } dd { (person(roles.incident_manager.as_ref())) }
            dt { "Communication Lead" } dd { (person(roles.communication_lead.as_ref())) }
            dt { "Reporter" } dd { (incident.reporter()) }
            dt { "Description" } dd { (incident.description()) }
            @if let Some(cause) = incident.root_cause() { dt { "Root cause" } dd { (cause) } }
        }
        h2 { "Milestones" }
        table.milestones {
            tr { th { "Started" } td { (when(m.started_at)) } td { } }
            tr { th { "Declared" } td { (when(m.declared_at)) } td { "detected after " (human_duration(d.ttd)) } }
            tr { th { "Acknowledged" } td { (maybe_when(m.acknowledged_at)) } td { "time to acknowledge " (human_duration(d.tta)) } }
            tr { th { "Mitigated" } td { (maybe_when(m.mitigated_at)) } td { "time to recover " (human_duration(d.ttr_recovery)) } }
            tr { th { "Resolved" } td { (maybe_when(m.resolved_at)) } td { "time to repair " (human_duration(d.ttr_repair)) } }
        }
    }
}

/// The incident's type and custom field values, labelled as `sima.toml`
/// labels the fields (their name when the schema no longer defines them).
fn custom_fields(incident: &Incident, schema: &FieldSchema) -> Markup {
    let label = |name: &str| schema.field(name).map_or_else(|| name.to_owned(), |f| f.label.clone());
    // In the schema's order, then any value of a field it no longer defines.
    let mut shown: Vec<(&str, &FieldValue)> = schema
        .fields()
        .iter()
        .filter_map(|f| incident.fields().get(&f.name).map(|value| (f.name.as_str(), value)))
        .collect();
    shown.extend(incident.fields().iter().filter(|(name, _)| schema.field(name).is_none()));
    html! {
        @if incident.incident_type().is_some() || !incident.fields().is_empty() {
            dl.card.fields {
                @if let Some(incident_type) = incident.incident_type() { dt { "Type" } dd.type { (incident_type) } }
                @for (name, value) in shown {
                    dt { (label(name)) } dd { (value) }
                }
            }
        }
    }
}

/// Every event, oldest first.
fn timeline(events: &[IncidentEvent]) -> Markup {
    html! {
        ol.timeline {
            @for e in events {
                li { time datetime=(e.at.to_rfc3339()) { (when(e.at)) } " " span.actor { (e.actor) } " " span.what { (describe_event(e)) } }
            }
        }
    }
}

/// The action items, or a line saying there are none.
fn actions(incident: &Incident) -> Markup {
    html! {
        @if incident.action_items().is_empty() {
            p.empty { "No action item yet." }
        } @else {
            table.actions {
                thead { tr { th { "#" } th { "Action" } th { "Owner" } th { "Due" } th { "Status" } th { "Ticket" } } }
                tbody {
                    @for (n, item) in incident.action_items().iter().enumerate() {
                        tr class=@if item.status == ActionStatus::Done { "done" } {
                            td { (n + 1) }
                            td { (item.text) }
                            td { (item.owner.as_ref().map_or_else(|| "—".to_owned(), ToString::to_string)) }
                            td { (item.due.map_or_else(|| "—".to_owned(), |d| d.to_string())) }
                            td { (item.status) }
                            td { (crate::ui::pages::followups::ticket_cell(item.ticket.as_ref())) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /ui/incidents/{INC-n}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    segment: Result<Path<String>, PathRejection>,
) -> Result<Markup, PageError> {
    let n = number(segment)?;
    let (incident, events) = state.service.timeline(IncidentRef::Number(n)).await?;
    let title = format!("{n}: {}", incident.summary());
    Ok(page(
        &title,
        html! {
            p.links {
                @if let Some(room) = incident.room() {
                    (external_link("room", &room.url, html! { "Room #" (room.name) }))
                }
                @if let Some(doc) = incident.postmortem() {
                    (external_link("postmortem", &doc.url, html! { "Post-mortem" }))
                }
                a href={ "/ui/incidents/" (n) "/timeline.md" } download { "Timeline (Markdown)" }
                a href={ "/ui/incidents/" (n) "/timeline.csv" } download { "Timeline (CSV)" }
            }
            (card(&incident, &state.settings.severity_names()))
            (custom_fields(&incident, &state.service.config().schema))
            h2 { "Timeline" }
            (timeline(&events))
            h2 { "Action items" }
            (actions(&incident))
        },
    ))
}
