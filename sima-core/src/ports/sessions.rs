//! Dashboard sign-in sessions: the durable record behind a signed session
//! cookie, checked by every replica, so signing out (or revoking a user)
//! ends the session everywhere at once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::PortError;

/// One dashboard sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Random id (hex), carried in the signed cookie.
    pub id: String,
    /// Who: `token:api`, `token:read` or `slack:<user id>`.
    pub user: String,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it ends by itself.
    pub expires_at: DateTime<Utc>,
}

/// Dashboard sessions. A session is live while it is neither revoked nor
/// expired (`now < expires_at`). Stores may keep times to the millisecond
/// (SQLite does). Every implementation passes the checks of
/// `sima_core::testkit::contract::sessions` (`session_store_contract_tests!`).
///
/// Session ids are bearer secrets (with the cookie's signature): stores keep
/// them out of error messages and logs.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Records a new session. Opening an id that exists is `Conflict`.
    ///
    /// # Errors
    /// `Conflict` when a session with this id exists (live, revoked or
    /// expired but not yet forgotten); `Transient` when the database is
    /// unreachable or busy.
    async fn open_session(&self, session: &SessionRecord) -> Result<(), PortError>;

    /// The session `id` when it exists, is not revoked and has not expired at `now`.
    ///
    /// # Errors
    /// `Transient` when unreachable; `Invalid` when the stored row no longer
    /// reads back. An unknown, revoked or expired id is `Ok(None)`, never an error.
    async fn live_session(&self, id: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>, PortError>;

    /// Revokes session `id` at `now`; `true` if a live session was revoked (idempotent: `false` the second time).
    ///
    /// # Errors
    /// `Transient` when unreachable. An unknown, revoked or expired id is
    /// `Ok(false)`, not `NotFound`.
    async fn revoke_session(&self, id: &str, now: DateTime<Utc>) -> Result<bool, PortError>;

    /// Revokes every live session of `user` at `now`; returns how many.
    ///
    /// # Errors
    /// `Transient` when unreachable. A user without live sessions is `Ok(0)`.
    async fn revoke_user_sessions(&self, user: &str, now: DateTime<Utc>) -> Result<u64, PortError>;

    /// Live sessions at `now`, newest first, at most `limit`.
    ///
    /// Sessions opened at the same instant come by id, highest first.
    ///
    /// # Errors
    /// `Transient` when unreachable; `Invalid` when a stored row no longer reads back.
    async fn live_sessions(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<SessionRecord>, PortError>;

    /// Deletes sessions that expired before `cutoff` (revoked or not); returns how many.
    ///
    /// A session expiring exactly at `cutoff` is kept; a revoked one that
    /// has not expired by then is kept too (its id stays taken).
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn forget_sessions_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError>;
}
