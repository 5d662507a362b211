//! `GET /status` and `GET /status/incidents/{id}`: server-rendered pages, no
//! script, one inline style sheet allowed by its hash, readable on a phone.
//! Every text from an incident goes through maud, which escapes it.

use std::sync::LazyLock;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};
use sima_core::domain::ComponentStatus;

use super::model::{PublicIncident, PublicPage};
use super::strings::{Key, Strings};
use super::summary::{Indicator, PageInfo};

/// The style sheet, inlined in every page.
const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;background:#f6f8fa}\
main{max-width:56rem;margin:0 auto;padding:1rem}\
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}\
a{color:#0969da}\
.banner{padding:1rem;border-radius:6px;color:#fff;font-weight:600;font-size:1.1rem}\
.i-none{background:#1a7f37}.i-minor{background:#bf8700}.i-major{background:#d1570b}.i-critical{background:#cf222e}\
.stale{padding:.5rem 1rem;background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;margin:1rem 0}\
.box{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:.5rem 0}\
.component{padding:.75rem 1rem;border-top:1px solid #d0d7de}.component:first-child{border-top:0}\
.row{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem 1rem}\
.name{font-weight:600}.desc{color:#57606a;font-size:.9rem}\
.s-operational{color:#1a7f37}.s-degraded_performance{color:#9a6700}.s-partial_outage{color:#bc4c00}\
.s-major_outage{color:#cf222e}\
.bars{display:flex;gap:1px;height:2rem;margin:.5rem 0 .25rem}\
.bars i{flex:1;border-radius:1px;background:#2da44e}\
.bars .b-degraded_performance{background:#d4a72c}.bars .b-partial_outage{background:#fb8f44}\
.bars .b-major_outage{background:#cf222e}\
.legend{display:flex;justify-content:space-between;color:#57606a;font-size:.8rem}\
.incident{padding:.75rem 1rem;border-top:1px solid #d0d7de}.incident:first-child{border-top:0}\
.update{margin:.5rem 0}.update p{margin:.25rem 0;white-space:pre-wrap;overflow-wrap:anywhere}\
.when{color:#57606a;font-size:.85rem}\
footer{color:#57606a;font-size:.85rem;margin:2rem 0 1rem}\
@media (max-width:600px){main{padding:.5rem}.bars{height:1.5rem;gap:0}h1{font-size:1.3rem}}";

/// The Content-Security-Policy of the pages: nothing but the inline sheet
/// whose hash it names (no script, no image, no frame, no form).
pub(crate) static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
});

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The shell of every page.
fn shell(info: &PageInfo, strings: &Strings, heading: &str, stale: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(strings.language().tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (heading) }
                link rel="alternate" type="application/atom+xml" title=(info.title) href="/status/feed.atom";
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    h1 { (heading) }
                    @if stale {
                        p.stale role="status" { (strings.get(Key::Stale)) }
                    }
                    (body)
                    footer {
                        a href="/status/feed.atom" { (strings.get(Key::Subscribe)) }
                        " · "
                        a href="/status/api/v2/summary.json" { "summary.json" }
                    }
                }
            }
        }
    }
}

fn status_word(strings: &Strings, status: ComponentStatus) -> Markup {
    html! { span class={ "s-" (status.as_str()) } { (strings.get(Key::component(status))) } }
}

fn updates(strings: &Strings, incident: &PublicIncident) -> Markup {
    html! {
        @for update in &incident.updates {
            div.update {
                strong { (strings.get(Key::public(update.status))) } " — "
                span.when { time datetime=(update.at.to_rfc3339()) { (when(update.at)) } }
                p { (update.message) }
            }
        }
    }
}

/// `/status`.
pub(crate) fn page(page: &PublicPage, info: &PageInfo, strings: &Strings, stale: bool) -> String {
    let indicator = Indicator::of(page.worst());
    let open: Vec<&PublicIncident> = page.incidents.iter().filter(|i| i.is_open()).collect();
    let past: Vec<&PublicIncident> = page.incidents.iter().filter(|i| !i.is_open()).take(50).collect();
    let body = html! {
        p class={ "banner i-" (indicator.as_str()) } { (indicator.description(strings)) }
        @if !open.is_empty() {
            h2 { (strings.get(Key::ActiveIncidents)) }
            section.box {
                @for incident in &open {
                    article.incident {
                        h3 { a href={ "/status/incidents/" (incident.id) } { (incident.title) } }
                        (updates(strings, incident))
                    }
                }
            }
        }
        @if !page.components.is_empty() {
            h2 { (strings.get(Key::Components)) }
            section.box {
                @for component in &page.components {
                    div.component {
                        div.row {
                            span.name { (component.name) }
                            (status_word(strings, component.status))
                        }
                        @if !component.description.is_empty() {
                            div.desc { (component.description) }
                        }
                        div.bars aria-label=(strings.get(Key::History)) {
                            @for (day, status) in &component.history {
                                i class={ "b-" (status.as_str()) }
                                    title={ (day) " · " (strings.get(Key::component(*status))) } {}
                            }
                        }
                        div.legend {
                            span { (strings.get(Key::DaysAgo)) }
                            span { (strings.get(Key::Today)) }
                        }
                    }
                }
            }
        }
        h2 { (strings.get(Key::PastIncidents)) }
        @if past.is_empty() {
            p { (strings.get(Key::NoIncidents)) }
        } @else {
            section.box {
                @for incident in &past {
                    div.incident {
                        a href={ "/status/incidents/" (incident.id) } { (incident.title) }
                        " "
                        span.when { (when(incident.updated_at)) }
                    }
                }
            }
        }
        p.when { (strings.get(Key::Updated)) ": " (when(page.updated_at)) }
    };
    shell(info, strings, &info.title, stale, body).into_string()
}

/// `/status/incidents/{id}`: its title, the components it touches, its whole public timeline.
pub(crate) fn incident_page(
    page: &PublicPage,
    incident: &PublicIncident,
    info: &PageInfo,
    strings: &Strings,
    stale: bool,
) -> String {
    let body = html! {
        p { a href="/status" { (strings.get(Key::Back)) } }
        section.box {
            article.incident {
                h2 { (incident.title) }
                p {
                    (strings.get(Key::public(incident.status)))
                    @if !incident.components.is_empty() {
                        " · " (strings.get(Key::Affected)) ": "
                        @for (n, index) in incident.components.iter().enumerate() {
                            @if let Some(component) = page.components.get(*index) {
                                @if n > 0 { ", " }
                                (component.name)
                            }
                        }
                    }
                }
                (updates(strings, incident))
            }
        }
    };
    shell(info, strings, &format!("{} · {}", incident.title, info.title), stale, body).into_string()
}

/// The answer to an unknown incident id.
pub(crate) fn not_found(info: &PageInfo, strings: &Strings) -> String {
    let body = html! {
        p { (strings.get(Key::NotFound)) }
        p { a href="/status" { (strings.get(Key::Back)) } }
    };
    shell(info, strings, &info.title, false, body).into_string()
}
