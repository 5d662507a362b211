//! The `/ui` router, and `/` redirecting there.

use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;

use super::{access, export, layout, oidc, pages, signin, visibility};
use crate::state::AppState;

/// The dashboard's routes, guarded by `access`, and `GET /` → `/ui/`.
pub fn router(state: AppState) -> Router<AppState> {
    let pages = Router::new()
        .route("/ui/", get(pages::list::list))
        .route("/ui/incidents/{number}", get(pages::incident::show))
        .route("/ui/incidents/{number}/timeline.md", get(export::markdown))
        .route("/ui/incidents/{number}/timeline.csv", get(export::csv))
        .route("/ui/metrics", get(pages::metrics::show))
        .route("/ui/follow-ups", get(pages::followups::show))
        .layer(middleware::from_fn_with_state(state.clone(), visibility::hide_private_pages))
        .layer(middleware::from_fn_with_state(state, access::require_access));
    Router::new()
        .route("/", get(|| async { Redirect::to("/ui/") }))
        .route("/ui", get(|| async { Redirect::to("/ui/") }))
        .route("/ui/style.css", get(layout::style))
        .route("/ui/login", get(signin::show).post(signin::submit))
        .route("/ui/logout", post(signin::sign_out))
        .route("/ui/login/slack", get(oidc::start))
        .route("/ui/login/slack/callback", get(oidc::callback))
        .merge(pages)
        .layer(middleware::from_fn(super::headers::secure))
}
