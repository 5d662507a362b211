//! The web dashboard under `/ui/`: server-rendered pages (no JavaScript, no
//! asset from elsewhere), timeline exports, and the sign-in that guards them.
//!
//! # Layout
//! - `access`: who may see the dashboard (the API's loopback rule, sessions).
//! - [`routes`]: the `/ui` router and `/` → `/ui/`.
//! - `layout`: the page shell, the style sheet and the error page.
//! - `filters`: the query string of the list and metrics pages.
//! - `pages`: the incident list, the incident card, the metrics page.
//! - `charts`: bar charts drawn as inline SVG.
//! - `export`: the timeline as Markdown and CSV.
//! - `config`: [`UiSettings`], `SIMA_SESSION_KEY`.
//! - `session`: signed session cookies and CSRF tokens.
//! - `signin`: signing in with a token, and out.
//! - `oidc`: Sign in with Slack (OpenID Connect).

mod access;
mod charts;
mod config;
mod export;
mod filters;
mod layout;
mod oidc;
mod pages;
pub mod routes;
mod session;
mod signin;

pub use config::UiSettings;
pub use routes::router;
