//! `GET /ui/incidents/{INC-n}`: the incident's card, its whole timeline, links
//! to its room and post-mortem, and its action items.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use maud::{html, Markup};
use sima_core::domain::{ActionStatus, Incident, IncidentEvent, IncidentNumber, IncidentRef};
use sima_core::{describe_event, human_duration, Durations};

use crate::api::naming::{clip, incident_number, written_as_number};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::layout::{external_link, maybe_when, page, when, PageError};

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

/// The card: roles, severity, impact, milestones and durations.
fn card(incident: &Incident) -> Markup {
    let m = incident.milestones();
    let d = Durations::of(&m);
    let roles = incident.roles();
    let person = |user: Option<&sima_core::domain::UserRef>| user.map_or_else(|| "—".to_owned(), ToString::to_string);
    html! {
        dl.card {
            dt { "Status" } dd { span class={ "status " (incident.status().as_str()) } { (incident.status().as_str()) } }
            dt { "Severity" } dd { span class={ "sev " (incident.severity().as_str()) } { (incident.severity().as_str()) } }
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
                thead { tr { th { "#" } th { "Action" } th { "Owner" } th { "Due" } th { "Status" } } }
                tbody {
                    @for (n, item) in incident.action_items().iter().enumerate() {
                        tr class=@if item.status == ActionStatus::Done { "done" } {
                            td { (n + 1) }
                            td { (item.text) }
                            td { (item.owner.as_ref().map_or_else(|| "—".to_owned(), ToString::to_string)) }
                            td { (item.due.map_or_else(|| "—".to_owned(), |d| d.to_string())) }
                            td { (item.status) }
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
            (card(&incident))
            h2 { "Timeline" }
            (timeline(&events))
            h2 { "Action items" }
            (actions(&incident))
        },
    ))
}
