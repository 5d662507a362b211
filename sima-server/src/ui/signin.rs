//! `GET|POST /ui/login` (a token: the API token or the read token) and
//! `POST /ui/logout`, both forms protected against cross-site requests.

use axum::extract::{Form, FromRequest, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::guard::matches;
use crate::state::AppState;
use crate::ui::access::{current_session, store_unavailable};
use crate::ui::filters::encode;
use crate::ui::layout::page;
use crate::ui::session::{cookie, random_token, set_cookie, SessionKey, FORM_COOKIE, SESSION_COOKIE, SESSION_HOURS};
use sima_core::ports::SessionRecord;

/// Where to go once signed in; only paths under `/ui/` are followed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Next {
    #[serde(default)]
    next: String,
}

pub(crate) fn local_target(next: &str) -> &str {
    if next.starts_with("/ui/") && !next.starts_with("//") && !next.contains(['\\', '\r', '\n']) {
        next
    } else {
        "/ui/"
    }
}

/// The sign-in form, with a fresh form cookie and its CSRF token.
fn form(state: &AppState, next: &str, error: Option<&str>, status: StatusCode) -> Response {
    let Some(nonce) = random_token() else {
        let body =
            html! { p.error { "This server cannot draw random numbers right now; please try again in a moment." } };
        return (StatusCode::SERVICE_UNAVAILABLE, page("Sign in", body)).into_response();
    };
    let csrf = SessionKey::of(&state.settings).form_csrf(&nonce);
    let settings = &state.settings;
    let tokens = settings.api_token.is_some() || settings.api_read_token.is_some();
    let body = html! {
        @if let Some(error) = error { p.error { (error) } }
        @if settings.ui.slack_sign_in() {
            p { a.slack href={ "/ui/login/slack?next=" (encode(local_target(next))) } { "Sign in with Slack" } }
        }
        @if tokens {
            form.signin method="post" action="/ui/login" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="next" value=(local_target(next));
                label { "Token (the API token or the read token) "
                    input type="password" name="token" autocomplete="current-password" required; }
                button type="submit" { "Sign in" }
            }
        }
    };
    let cookie = set_cookie(&state.settings, FORM_COOKIE, &nonce, 3600);
    (status, [(header::SET_COOKIE, cookie)], page("Sign in", body)).into_response()
}

/// `GET /ui/login`.
pub(crate) async fn show(State(state): State<AppState>, Query(next): Query<Next>) -> Response {
    form(&state, &next.next, None, StatusCode::OK)
}

/// The sign-in form as posted.
#[derive(Debug, Deserialize)]
pub(crate) struct SignIn {
    csrf: String,
    token: String,
    #[serde(default)]
    next: String,
}

/// `POST /ui/login`: a session for the holder of a token.
pub(crate) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form_data): Form<SignIn>,
) -> Response {
    let key = SessionKey::of(&state.settings);
    let expected = cookie(&state.settings, &headers, FORM_COOKIE).map(|nonce| key.form_csrf(nonce));
    if !expected.is_some_and(|e| SessionKey::csrf_matches(&e, &form_data.csrf)) {
        return form(&state, &form_data.next, Some("The form expired; please sign in again."), StatusCode::FORBIDDEN);
    }
    let settings = &state.settings;
    let user = if matches(&form_data.token, settings.api_token.as_ref()) {
        "token:api"
    } else if matches(&form_data.token, settings.api_read_token.as_ref()) {
        "token:read"
    } else {
        tracing::warn!("dashboard sign-in with a wrong token");
        return form(&state, &form_data.next, Some("That token is not right."), StatusCode::UNAUTHORIZED);
    };
    let value = match open_session(&state, user).await {
        Ok(value) => value,
        Err(refused) => return refused,
    };
    let session = set_cookie(settings, SESSION_COOKIE, &value, SESSION_HOURS * 3600);
    let forget_form = set_cookie(settings, FORM_COOKIE, "", 0);
    with_cookies(Redirect::to(local_target(&form_data.next)).into_response(), [session, forget_form])
}

/// Records a new session of `user` and returns its signed cookie value.
///
/// # Errors
/// The 503 page when there is no randomness or the store cannot record it.
pub(crate) async fn open_session(state: &AppState, user: &str) -> Result<String, Response> {
    let now = state.service.now();
    let Some(id) = random_token() else {
        let body =
            html! { p.error { "This server cannot draw random numbers right now; please try again in a moment." } };
        return Err((StatusCode::SERVICE_UNAVAILABLE, page("Sign in", body)).into_response());
    };
    let expires = now + chrono::Duration::hours(SESSION_HOURS);
    let record = SessionRecord { id: id.clone(), user: user.to_owned(), created_at: now, expires_at: expires };
    if let Err(error) = state.sessions.open_session(&record).await {
        tracing::warn!(%error, "could not record a dashboard session");
        return Err(store_unavailable());
    }
    tracing::info!(user, "signed in to the dashboard");
    Ok(SessionKey::of(&state.settings).sign_session(&id, user, expires))
}

/// `response` with these `Set-Cookie` values appended.
pub(crate) fn with_cookies(mut response: Response, cookies: impl IntoIterator<Item = String>) -> Response {
    for c in cookies {
        if let Ok(value) = c.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The sign-out form as posted.
#[derive(Debug, Deserialize)]
pub(crate) struct SignOut {
    csrf: String,
}

/// `POST /ui/logout`: revokes the session in the store, so its cookie is
/// useless on every replica, and forgets it in the browser (when the CSRF
/// token is the session's).
pub(crate) async fn sign_out(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let session = match current_session(&state, request.headers()).await {
        Ok(session) => session,
        Err(unavailable) => return unavailable,
    };
    let Ok(Form(form_data)) = Form::<SignOut>::from_request(request, &state).await else {
        return refused();
    };
    let key = SessionKey::of(&state.settings);
    match session {
        Some(session) if SessionKey::csrf_matches(&key.csrf(&session), &form_data.csrf) => {
            if let Err(error) = state.sessions.revoke_session(&session.id, state.service.now()).await {
                tracing::warn!(%error, "could not revoke a dashboard session");
                return store_unavailable();
            }
            tracing::info!(user = session.user, "signed out of the dashboard");
            let gone = set_cookie(&state.settings, SESSION_COOKIE, "", 0);
            ([(header::SET_COOKIE, gone)], Redirect::to("/ui/login")).into_response()
        }
        _ => refused(),
    }
}

fn refused() -> Response {
    (StatusCode::FORBIDDEN, page("Refused", html! { p.error { "This form is not from your session." } }))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dashboard_paths_are_followed_after_sign_in() {
        assert_eq!(local_target("/ui/metrics?period=7d"), "/ui/metrics?period=7d");
        assert_eq!(local_target("https://evil.example"), "/ui/");
        assert_eq!(local_target("//evil.example/ui/"), "/ui/");
    }
}
