//! `/api/v1/sessions`: the dashboard's live sessions, and revoking them.
//! Only the holder of `SIMA_API_TOKEN` (or a client on this machine under
//! the loopback default) may call these; the read token may not.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::json::JsonBody;
use crate::error::ApiError;
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

/// `GET /sessions`: `{"sessions": [{"id", "user", "created_at", "expires_at"}]}`, newest first.
pub(super) async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    admin_only(caller)?;
    let sessions = state.sessions.live_sessions(state.service.now(), LISTED).await?;
    let sessions: Vec<Value> = sessions
        .iter()
        .map(|s| json!({ "id": s.id, "user": s.user, "created_at": s.created_at, "expires_at": s.expires_at }))
        .collect();
    Ok(Json(json!({ "sessions": sessions })))
}

/// What to revoke: one session by id, or every session of one user.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RevokeBody {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

/// `POST /sessions/revoke` with `{"id"}` or `{"user"}`: `{"revoked": n}`.
/// The revoked cookies stop working at once on every replica.
pub(super) async fn revoke(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<RevokeBody>,
) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({ "revoked": revoked })))
}
