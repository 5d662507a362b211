//! `sqlx::Error` to `PortError`: a busy or unreachable file is `Transient`,
//! unique violations are matched by constraint (SQLite names the index or the
//! columns in its message).

use sima_core::ports::PortError;

/// The partial unique index on open dedup keys.
pub(crate) const OPEN_DEDUP_KEY: &str = "incidents_open_dedup_key";
/// The incidents' primary key.
pub(crate) const INCIDENTS_PKEY: &str = "incidents_pkey";
/// The events' primary key `(incident_id, seq)`.
pub(crate) const EVENTS_PKEY: &str = "incident_events_pkey";

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

/// SQLite result codes that may pass: BUSY, LOCKED, IOERR, FULL, CANTOPEN, PROTOCOL.
fn transient_code(code: &str) -> bool {
    code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6 | 10 | 13 | 14 | 15))
}

/// Maps a sqlx error to the port's error.
pub(crate) fn port_error(err: sqlx::Error) -> PortError {
    match &err {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            PortError::Transient(err.to_string())
        }
        sqlx::Error::Database(db) => {
            if db.code().is_some_and(|c| transient_code(&c)) {
                PortError::Transient(err.to_string())
            } else if db.is_unique_violation() {
                let constraint = constraint_of(db.message());
                let what = match constraint {
                    OPEN_DEDUP_KEY => "a non-terminal incident already has this dedup key",
                    INCIDENTS_PKEY => "an incident with this id exists",
                    EVENTS_PKEY => "another writer appended these events first",
                    _ => "duplicate",
                };
                PortError::Conflict(format!("{what} ({constraint})"))
            } else {
                PortError::Invalid(err.to_string())
            }
        }
        sqlx::Error::RowNotFound => PortError::NotFound(err.to_string()),
        _ => PortError::Invalid(err.to_string()),
    }
}

/// Maps a migration failure to the port's error.
pub(crate) fn migrate_error(err: sqlx::migrate::MigrateError) -> PortError {
    match err {
        sqlx::migrate::MigrateError::Execute(e) => port_error(e),
        other => PortError::Invalid(format!("migrations: {other}")),
    }
}

/// A stored value that no longer reads back.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> PortError {
    PortError::Invalid(format!("stored {what} does not read back: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_and_io_are_transient() {
        for code in ["5", "517", "6", "10", "14"] {
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
