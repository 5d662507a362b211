//! Dashboard sign-in sessions in `dashboard_sessions`: live while not
//! revoked and `now < expires_at`; every replica reads the same rows.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sima_core::ports::{PortError, SessionRecord, SessionStore};

use crate::error::{port_error, unique_violation};
use crate::store::PgStore;

/// `id, user_name, created_at, expires_at`.
type Row = (String, String, DateTime<Utc>, DateTime<Utc>);

/// The sessions' primary key.
const PKEY: &str = "dashboard_sessions_pkey";

/// Session `$1` if live at `$2`.
const LIVE_SESSION: &str = "SELECT id, user_name, created_at, expires_at FROM dashboard_sessions
     WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2";

/// Live sessions at `$1`, newest first, at most `$2`.
const LIVE_SESSIONS: &str = "SELECT id, user_name, created_at, expires_at FROM dashboard_sessions
     WHERE revoked_at IS NULL AND expires_at > $1
     ORDER BY created_at DESC, id DESC
     LIMIT $2";

fn record((id, user, created_at, expires_at): Row) -> SessionRecord {
    SessionRecord { id, user, created_at, expires_at }
}

/// A failed insert: `Conflict` when the id is taken (without naming it: ids
/// are bearer secrets), else the usual mapping.
fn open_error(err: sqlx::Error) -> PortError {
    if unique_violation(&err) == Some(PKEY) {
        return PortError::Conflict(format!("a session with this id exists ({PKEY})"));
    }
    port_error(err)
}

#[async_trait]
impl SessionStore for PgStore {
    async fn open_session(&self, session: &SessionRecord) -> Result<(), PortError> {
        sqlx::query("INSERT INTO dashboard_sessions (id, user_name, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&session.id)
            .bind(&session.user)
            .bind(session.created_at)
            .bind(session.expires_at)
            .execute(&self.pool)
            .await
            .map_err(open_error)?;
        Ok(())
    }

    async fn live_session(&self, id: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>, PortError> {
        let row: Option<Row> =
            sqlx::query_as(LIVE_SESSION).bind(id).bind(now).fetch_optional(&self.pool).await.map_err(port_error)?;
        Ok(row.map(record))
    }

    async fn revoke_session(&self, id: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
        let done = sqlx::query(
            "UPDATE dashboard_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(port_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_user_sessions(&self, user: &str, now: DateTime<Utc>) -> Result<u64, PortError> {
        let done = sqlx::query(
            "UPDATE dashboard_sessions SET revoked_at = $2
             WHERE user_name = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(user)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(port_error)?;
        Ok(done.rows_affected())
    }

    async fn live_sessions(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<SessionRecord>, PortError> {
        let rows: Vec<Row> = sqlx::query_as(LIVE_SESSIONS)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(port_error)?;
        Ok(rows.into_iter().map(record).collect())
    }

    async fn forget_sessions_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
        let done = sqlx::query("DELETE FROM dashboard_sessions WHERE expires_at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await
            .map_err(port_error)?;
        Ok(done.rows_affected())
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::{PgStoreConfig, ScratchDatabase};

    /// PostgreSQL's plan for the live list, with sequential scans priced out
    /// (the test table is tiny): whether an index can serve it.
    async fn live_list_plan(store: &PgStore) -> String {
        let mut conn = store.pool().acquire().await.expect("a connection");
        sqlx::query("SET enable_seqscan = off").execute(&mut *conn).await.expect("set");
        let explain = format!("EXPLAIN {LIVE_SESSIONS}");
        let lines: Vec<(String,)> = sqlx::query_as(&explain)
            .bind(DateTime::<Utc>::UNIX_EPOCH)
            .bind(10_i64)
            .fetch_all(&mut *conn)
            .await
            .expect("a plan");
        lines.into_iter().map(|(line,)| line).collect::<Vec<_>>().join("\n")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_live_list_walks_its_index_without_sorting() {
        let Some(database) = ScratchDatabase::create("sima_test").await else { return };
        let store = PgStore::connect(&PgStoreConfig::new(database.url().to_owned())).await.expect("a store");
        let plan = live_list_plan(&store).await;
        assert!(plan.contains("Index Scan Backward using dashboard_sessions_live"), "{plan}");
        assert!(!plan.contains("Sort"), "ordered by the index: {plan}");
        store.close().await;
    }
}
