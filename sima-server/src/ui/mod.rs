//! The web dashboard under `/ui/`: server-rendered pages (no JavaScript, no
//! asset from elsewhere), timeline exports, and the sign-in that guards them.
//!
//! # Layout
//! - `access`: who may see the dashboard (the API's loopback rule, sessions).
//! - [`routes`]: the `/ui` router and `/` → `/ui/`.
//! - `layout`: the page shell, the style sheet, the error page, links to stored URLs.
//! - `headers`: the security headers of every answer (CSP, framing, caching).
//! - `filters`: the query string of the list and metrics pages.
//! - `field_filter`: the list's `type` and `field` filters, checked against the incident model.
//! - `pages`: the incident list, the incident card, the metrics page.
//! - `charts`: bar charts drawn as inline SVG.
//! - `export`: the timeline as Markdown and CSV.
//! - `config`: [`UiSettings`], `SIMA_SESSION_KEY`.
//! - `session`: signed session cookies and CSRF tokens.
//! - `signin`: signing in with a token, and out.
//! - `oidc`: Sign in with Slack (OpenID Connect).
//! - `visibility`: private incidents, shown only to those who may see them.

mod access;
mod charts;
mod config;
mod export;
mod field_filter;
mod filters;
mod headers;
mod layout;
mod oidc;
mod pages;
pub mod routes;
mod session;
mod signin;
mod visibility;

pub use config::UiSettings;
pub use routes::router;
pub(crate) use session::has_signed_session;

/// For the fuzz target `ui_filters`, not a stable API: the status the
/// dashboard's filters give `/ui/?{query}` as of `now` (200, or 400 for
/// filters it refuses); any other answer, or a panic, is a defect.
#[doc(hidden)]
pub fn filter_status(query: &str, now: chrono::DateTime<chrono::Utc>) -> u16 {
    filters::filter_status(query, now).as_u16()
}
