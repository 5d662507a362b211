//! The public status page: what customers read, built from the public
//! updates published on incidents and nothing else.
//!
//! Routes (all `GET`, no credential, no cookie, any `Host`: the page holds
//! only what was published, so the dashboard's loopback and DNS-rebinding
//! guard, which protects internal data, does not apply):
//! - `/status`: the page (HTML, no script).
//! - `/status/incidents/{id}`: one incident's public timeline.
//! - `/status/feed.atom`: every public update, Atom 1.0.
//! - `/status/api/v2/summary.json`: Atlassian Statuspage's summary shape.
//!
//! `[status] page = "off"` (`SIMA_STATUS_PAGE=off`) leaves them out (404).
//!
//! # Layout
//! - `model`: the public read model (which incidents, which words, components, 90 days of bars).
//! - `render_html`: the pages and their Content-Security-Policy.
//! - `atom`: the feed.
//! - `summary`: `summary.json` and the page's overall indicator.
//! - `cache`: the documents kept in memory, served stale while the store is down.
//! - `strings`: the words, in English or French, replaceable in `[status.strings]`.

mod atom;
mod cache;
mod model;
mod render_html;
pub(crate) mod strings;
mod summary;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::settings::Settings;
use crate::state::AppState;
use cache::{Document, Rendering, Source, StatusCache};
use model::ComponentDef;
use strings::Strings;
use summary::PageInfo;

/// How long browsers and proxies may keep a page.
const CACHE_CONTROL: &str = "public, max-age=30";
/// How long they may keep a page served stale.
const CACHE_CONTROL_STALE: &str = "public, max-age=5";
/// The header saying a document may be out of date, with when the store was last read.
pub const STALE_HEADER: &str = "sima-status-stale";

/// The components as the core knows them (for default public titles and
/// the hosted page), from `[[status.components]]` and the services naming them.
///
/// # Errors
/// A component name the core refuses (empty, too long, hidden characters).
pub fn core_components(settings: &Settings) -> anyhow::Result<Vec<sima_core::domain::StatusComponent>> {
    settings
        .status
        .components
        .iter()
        .map(|c| {
            sima_core::domain::StatusComponent::new(&c.name, settings.component_domains(c))
                .map_err(|e| anyhow::anyhow!("status.components: \"{}\": {e}", c.name))
        })
        .collect()
}

/// The hosted Atlassian Statuspage page public updates are pushed to, when `[status.statuspage]` is set.
///
/// # Errors
/// The adapter refuses its configuration (a bad URL).
pub fn hosted_page(settings: &Settings) -> anyhow::Result<Option<Arc<dyn sima_core::ports::StatusPagePort>>> {
    let Some(config) = &settings.status.statuspage else { return Ok(None) };
    let page = sima_statuspage::StatuspagePage::new(config.clone())
        .map_err(|e| anyhow::anyhow!("status.statuspage (SIMA_STATUSPAGE_*): {e}"))?;
    Ok(Some(Arc::new(page)))
}

/// The id incident `incident` has on the status page (an opaque digest).
pub(crate) fn public_id(incident: &sima_core::domain::Incident) -> String {
    model::public_id(incident)
}

/// The status routes over `state`, or none when the page is off.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(state: &AppState) -> Router<S> {
    if !state.settings.status.page {
        return Router::new();
    }
    let refresh = std::time::Duration::from_secs(state.settings.status.refresh_secs.max(1));
    let cache = Arc::new(StatusCache::new(source(state), refresh));
    Router::new()
        .route("/status", get(html))
        .route("/status/", get(html))
        .route("/status/feed.atom", get(feed))
        .route("/status/api/v2/summary.json", get(summary_json))
        .route("/status/incidents/{id}", get(incident))
        .with_state(cache)
}

/// What the page is made of, from the settings.
fn source(state: &AppState) -> Source {
    let settings: &Settings = &state.settings;
    let components = settings
        .status
        .components
        .iter()
        .map(|c| ComponentDef {
            name: c.name.clone(),
            description: c.description.clone(),
            domains: settings.component_domains(c),
        })
        .collect();
    let url = settings.status_url();
    let id = hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(format!("page\0{url}").as_bytes())[..6]);
    Source {
        service: state.service.clone(),
        components,
        info: PageInfo { title: settings.status.title.trim().to_owned(), url, id },
        strings: Strings::new(settings.status.language, &settings.status.strings),
    }
}

/// The OpenAPI description of the routes programs read (the page, the feed,
/// the summary), for the server's document.
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    utoipa_axum::router::OpenApiRouter::<Arc<StatusCache>>::new()
        .routes(utoipa_axum::routes!(html))
        .routes(utoipa_axum::routes!(feed))
        .routes(utoipa_axum::routes!(summary_json))
        .into_openapi()
}

/// Whether `If-None-Match` names `etag` (or is `*`).
fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).any(|value| {
        value.split(',').map(|tag| tag.trim().trim_start_matches("W/")).any(|tag| tag == etag || tag == "*")
    })
}

