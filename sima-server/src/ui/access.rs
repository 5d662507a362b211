//! Who may see the dashboard: the API's rule. Without any credential
//! configured, loopback clients only; otherwise a signed-in session.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use crate::guard::{is_forwarded, peer};
use crate::settings::Settings;
use crate::state::AppState;
use crate::ui::filters::encode;
use crate::ui::layout::page;
use crate::ui::session::{cookie, SessionKey, SESSION_COOKIE};

/// Who is signed in, for the sign-out form.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    /// `token:api`, `token:read` or `slack:<user id>`.
    pub(crate) user: String,
    /// The CSRF token of this session's forms.
    pub(crate) csrf: String,
}

/// Whether a credential is configured, so loopback clients must sign in too.
pub(crate) fn sign_in_configured(settings: &Settings) -> bool {
    settings.api_token.is_some() || settings.api_read_token.is_some() || settings.ui.slack_sign_in()
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
    let settings = &state.settings;
    if !sign_in_configured(settings) {
        return if from_loopback(&request) { next.run(request).await } else { unconfigured() };
    }
    let key = SessionKey::of(settings);
    let session = cookie(request.headers(), SESSION_COOKIE).and_then(|value| key.verify(value, state.service.now()));
    match session {
        Some(session) => {
            let signed_in = SignedIn { csrf: key.csrf(&session), user: session.user };
            let mut request = request;
            request.extensions_mut().insert(signed_in);
            next.run(request).await
        }
        None => {
            let here = request.uri().path_and_query().map_or("/ui/", |p| p.as_str());
            Redirect::to(&format!("/ui/login?next={}", encode(here))).into_response()
        }
    }
}
