//! Dashboard sign-in sessions in `dashboard_sessions`: live while not
//! revoked and `now < expires_at` (times compare as text, see `time`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::ports::{PortError, SessionRecord, SessionStore};

use crate::db::Writer;
use crate::error::port_error;
use crate::store::SqliteStore;
use crate::time::{parse, ts};

/// `id, user_name, created_at, expires_at`.
type Row = (String, String, String, String);

/// What SQLite names the primary key in a unique violation's message.
const PKEY_COLUMN: &str = "dashboard_sessions.id";

/// Session `?1` if live at `?2`.
const LIVE_SESSION: &str = "SELECT id, user_name, created_at, expires_at FROM dashboard_sessions
     WHERE id = ?1 AND revoked_at IS NULL AND expires_at > ?2";

/// Live sessions at `?1`, newest first, at most `?2`.
const LIVE_SESSIONS: &str = "SELECT id, user_name, created_at, expires_at FROM dashboard_sessions
     WHERE revoked_at IS NULL AND expires_at > ?1
     ORDER BY created_at DESC, id DESC
     LIMIT ?2";

/// Sessions that expired before `?1`.
const FORGET_SESSIONS: &str = "DELETE FROM dashboard_sessions WHERE expires_at < ?1";

fn record((id, user, created_at, expires_at): Row) -> Result<SessionRecord, PortError> {
    Ok(SessionRecord { id, user, created_at: parse(&created_at)?, expires_at: parse(&expires_at)? })
}

/// A failed insert: `Conflict` when the id is taken (without naming it: ids
/// are bearer secrets), else the usual mapping.
fn open_error(err: sqlx::Error) -> PortError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() && db.message().contains(PKEY_COLUMN) => {
            PortError::Conflict("a session with this id exists (dashboard_sessions_pkey)".into())
        }
        _ => port_error(err),
    }
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn open_session(&self, session: &SessionRecord) -> Result<(), PortError> {
        let db = &self.db;
        let _write = db.write.lock(Writer::Foreground).await;
        sqlx::query("INSERT INTO dashboard_sessions (id, user_name, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(&session.id)
            .bind(&session.user)
            .bind(ts(session.created_at))
            .bind(ts(session.expires_at))
            .execute(&db.pool)
            .await
            .map_err(open_error)?;
        Ok(())
    }

    async fn live_session(&self, id: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>, PortError> {
        let row: Option<Row> = sqlx::query_as(LIVE_SESSION)
            .bind(id)
            .bind(ts(now))
            .fetch_optional(&self.db.pool)
            .await
            .map_err(port_error)?;
        row.map(record).transpose()
    }

    async fn revoke_session(&self, id: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
        let db = &self.db;
        let _write = db.write.lock(Writer::Foreground).await;
        let done = sqlx::query(
            "UPDATE dashboard_sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL AND expires_at > ?2",
        )
        .bind(id)
        .bind(ts(now))
        .execute(&db.pool)
        .await
        .map_err(port_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_user_sessions(&self, user: &str, now: DateTime<Utc>) -> Result<u64, PortError> {
        let db = &self.db;
        let _write = db.write.lock(Writer::Foreground).await;
        let done = sqlx::query(
            "UPDATE dashboard_sessions SET revoked_at = ?2
             WHERE user_name = ?1 AND revoked_at IS NULL AND expires_at > ?2",
        )
        .bind(user)
        .bind(ts(now))
        .execute(&db.pool)
        .await
        .map_err(port_error)?;
        Ok(done.rows_affected())
    }

    async fn live_sessions(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<SessionRecord>, PortError> {
        let rows: Vec<Row> = sqlx::query_as(LIVE_SESSIONS)
            .bind(ts(now))
            .bind(i64::from(limit))
            .fetch_all(&self.db.pool)
            .await
            .map_err(port_error)?;
        rows.into_iter().map(record).collect()
    }

    async fn forget_sessions_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
        let db = &self.db;
        let _write = db.write.lock(Writer::Background).await;
        let done = sqlx::query(FORGET_SESSIONS).bind(ts(cutoff)).execute(&db.pool).await.map_err(port_error)?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_plans::fresh_store;

    /// SQLite's plan for `sql` with a time bound to `?1`, and a limit to
    /// `?2` when `limited`.
    async fn plan(store: &SqliteStore, sql: &str, limited: bool) -> String {
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let mut query = sqlx::query_as(&explain).bind("2026-03-02T09:15:30.123Z");
        if limited {
            query = query.bind(10_i64);
        }
        let steps: Vec<(i64, i64, i64, String)> = query.fetch_all(store.pool()).await.expect("a plan");
        steps.into_iter().map(|(.., detail)| detail).collect::<Vec<_>>().join("\n")
    }

    #[tokio::test]
    async fn the_live_list_and_the_housekeeping_read_their_indexes() {
        let (store, _dir) = fresh_store().await;
        let live = plan(&store, LIVE_SESSIONS, true).await;
        assert!(live.contains("INDEX dashboard_sessions_live"), "{live}");
        assert!(!live.contains("TEMP B-TREE"), "sorted by the index, not afterwards: {live}");
        let forget = plan(&store, FORGET_SESSIONS, false).await;
        assert!(forget.contains("INDEX dashboard_sessions_expires_at"), "{forget}");
    }

    #[tokio::test]
    async fn an_existing_id_is_a_conflict_that_does_not_name_it() {
        let (store, _dir) = fresh_store().await;
        let at = DateTime::from_timestamp_millis(1_772_442_930_123).expect("a time");
        let session = SessionRecord { id: "5ec2e7".into(), user: "token:api".into(), created_at: at, expires_at: at };
        store.open_session(&session).await.expect("the first open");
        match store.open_session(&session).await {
            Err(PortError::Conflict(why)) => assert!(!why.contains("5ec2e7"), "{why}"),
            other => panic!("expected Conflict, got {other:?}"),
        }
    }
}
