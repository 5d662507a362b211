//! `sqlx::Error` to `PortError`: a busy or unreachable file is `Transient`,
//! unique violations are matched by constraint (SQLite names the index or the
//! columns in its message).

use sima_core::ports::PortError;
pub(crate) use sima_store_sql::{corrupt, OPEN_DEDUP_KEY};
use sima_store_sql::{SqlFailure, EVENTS_PKEY, INCIDENTS_PKEY};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// Which of our unique constraints a SQLite message names.
fn constraint_of(message: &str) -> &'static str {
    if message.contains("incidents.dedup_key") || message.contains(OPEN_DEDUP_KEY) {
        OPEN_DEDUP_KEY
    } else if message.contains("incidents.id") {
        INCIDENTS_PKEY
    } else if message.contains("incident_events.incident_id") {
        EVENTS_PKEY
    } else {
        "unique constraint"
    }
}

/// The unique constraint `err` violated, if it is a unique violation.
pub(crate) fn unique_violation(err: &sqlx::Error) -> Option<&'static str> {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Some(constraint_of(db.message())),
        _ => None,
    }
}

/// SQLITE_READONLY, the primary result code of every read-only refusal.
const SQLITE_READONLY: i32 = 8;

/// SQLite result codes that may pass: BUSY, LOCKED, READONLY (the file or
/// its directory was made read-only, until an operator fixes it), IOERR,
/// FULL, CANTOPEN, PROTOCOL.
fn transient_code(code: &str) -> bool {
    code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6 | 8 | 10 | 13 | 14 | 15))
}

/// When this process last saw SQLITE_READONLY.
static READ_ONLY_SEEN: Mutex<Option<Instant>> = Mutex::new(None);

/// Whether a write was refused as read-only at or after `opened`.
///
/// SQLite opens a file it may not write read-only, and such a connection
/// stays read-only after the file is writable again. Connections opened
/// before the last refusal are closed when they go back to the pool (see
/// `store::in_step`), so the next ones open the file afresh.
pub(crate) fn read_only_since(opened: Instant) -> bool {
    READ_ONLY_SEEN.lock().unwrap_or_else(PoisonError::into_inner).is_some_and(|seen| seen >= opened)
}

fn note_read_only() {
    *READ_ONLY_SEEN.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
}

/// Maps a sqlx error to the port's error.
pub(crate) fn port_error(err: sqlx::Error) -> PortError {
    if let sqlx::Error::Database(db) = &err {
        if db.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == SQLITE_READONLY) {
            note_read_only();
        }
    }
    let failure = match &err {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            SqlFailure::Unreachable
        }
        sqlx::Error::Database(db) if db.code().is_some_and(|c| transient_code(&c)) => SqlFailure::Unreachable,
        sqlx::Error::Database(db) if db.is_unique_violation() => SqlFailure::Unique(constraint_of(db.message())),
        sqlx::Error::RowNotFound => SqlFailure::NotFound,
        _ => SqlFailure::Other,
    };
    failure.port_error(err.to_string())
}

/// Maps a migration failure to the port's error.
pub(crate) fn migrate_error(err: sqlx::migrate::MigrateError) -> PortError {
    match err {
        sqlx::migrate::MigrateError::Execute(e) => port_error(e),
        other => PortError::Invalid(format!("migrations: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_and_io_are_transient() {
        for code in ["5", "517", "6", "8", "1032", "10", "14"] {
            assert!(transient_code(code), "{code}");
        }
        for code in ["1", "19", "2067"] {
            assert!(!transient_code(code), "{code}");
        }
        assert!(matches!(port_error(sqlx::Error::PoolTimedOut), PortError::Transient(_)));
        assert!(matches!(port_error(sqlx::Error::RowNotFound), PortError::NotFound(_)));
    }

    #[test]
    fn constraints_are_named_from_the_message() {
        assert_eq!(constraint_of("UNIQUE constraint failed: incidents.dedup_key"), OPEN_DEDUP_KEY);
        assert_eq!(constraint_of("UNIQUE constraint failed: incidents.id"), INCIDENTS_PKEY);
        assert_eq!(
            constraint_of("UNIQUE constraint failed: incident_events.incident_id, incident_events.seq"),
            EVENTS_PKEY
        );
    }
}
