//! `POST /teams/messages`, the Bot Framework's messaging endpoint: every
//! request is checked against its Bot Framework token, tenant, team and
//! Connector by `sima-teams` before the core sees it. The route sits behind
//! the server's body limit, timeout and overload layers, like Slack's, and
//! not behind the API token: the Bot Framework cannot send one.

use axum::http::StatusCode;
use axum::routing::any;
use axum::Router;
use sima_teams::TeamsState;

use crate::error::ApiError;

async fn teams_unconfigured() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Teams requests cannot be verified: set SIMA_CHAT=teams and the SIMA_TEAMS_* settings on the server",
    )
}

/// The routes under `/teams`: the messaging endpoint when Teams is the chat,
/// else a 401 that says what to set.
pub fn routes(teams: Option<TeamsState>) -> Router {
    match teams {
        Some(state) => sima_teams::router(state),
        None => Router::new().route("/{*rest}", any(teams_unconfigured)),
    }
}
