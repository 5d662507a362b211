//! `GET /ui/follow-ups`: the open action items of every incident the viewer
//! may see, overdue first, then by due date (those without one last), each
//! with its incident, owner and ticket; filtered by owner and by overdue.

use std::cmp::Reverse;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Extension;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use sima_core::domain::{ActionItem, ActionStatus, Incident, IncidentNumber, Ticket, UserRef};
use sima_core::ports::IncidentFilter;

use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::access::SignedIn;
use crate::ui::layout::{external_link, page, PageError};

/// The most recent incidents whose action items are listed.
pub(crate) const MAX_INCIDENTS: usize = 2000;

/// The filters as the form sends them (empty means any).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FollowUpQuery {
    /// Only this owner's items (chat id, `@` optional).
    #[serde(default)]
    owner: String,
    /// `1` (or `on`, `true`): only the overdue ones.
    #[serde(default)]
    overdue: String,
}

impl FollowUpQuery {
    /// The owner asked for, if any.
    ///
    /// # Errors
    /// 400 naming the field when it is no chat id.
    fn owner(&self) -> Result<Option<UserRef>, ApiError> {
        let owner = self.owner.trim().trim_start_matches('@');
        if owner.is_empty() {
            return Ok(None);
        }
        UserRef::parse(owner).map(Some).map_err(|e| ApiError::invalid(format!("`owner`: {e}")))
    }

    /// Whether only overdue items are asked for.
    ///
    /// # Errors
    /// 400 for anything but a yes or nothing.
    fn overdue_only(&self) -> Result<bool, ApiError> {
        match self.overdue.trim().to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "off" => Ok(false),
            "1" | "true" | "on" => Ok(true),
            _ => Err(ApiError::invalid("`overdue`: write 1 for the overdue items only, or leave it empty")),
        }
    }
}

/// One open action item, with its incident.
struct FollowUp<'a> {
    incident: IncidentNumber,
    number: usize,
    item: &'a ActionItem,
    overdue: bool,
}

/// An action item's ticket: its key linking to the tracker, and its status; a dash without one.
pub(crate) fn ticket_cell(ticket: Option<&Ticket>) -> Markup {
    html! {
        @match ticket {
            Some(ticket) => {
                (external_link("ticket", &ticket.url, html! { (ticket.key) }))
                span.state { (ticket.status) }
            }
            None => "—",
        }
    }
}

/// The open items of `incidents` that pass the filters, overdue first, then
/// by due date, the undated last (newest incident first among equals).
fn follow_ups<'a>(
    incidents: &'a [Incident],
    today: NaiveDate,
    owner: Option<&UserRef>,
    overdue_only: bool,
) -> Vec<FollowUp<'a>> {
    let mut found: Vec<FollowUp<'a>> = incidents
        .iter()
        .flat_map(|incident| {
            incident.action_items().iter().enumerate().map(move |(i, item)| FollowUp {
                incident: incident.number(),
                number: i + 1,
                item,
                overdue: item.due.is_some_and(|due| due < today),
            })
        })
        .filter(|f| f.item.status == ActionStatus::Open)
        .filter(|f| owner.is_none_or(|owner| f.item.owner.as_ref() == Some(owner)))
        .filter(|f| !overdue_only || f.overdue)
        .collect();
    found.sort_by_key(|f| (!f.overdue, f.item.due.is_none(), f.item.due, Reverse(f.incident), f.number));
    found
}

/// The filter form.
fn filter_form(query: &FollowUpQuery, overdue_only: bool) -> Markup {
    html! {
        form.filters method="get" action="/ui/follow-ups" {
            label { "Owner " input type="text" name="owner" value=(query.owner) placeholder="anyone"; }
            label { "Overdue only " input type="checkbox" name="overdue" value="1" checked[overdue_only]; }
            button type="submit" { "Apply" }
        }
    }
}

/// The table of follow-ups.
fn table(items: &[FollowUp<'_>]) -> Markup {
    html! {
        table.followups {
            thead { tr { th { "Incident" } th { "Action" } th { "Owner" } th { "Due" } th { "Ticket" } } }
            tbody {
                @for f in items {
                    tr class=@if f.overdue { "overdue" } {
                        td { a href={ "/ui/incidents/" (f.incident) } { (f.incident) } " #" (f.number) }
                        td { (f.item.text) }
                        td { (f.item.owner.as_ref().map_or_else(|| "—".to_owned(), ToString::to_string)) }
                        td.due {
                            (f.item.due.map_or_else(|| "—".to_owned(), |d| d.to_string()))
                            @if f.overdue { " (overdue)" }
                        }
                        td.ticket { (ticket_cell(f.item.ticket.as_ref())) }
                    }
                }
            }
        }
    }
}

/// `GET /ui/follow-ups`.
pub(crate) async fn show(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    query: Result<Query<FollowUpQuery>, QueryRejection>,
) -> Result<Markup, PageError> {
    let query = query.map(|Query(query)| query).map_err(ApiError::from)?;
    let owner = query.owner()?;
    let overdue_only = query.overdue_only()?;
    // Private incidents only for those who may see them.
    let viewer = crate::ui::visibility::viewer(&state.settings, signed_in.as_ref().map(|Extension(s)| s));
    let filter = IncidentFilter { limit: Some(MAX_INCIDENTS), ..IncidentFilter::default() };
    let incidents = viewer.list(&state, &filter).await?;
    let today = state.service.now().date_naive();
    let items = follow_ups(&incidents, today, owner.as_ref(), overdue_only);
    let overdue = items.iter().filter(|f| f.overdue).count();
    Ok(page(
        "Follow-ups",
        html! {
            (filter_form(&query, overdue_only))
            p.totals { (items.len()) " open action items, " (overdue) " overdue" }
            @if items.is_empty() {
                p.empty { "No open action item matches these filters." }
            } @else {
                (table(&items))
            }
        },
    ))
}
