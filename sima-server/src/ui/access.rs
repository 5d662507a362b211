//! Who may see the dashboard: the API's rule. Without any credential
//! configured, loopback clients only; otherwise a signed-in session.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::guard::{is_forwarded, peer};
use crate::settings::Settings;
use crate::state::AppState;
use crate::ui::layout::page;

/// Whether a credential is configured, so loopback clients must sign in too.
pub(crate) fn sign_in_configured(settings: &Settings) -> bool {
    settings.api_token.is_some() || settings.api_read_token.is_some()
}

/// Whether the request comes straight from this machine.
pub(crate) fn from_loopback(request: &Request) -> bool {
    peer(request).is_some_and(|ip| ip.is_loopback()) && !is_forwarded(request.headers())
}

/// The 401 page of a server that has no way to sign in from afar.
fn unconfigured() -> Response {
    let body = html! {
        p { "This dashboard answers loopback clients only until a way to sign in is configured on the server." }
        p { "Set " code { "SIMA_API_TOKEN" } " (or " code { "SIMA_API_READ_TOKEN" } ") to sign in with a token, or "
            code { "SIMA_SLACK_CLIENT_ID" } " and " code { "SIMA_SLACK_CLIENT_SECRET" } " for Sign in with Slack." }
    };
    (StatusCode::UNAUTHORIZED, page("Sign-in is not configured", body)).into_response()
}

/// Guards every dashboard page; the style sheet and sign-in routes stay open.
pub(crate) async fn require_access(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !sign_in_configured(&state.settings) && from_loopback(&request) {
        return next.run(request).await;
    }
    unconfigured()
}
