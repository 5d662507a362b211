//! Private incidents: who may see them, and the answers that hide them.
//!
//! | viewer | sees a private incident |
//! |---|---|
//! | the API token, the loopback default, a dashboard session signed in with the API token | always |
//! | the read token, a dashboard session signed in with it | never |
//! | a dashboard session signed in with Slack (`slack:<id>`) | when that person is in its room |
//!
//! Being in the room is what SIMA recorded ([`room_members`]): the reporter,
//! everyone it invited, everyone it saw join, and every role holder.
//! A hidden incident is answered exactly like one that does not exist (404,
//! same message), so that its existence does not leak; in lists it is left
//! out. Metrics still count it: they show numbers, never its fields.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sima_core::domain::{room_members, Incident, IncidentRef, UserRef};
use sima_core::ports::IncidentFilter;
use sima_core::ServiceError;

use super::Caller;
use crate::api::naming::incident_ref;
use crate::error::ApiError;
use crate::state::AppState;

/// Who is looking, as far as private incidents go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Viewer {
    /// Sees every incident (an administrator).
    Everyone,
    /// Sees public incidents only (the read token).
    PublicOnly,
    /// Sees public incidents and the private ones whose room this person is in.
    Member(UserRef),
}

impl Viewer {
    /// What an API caller sees.
    pub(crate) fn of(caller: Caller) -> Self {
        match caller {
            Caller::Admin | Caller::Local => Self::Everyone,
            Caller::Reader => Self::PublicOnly,
        }
    }

    /// Whether this viewer may see `incident` (reads its log only when it is private).
    ///
    /// # Errors
    /// The store failed.
    pub(crate) async fn can_see(&self, state: &AppState, incident: &Incident) -> Result<bool, ServiceError> {
        if !incident.is_private() {
            return Ok(true);
        }
        match self {
            Self::Everyone => Ok(true),
            Self::PublicOnly => Ok(false),
            Self::Member(user) => {
                let (_, events) = state.service.timeline(IncidentRef::Id(incident.id())).await?;
                Ok(room_members(&events).contains(user))
            }
        }
    }

    /// The incidents of `filter` this viewer may see, newest first, at most
    /// `filter.limit` of them: hidden ones are skipped and the window widened
    /// so that a page stays full while more incidents follow.
    ///
    /// # Errors
    /// The store failed.
    pub(crate) async fn list(&self, state: &AppState, filter: &IncidentFilter) -> Result<Vec<Incident>, ServiceError> {
        if *self == Self::Everyone {
            return state.service.list(filter).await;
        }
        let mut window = filter.clone();
        loop {
            let rows = state.service.list(&window).await?;
            let complete = window.limit.is_none_or(|limit| rows.len() < limit);
            let mut visible = Vec::with_capacity(rows.len());
            for incident in rows.iter() {
                if self.can_see(state, incident).await? {
                    visible.push(incident.clone());
                }
            }
            let hidden = rows.len() - visible.len();
            match filter.limit {
                Some(limit) if !complete && visible.len() < limit => {
                    window.limit = Some(rows.len() + hidden.max(limit - visible.len()));
                }
                Some(limit) => return Ok(visible.into_iter().take(limit).collect()),
                None => return Ok(visible),
            }
        }
    }
}

/// The answer for a hidden incident: the very answer of a missing one.
pub(crate) fn not_found(reference: IncidentRef) -> ServiceError {
    ServiceError::NotFound(match reference {
        IncidentRef::Id(id) => id.to_string(),
        IncidentRef::Number(n) => n.to_string(),
    })
}

/// The incident a path names, if it is a per-incident route:
/// `/incidents/{id}…` under the API, or `/postmortems/{INC-n}.md`.
fn named_incident(path: &str) -> Option<&str> {
    // Under `/api/v1` (nested routers see the path without it, logs with it).
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let mut segments = path.trim_start_matches('/').split('/');
    match (segments.next(), segments.next()) {
        (Some("incidents"), Some(id)) if !id.is_empty() => Some(id),
        (Some("postmortems"), Some(file)) => file.strip_suffix(".md").filter(|n| !n.is_empty()),
        _ => None,
    }
}

/// Answers 404 for a private incident the caller may not see, on every
/// per-incident API route and the Markdown post-mortems. Runs after
/// [`require_api_token`](super::require_api_token); a request without a
/// [`Caller`] is treated as the read token's (it sees the least).
pub async fn hide_private(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let viewer = request.extensions().get::<Caller>().map_or(Viewer::PublicOnly, |caller| Viewer::of(*caller));
    if viewer == Viewer::Everyone {
        return next.run(request).await;
    }
    let Some(reference) = named_incident(request.uri().path()).and_then(|id| incident_ref(id).ok()) else {
        return next.run(request).await;
    };
    let hidden = match state.service.get(reference).await {
        Ok(incident) => viewer.can_see(&state, &incident).await.map(|seen| !seen),
        Err(ServiceError::NotFound(_)) => Ok(false),
        Err(error) => Err(error),
    };
    match hidden {
        Ok(false) => next.run(request).await,
        Ok(true) => ApiError::from(not_found(reference)).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_incident_routes_name_their_incident() {
        assert_eq!(named_incident("/incidents/INC-7"), Some("INC-7"));
        assert_eq!(named_incident("/api/v1/incidents/INC-7/timeline"), Some("INC-7"));
        assert_eq!(named_incident("/incidents/INC-7/actions/1/done"), Some("INC-7"));
        assert_eq!(named_incident("/postmortems/INC-7.md"), Some("INC-7"));
        assert_eq!(named_incident("/incidents"), None);
        assert_eq!(named_incident("/incidents/"), None);
        assert_eq!(named_incident("/metrics"), None);
        assert_eq!(named_incident("/postmortems/x.txt"), None);
    }
}