/// `document` as `content_type`, or 304 when the client has it.
fn serve(headers: &HeaderMap, rendering: &Rendering, document: &Document, content_type: &'static str) -> Response {
    let mut response = if matches(headers, &document.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], Body::from(document.body.clone())).into_response()
    };
    let out = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&document.etag) {
        out.insert(header::ETAG, etag);
    }
    let stale = rendering.stale_since.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if stale.is_some() { CACHE_CONTROL_STALE } else { CACHE_CONTROL }),
    );
    if let Some(value) = stale.and_then(|at| HeaderValue::from_str(&at).ok()) {
        out.insert(STALE_HEADER, value);
    }
    secure(out, content_type);
    response
}

/// The headers of every status answer: no sniffing, no framing, no
/// referrer; the pages allow their inline sheet and nothing else; the
/// feed and the summary may be read by any site's script (they are public).
fn secure(out: &mut HeaderMap, content_type: &str) {
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    out.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    out.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if content_type.starts_with("text/html") {
        if let Ok(policy) = HeaderValue::from_str(&render_html::CONTENT_SECURITY_POLICY) {
            out.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    } else {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        out.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    }
}

/// The document `pick` chooses from the current rendering, or 503 when there is none.
async fn serve_cached(
    cache: &StatusCache,
    headers: &HeaderMap,
    pick: fn(&Rendering) -> &Document,
    content_type: &'static str,
) -> Response {
    match cache.get().await {
        Some(rendering) => serve(headers, &rendering, pick(&rendering), content_type),
        None => unavailable(),
    }
}

/// 503 when nothing could ever be read.
fn unavailable() -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::RETRY_AFTER, "5")],
        "The status page is temporarily unavailable; try again in a few seconds.\n",
    )
        .into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    secure(response.headers_mut(), "text/plain");
    response
}

const HTML: &str = "text/html; charset=utf-8";

/// The status page.
///
/// Server-rendered HTML, no script, no cookie, no credential. Answers 304 to a
/// matching `If-None-Match`; while the database is down, the last rendering
/// with the `sima-status-stale` header.
#[utoipa::path(
    get,
    path = "/status",
    operation_id = "status_page",
    tag = "status",
    security(()),
    responses(
        (status = 200, description = "The page", body = String, content_type = "text/html"),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "The status page is off (`SIMA_STATUS_PAGE=off`)"),
        (status = 503, description = "The store was never read since start-up; retry", body = String,
         content_type = "text/plain"),
    ),
)]
async fn html(State(cache): State<Arc<StatusCache>>, headers: HeaderMap) -> Response {
    serve_cached(&cache, &headers, |r| &r.html, HTML).await
}

/// The status page's feed.
///
/// Every public update, newest first, as Atom 1.0 entries.
#[utoipa::path(
    get,
    path = "/status/feed.atom",
    operation_id = "status_feed",
    tag = "status",
    security(()),
    responses(
        (status = 200, description = "The feed", body = String, content_type = "application/atom+xml"),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "The status page is off (`SIMA_STATUS_PAGE=off`)"),
        (status = 503, description = "The store was never read since start-up; retry", body = String,
         content_type = "text/plain"),
    ),
)]
async fn feed(State(cache): State<Arc<StatusCache>>, headers: HeaderMap) -> Response {
    serve_cached(&cache, &headers, |r| &r.atom, "application/atom+xml; charset=utf-8").await
}

/// The status page's summary, in Atlassian Statuspage's shape.
///
/// `page`, `status` (`indicator`: `none`, `minor`, `major`, `critical`),
/// `components`, the unresolved `incidents` with their `incident_updates`,
/// and `scheduled_maintenances` (always empty), as Statuspage's
/// `/api/v2/summary.json`.
#[utoipa::path(
    get,
    path = "/status/api/v2/summary.json",
    operation_id = "status_summary",
    tag = "status",
    security(()),
    responses(
        (status = 200, description = "The summary", body = Object, content_type = "application/json"),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "The status page is off (`SIMA_STATUS_PAGE=off`)"),
        (status = 503, description = "The store was never read since start-up; retry", body = String,
         content_type = "text/plain"),
    ),
)]
async fn summary_json(State(cache): State<Arc<StatusCache>>, headers: HeaderMap) -> Response {
    serve_cached(&cache, &headers, |r| &r.summary, "application/json").await
}

/// One incident's public timeline (a browser page, left out of the OpenAPI document).
/// An id that is not even text (`%FF`) is no incident either: 404, as any other.
async fn incident(
    State(cache): State<Arc<StatusCache>>,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
    headers: HeaderMap,
) -> Response {
    let Some(rendering) = cache.get().await else { return unavailable() };
    let id = id.map(|Path(id)| id).unwrap_or_default();
    match rendering.incident_pages.get(&id) {
        Some(document) => serve(&headers, &rendering, document, HTML),
        None => {
            let mut response =
                (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, HTML)], Body::from(cache.not_found())).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_STALE));
            secure(response.headers_mut(), HTML);
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_is_read_as_a_list_of_tags() {
        let mut headers = HeaderMap::new();
        assert!(!matches(&headers, "\"abc\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"x\", W/\"abc\""));
        assert!(matches(&headers, "\"abc\""));
        assert!(!matches(&headers, "\"abd\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(matches(&headers, "\"abd\""));
    }
}
