//! `GET /ui/`: the incidents, open ones first, with filters and paging.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Extension;
use maud::{html, Markup};
use sima_core::domain::{Incident, Severity, Status};
use sima_core::ports::IncidentFilter;

use crate::api::incidents::after_cursor;
use crate::state::AppState;
use crate::ui::access::SignedIn;
use crate::ui::filters::{encode, PageQuery, PERIODS};
use crate::ui::layout::{page, when, PageError};

/// Incidents per page.
pub(crate) const PAGE: usize = 50;

/// The most open incidents shown above the list.
const MAX_OPEN: usize = 200;

/// The filter form; `metrics` leaves out the status field.
pub(crate) fn filter_form(action: &str, query: &PageQuery, with_status: bool) -> Markup {
    let selected = |field: &str, value: &str| field == value;
    html! {
        form.filters method="get" action=(action) {
            @if with_status {
                label { "Status "
                    select name="status" {
                        option value="" { "any" }
                        @for s in Status::ALL {
                            option value=(s.as_str()) selected[selected(&query.status, s.as_str())] { (s.as_str()) }
                        }
                    }
                }
            }
            label { "Severity "
                select name="severity" {
                    option value="" { "any" }
                    @for s in Severity::ALL {
                        option value=(s.as_str()) selected[selected(&query.severity, s.as_str())] { (s.as_str()) }
                    }
                }
            }
            label { "Domain " input type="text" name="domain" value=(query.domain) placeholder="any"; }
            label { "Period "
                select name="period" {
                    @for (value, text) in PERIODS {
                        option value=(value) selected[selected(&query.period, value)] { (text) }
                    }
                }
            }
            button type="submit" { "Apply" }
        }
    }
}

/// One table of incidents.
fn table(incidents: &[Incident]) -> Markup {
    html! {
        table.incidents {
            thead { tr { th { "Incident" } th { "Status" } th { "Severity" } th { "Domain" } th { "Summary" } th { "Declared" } } }
            tbody {
                @for i in incidents {
                    tr {
                        td { a href={ "/ui/incidents/" (i.number()) } { (i.number()) } }
                        td { span class={ "status " (i.status().as_str()) } { (i.status().as_str()) } }
                        td { span class={ "sev " (i.severity().as_str()) } { (i.severity().as_str()) } }
                        td { (i.domain()) }
                        td { (i.summary()) }
                        td { (when(i.milestones().declared_at)) }
                    }
                }
            }
        }
    }
}

/// The incidents not yet resolved that pass `filter` (whatever its status), newest first.
async fn open_incidents(state: &AppState, filter: &IncidentFilter) -> Result<Vec<Incident>, PageError> {
    let mut open = Vec::new();
    for status in Status::ALL.into_iter().filter(Status::is_active) {
        let mut one = filter.clone();
        one.status = Some(status);
        one.limit = Some(MAX_OPEN);
        open.extend(state.service.list(&one).await?);
    }
    open.sort_by_key(|i| std::cmp::Reverse(i.number()));
    open.truncate(MAX_OPEN);
    Ok(open)
}

/// `GET /ui/`.
pub(crate) async fn list(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Markup, PageError> {
    let query = PageQuery::read(query)?;
    let mut filter = query.filter(state.service.now())?;
    let cursor = query.cursor()?;
    let show_open = cursor.is_none() && filter.status.is_none();
    let open = if show_open { open_incidents(&state, &filter).await? } else { Vec::new() };
    let mut incidents = match cursor {
        Some(cursor) => after_cursor(&state, &filter, cursor, PAGE).await?,
        None => {
            filter.limit = Some(PAGE + 1);
            state.service.list(&filter).await?
        }
    };
    let more = incidents.len() > PAGE;
    incidents.truncate(PAGE);
    let next = more.then(|| incidents.last().map(Incident::number)).flatten();
    let filters = query.to_query();
    let base = if filters.is_empty() { "/ui/?".to_owned() } else { format!("/ui/?{filters}&") };
    Ok(page(
        "Incidents",
        html! {
            @if let Some(Extension(who)) = &signed_in {
                form.signout method="post" action="/ui/logout" {
                    "Signed in with " (who.user) " "
                    input type="hidden" name="csrf" value=(who.csrf);
                    button type="submit" { "Sign out" }
                }
            }
            (filter_form("/ui/", &query, true))
            @if show_open {
                h2 { "Open now (" (open.len()) ")" }
                @if open.is_empty() { p.empty { "No open incident." } } @else { (table(&open)) }
                h2 { "All incidents" }
            }
            @if incidents.is_empty() { p.empty { "No incident matches these filters." } } @else { (table(&incidents)) }
            nav.paging {
                @if cursor.is_some() { a href=(base.trim_end_matches(['&', '?'])) { "First page" } }
                @if let Some(next) = next {
                    a rel="next" href={ (base) "cursor=" (encode(&next.to_string())) } { "Older incidents →" }
                }
            }
        },
    ))
}
