//! Scratch databases for tests (feature `testing`): one fresh PostgreSQL
//! database per test, dropped afterwards, on the server named by
//! `SIMA_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//!
//! With `SIMA_SKIP_POSTGRES=1` nothing is created: a
//! `SIMA_POSTGRES_TESTS_SKIPPED` line is printed on stderr instead, which CI
//! greps to refuse a run that skipped them (see `scripts/test`). Otherwise an
//! unreachable server fails the test.

use std::io::Write;

use sqlx::{Connection, PgConnection};

/// The server when `SIMA_TEST_DATABASE_URL` is not set.
const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database created for one test; dropped (with its connections) on drop.
#[derive(Debug)]
pub struct ScratchDatabase {
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// The server tests use: `SIMA_TEST_DATABASE_URL`, else the local one.
    pub fn server_url() -> String {
        std::env::var("SIMA_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_SERVER.into())
    }

    /// Whether PostgreSQL tests are skipped (`SIMA_SKIP_POSTGRES=1`); if so,
    /// prints the `SIMA_POSTGRES_TESTS_SKIPPED` line naming the current test.
    pub fn skipped() -> bool {
        if std::env::var("SIMA_SKIP_POSTGRES").as_deref() != Ok("1") {
            return false;
        }
        let test = std::thread::current().name().unwrap_or("?").to_owned();
        // Straight to stderr, past the test harness's capture.
        let _ = writeln!(std::io::stderr(), "SIMA_POSTGRES_TESTS_SKIPPED: {test} skipped (SIMA_SKIP_POSTGRES=1)");
        true
    }

    /// Creates `<prefix>_<uuid>` on the test server; `None` when skipped.
    ///
    /// # Panics
    /// When the server is unreachable or refuses to create the database: the
    /// test cannot run, and must not pass silently.
    pub async fn create(prefix: &str) -> Option<Self> {
        if Self::skipped() {
            return None;
        }
        let server = Self::server_url();
        let mut admin = PgConnection::connect(&server).await.unwrap_or_else(|e| {
            panic!("PostgreSQL at {server} is unreachable ({e}); set SIMA_SKIP_POSTGRES=1 to skip")
        });
        let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let _ = admin.close().await;
        let url = with_database(&server, &name);
        Some(Self { name, url })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (name, server) = (self.name.clone(), Self::server_url());
        // Dropping needs async I/O, also while a failed test unwinds: a
        // runtime of its own, on a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&server).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(&drop).execute(&mut admin).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// `server` with its database replaced by `database` (query string kept).
pub fn with_database(server: &str, database: &str) -> String {
    let (head, query) = server.split_once('?').map_or((server, None), |(h, q)| (h, Some(q)));
    let (scheme, rest) = head.split_once("://").unwrap_or(("postgres", head));
    let host = rest.split_once('/').map_or(rest, |(h, _)| h);
    match query {
        Some(q) => format!("{scheme}://{host}/{database}?{q}"),
        None => format!("{scheme}://{host}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn urls_point_at_the_scratch_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
