//! `/api/v1/sessions`: the dashboard's live sessions, and revoking them.
//! Only the holder of `SIMA_API_TOKEN` (or a client on this machine under
//! the loopback default) may call these; the read token may not.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sima_core::ports::SessionRecord;
use utoipa::ToSchema;

use super::json::JsonBody;
use crate::error::{ApiError, ErrorBody};
use crate::guard::Caller;
use crate::state::AppState;

/// How many sessions one listing shows at most.
const LISTED: u32 = 500;

fn admin_only(caller: Caller) -> Result<(), ApiError> {
    match caller {
        Caller::Admin | Caller::Local => Ok(()),
        Caller::Reader => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "sessions are managed with SIMA_API_TOKEN; the read token may not see them",
        )),
    }
}

/// A live dashboard session.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Session)]
pub(super) struct SessionView {
    /// Its id (what `POST /api/v1/sessions/revoke` takes).
    id: String,
    /// Whose: `token:api`, `token:read` or `slack:<user id>`.
    user: String,
    /// When it was opened.
    created_at: DateTime<Utc>,
    /// When it ends by itself.
    expires_at: DateTime<Utc>,
}

impl From<SessionRecord> for SessionView {
    fn from(s: SessionRecord) -> Self {
        Self { id: s.id, user: s.user, created_at: s.created_at, expires_at: s.expires_at }
    }
}

/// `GET /api/v1/sessions`: the live sessions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SessionList {
    /// At most 500 sessions.
    sessions: Vec<SessionView>,
}

/// Live dashboard sessions, newest first.
///
/// The API token only: the read token gets 403.
#[utoipa::path(
    get,
    path = "/sessions",
    operation_id = "list_sessions",
    tag = "sessions",
    security(("api_token" = [])),
    responses((status = 200, description = "The live sessions, newest first", body = SessionList)),
)]
pub(super) async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<SessionList>, ApiError> {
    admin_only(caller)?;
    let sessions = state.sessions.live_sessions(state.service.now(), LISTED).await?;
    Ok(Json(SessionList { sessions: sessions.into_iter().map(SessionView::from).collect() }))
}

/// What to revoke: one session by id, or every session of one user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SessionRevocation)]
pub(super) struct RevokeBody {
    /// One session, by its id.
    #[serde(default)]
    id: Option<String>,
    /// Every session of this user (`slack:U0123`, `token:api`, `token:read`).
    #[serde(default)]
    user: Option<String>,
}

/// `POST /api/v1/sessions/revoke`: how many sessions ended.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SessionsRevoked {
    /// Sessions revoked.
    revoked: u64,
}

/// End dashboard sessions: one by `id`, or every one of a `user`.
///
/// The revoked cookies stop working at once on every replica. The API token
/// only: the read token gets 403.
#[utoipa::path(
    post,
    path = "/sessions/revoke",
    operation_id = "revoke_sessions",
    tag = "sessions",
    security(("api_token" = [])),
    request_body = RevokeBody,
    responses(
        (status = 200, description = "How many sessions were revoked", body = SessionsRevoked),
        (status = 400, description = "Neither or both of `id` and `user`", body = ErrorBody),
    ),
)]
pub(super) async fn revoke(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<RevokeBody>,
) -> Result<Json<SessionsRevoked>, ApiError> {
    admin_only(caller)?;
    let now = state.service.now();
    let revoked = match (body.id.as_deref().map(str::trim), body.user.as_deref().map(str::trim)) {
        (Some(id), None) if !id.is_empty() => u64::from(state.sessions.revoke_session(id, now).await?),
        (None, Some(user)) if !user.is_empty() => state.sessions.revoke_user_sessions(user, now).await?,
        _ => {
            return Err(ApiError::invalid(
                "send exactly one of `id` (a session from GET /api/v1/sessions) or `user` (e.g. `slack:U0123`, \
                 `token:read`)",
            ))
        }
    };
    tracing::info!(revoked, "revoked dashboard sessions");
    Ok(Json(SessionsRevoked { revoked }))
}
