//! `GET /ui/`: the incidents, open ones first, with filters and paging.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Extension;
use maud::{html, Markup};
use sima_core::domain::{Incident, Severity, Status};
use sima_core::ports::IncidentFilter;
use sima_core::SeverityDescriptions;

use crate::api::incidents::after_cursor;
use crate::guard::visibility::Viewer;
use crate::state::AppState;
use crate::ui::access::SignedIn;
use crate::ui::field_filter::{filter_inputs, matching, FieldFilter};
use crate::ui::filters::{encode, PageQuery, PERIODS};
use crate::ui::layout::{page, when, PageError};

/// Incidents per page.
pub(crate) const PAGE: usize = 50;

/// The most open incidents shown above the list.
const MAX_OPEN: usize = 200;

/// A severity as people read it: the company's label (`P1`), with the
/// stable value (`sev1`) kept in its class and its tooltip.
pub(crate) fn severity_badge(severity: Severity, names: &SeverityDescriptions) -> Markup {
    html! {
        span class={ "sev " (severity.as_str()) } title={ (severity.as_str()) " · " (names.description(severity)) } {
            (names.label(severity))
        }
    }
}

/// The filter form (severities offered by their labels, filtered by their
/// stable values; `metrics` leaves out the status field), with `extra`
/// inputs before its button (the type, the field).
pub(crate) fn filter_form_with(
    action: &str,
    query: &PageQuery,
    with_status: bool,
    names: &SeverityDescriptions,
    extra: Markup,
) -> Markup {
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
                        option value=(s.as_str()) selected[selected(&query.severity, s.as_str())] { (names.label(s)) }
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
            (extra)
            button type="submit" { "Apply" }
        }
    }
}

/// One table of incidents.
fn table(incidents: &[Incident], names: &SeverityDescriptions) -> Markup {
    html! {
        table.incidents {
            thead { tr { th { "Incident" } th { "Status" } th { "Severity" } th { "Domain" } th { "Summary" } th { "Declared" } } }
            tbody {
                @for i in incidents {
                    tr {
                        td { a href={ "/ui/incidents/" (i.number()) } { (i.number()) } }
                        td { span class={ "status " (i.status().as_str()) } { (i.status().as_str()) } }
                        td { (severity_badge(i.severity(), names)) }
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
async fn open_incidents(
    state: &AppState,
    viewer: &Viewer,
    filter: &IncidentFilter,
) -> Result<Vec<Incident>, PageError> {
    let mut open = Vec::new();
    for status in Status::ALL.into_iter().filter(Status::is_active) {
        let mut one = filter.clone();
        one.status = Some(status);
        one.limit = Some(MAX_OPEN);
        open.extend(viewer.list(state, &one).await?);
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
    let schema = &state.service.config().schema;
    let wanted = FieldFilter::parse(&query.incident_type, &query.field, schema)?;
    let show_open = cursor.is_none() && filter.status.is_none();
    // Private incidents only for those who may see them.
    let viewer = crate::ui::visibility::viewer(&state.settings, signed_in.as_ref().map(|Extension(s)| s));
    let open = if show_open { open_incidents(&state, &viewer, &filter).await? } else { Vec::new() };
    let open: Vec<Incident> = open.into_iter().filter(|i| wanted.matches(i)).collect();
    let mut incidents = match cursor {
        _ if !wanted.is_empty() => matching(&state, &viewer, &filter, &wanted, cursor, PAGE).await?,
        Some(cursor) => after_cursor(&state, &viewer, &filter, cursor, PAGE).await?,
        None => {
            filter.limit = Some(PAGE + 1);
            viewer.list(&state, &filter).await?
        }
    };
    let more = incidents.len() > PAGE;
    incidents.truncate(PAGE);
    let next = more.then(|| incidents.last().map(Incident::number)).flatten();
    let filters = query.to_query();
    let base = if filters.is_empty() { "/ui/?".to_owned() } else { format!("/ui/?{filters}&") };
    let names = state.settings.severity_names();
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
            (filter_form_with("/ui/", &query, true, &names, filter_inputs(schema, &query.incident_type, &query.field)))
            @if show_open {
                h2 { "Open now (" (open.len()) ")" }
                @if open.is_empty() { p.empty { "No open incident." } } @else { (table(&open, &names)) }
                h2 { "All incidents" }
            }
            @if incidents.is_empty() { p.empty { "No incident matches these filters." } } @else { (table(&incidents, &names)) }
            nav.paging {
                @if cursor.is_some() { a href=(base.trim_end_matches(['&', '?'])) { "First page" } }
                @if let Some(next) = next {
                    a rel="next" href={ (base) "cursor=" (encode(&next.to_string())) } { "Older incidents →" }
                }
            }
        },
    ))
}
