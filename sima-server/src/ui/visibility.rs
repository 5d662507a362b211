//! Private incidents on the dashboard: who is looking (a token session
//! follows its token's rule; a Slack session sees the private incidents whose
//! room its person is in), and the 404 that hides the pages of the others.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sima_core::domain::{IncidentRef, UserRef};
use sima_core::ServiceError;

use crate::guard::visibility::{not_found, Viewer};
use crate::settings::Settings;
use crate::state::AppState;
use crate::ui::access::{sign_in_configured, SignedIn};
use crate::ui::layout::PageError;

/// Who the dashboard is showing pages to. Without a session, only the
/// loopback default (no way to sign in configured) sees everything.
pub(crate) fn viewer(settings: &Settings, signed_in: Option<&SignedIn>) -> Viewer {
    let Some(signed_in) = signed_in else {
        return if sign_in_configured(settings) { Viewer::PublicOnly } else { Viewer::Everyone };
    };
    match signed_in.user.as_str() {
        "token:api" => Viewer::Everyone,
        user => match user.strip_prefix("slack:").map(UserRef::parse) {
            Some(Ok(person)) => Viewer::Member(person),
            _ => Viewer::PublicOnly,
        },
    }
}

/// The incident number of an `/ui/incidents/{INC-n}…` path, if written as one.
fn named_number(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/ui/incidents/")?;
    let number = rest.split('/').next().filter(|n| !n.is_empty())?;
    crate::api::naming::written_as_number(number).then_some(number)
}

/// Answers a private incident's pages (card, timeline exports) to those who
/// may not see it exactly as those of a missing incident. Runs after the
/// sign-in check, which put the session in the request.
pub(crate) async fn hide_private_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let viewer = viewer(&state.settings, request.extensions().get::<SignedIn>());
    if viewer == Viewer::Everyone {
        return next.run(request).await;
    }
    let Some(Ok(number)) = named_number(request.uri().path()).map(|n| n.parse()) else {
        return next.run(request).await;
    };
    let reference = IncidentRef::Number(number);
    let hidden = match state.service.get(reference).await {
        Ok(incident) => viewer.can_see(&state, &incident).await.map(|seen| !seen),
        Err(ServiceError::NotFound(_)) => Ok(false),
        Err(error) => Err(error),
    };
    match hidden {
        Ok(false) => next.run(request).await,
        Ok(true) => PageError::from(not_found(reference)).into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_pages_name_their_number() {
        assert_eq!(named_number("/ui/incidents/INC-7"), Some("INC-7"));
        assert_eq!(named_number("/ui/incidents/INC-7/timeline.csv"), Some("INC-7"));
        assert_eq!(named_number("/ui/incidents/"), None);
        assert_eq!(named_number("/ui/metrics"), None);
    }

    #[test]
    fn token_sessions_follow_their_token_and_slack_sessions_their_rooms() {
        let settings = Settings::default();
        let session = |user: &str| SignedIn { user: user.into(), csrf: String::new() };
        assert_eq!(viewer(&settings, Some(&session("token:api"))), Viewer::Everyone);
        assert_eq!(viewer(&settings, Some(&session("token:read"))), Viewer::PublicOnly);
        assert_eq!(viewer(&settings, Some(&session("slack:U1"))), Viewer::Member(UserRef::parse("U1").unwrap()));
        assert_eq!(viewer(&settings, Some(&session("slack:"))), Viewer::PublicOnly);
        assert_eq!(viewer(&settings, None), Viewer::Everyone, "the loopback default, nothing configured");
    }
}
