//! Who may see the dashboard. Without any credential configured, the API's
//! loopback default; otherwise a signed-in session that the store still
//! holds, of a principal this configuration knows.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use crate::guard::is_local;
use crate::settings::Settings;
use crate::state::AppState;
use crate::ui::filters::encode;
use crate::ui::layout::page;
use crate::ui::session::{cookie, Session, SessionKey, SESSION_COOKIE};

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

/// Whether `user` names a principal these settings can sign in: a token
/// that is configured, or a Slack user id when Sign in with Slack is.
pub(crate) fn known_principal(settings: &Settings, user: &str) -> bool {
    match user {
        "token:api" => settings.api_token.is_some(),
        "token:read" => settings.api_read_token.is_some(),
        _ => user.strip_prefix("slack:").is_some_and(|id| {
            settings.ui.slack_sign_in() && (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric())
        }),
    }
}

/// The 401 page of a server that has no way to sign in from afar.
fn unconfigured() -> Response {
    let body = html! {
        p { "This dashboard answers clients on this machine only (while the server listens on a loopback address \
             and no proxy is declared) until a way to sign in is configured on the server." }
        p { "Set " code { "SIMA_API_TOKEN" } " (or " code { "SIMA_API_READ_TOKEN" } ") to sign in with a token, or "
            code { "SIMA_SLACK_CLIENT_ID" } " and " code { "SIMA_SLACK_CLIENT_SECRET" } " for Sign in with Slack." }
    };
    (StatusCode::UNAUTHORIZED, page("Sign-in is not configured", body)).into_response()
}

/// The page shown when the store cannot say whether a session holds.
pub(crate) fn store_unavailable() -> Response {
    let body =
        html! { p.error { "Sessions cannot be checked right now (storage unavailable); please retry shortly." } };
    (StatusCode::SERVICE_UNAVAILABLE, [(axum::http::header::RETRY_AFTER, "2")], page("Unavailable", body))
        .into_response()
}

/// The session of a request, if its cookie is signed, names a known
/// principal and the store still holds it.
///
/// # Errors
/// The store cannot be reached: the 503 page.
pub(crate) async fn current_session(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, Response> {
    let settings = &state.settings;
    let now = state.service.now();
    let Some(session) = cookie(settings, headers, SESSION_COOKIE)
        .and_then(|value| SessionKey::of(settings).verify_session(value, now))
        .filter(|session| known_principal(settings, &session.user))
    else {
        return Ok(None);
    };
    match state.sessions.live_session(&session.id, now).await {
        Ok(Some(record)) if record.user == session.user => Ok(Some(session)),
        Ok(_) => Ok(None),
        Err(error) => {
            tracing::warn!(%error, "could not check a dashboard session");
            Err(store_unavailable())
        }
    }
}

/// Guards every dashboard page; the style sheet and sign-in routes stay open.
pub(crate) async fn require_access(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let settings = &state.settings;
    if !sign_in_configured(settings) {
        return if is_local(settings, &request) { next.run(request).await } else { unconfigured() };
    }
    match current_session(&state, request.headers()).await {
        Ok(Some(session)) => {
            let signed_in = SignedIn { csrf: SessionKey::of(settings).csrf(&session), user: session.user };
            let mut request = request;
            request.extensions_mut().insert(signed_in);
            next.run(request).await
        }
        Ok(None) => {
            let here = request.uri().path_and_query().map_or("/ui/", |p| p.as_str());
            Redirect::to(&format!("/ui/login?next={}", encode(here))).into_response()
        }
        Err(unavailable) => unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Secret;

    #[test]
    fn only_principals_of_this_configuration_are_known() {
        let mut settings = Settings::default();
        assert!(!known_principal(&settings, "token:api"), "no token configured");
        settings.api_token = Some(Secret::new("0123456789abcdef0123"));
        assert!(known_principal(&settings, "token:api"));
        assert!(!known_principal(&settings, "token:read"));
        assert!(!known_principal(&settings, "slack:U1"), "Sign in with Slack is off");
        settings.ui.slack_client_id = Some("1.2".into());
        settings.ui.slack_client_secret = Some(Secret::new("secret-0123456789"));
        assert!(known_principal(&settings, "slack:U0123ABC"));
        for forged in ["slack:", "slack:U1 x", "state nonce /ui/", "admin", "slack:U1/../x"] {
            assert!(!known_principal(&settings, forged), "{forged}");
        }
    }
}
