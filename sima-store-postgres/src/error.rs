//! `sqlx::Error` to `PortError`: outages are `Transient`, unique violations
//! are matched by constraint name.

use sima_core::ports::PortError;
use sima_store_sql::SqlFailure;
pub(crate) use sima_store_sql::{corrupt, OPEN_DEDUP_KEY};

/// The name of the unique constraint `err` violated, if it is a unique violation.
pub(crate) fn unique_violation(err: &sqlx::Error) -> Option<&str> {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Some(db.constraint().unwrap_or("")),
        _ => None,
    }
}

/// Whether a SQLSTATE means the database is (for now) unreachable or busy.
fn transient_sqlstate(code: &str) -> bool {
    // 08: connection exception; 53: insufficient resources; 57P0x: shutdown,
    // crash or startup; 58: system error; 40001/40P01: serialization failure
    // and deadlock; 55P03: lock not available.
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57P")
        || code.starts_with("58")
        || matches!(code, "40001" | "40P01" | "55P03")
}

/// Maps a sqlx error to the port's error.
pub(crate) fn port_error(err: sqlx::Error) -> PortError {
    let failure = match &err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => SqlFailure::Unreachable,
        sqlx::Error::Database(db) if db.code().is_some_and(|c| transient_sqlstate(&c)) => SqlFailure::Unreachable,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            SqlFailure::Unique(db.constraint().unwrap_or("unique constraint"))
        }
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
    fn outages_are_transient() {
        let io = sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused"));
        assert!(matches!(port_error(io), PortError::Transient(_)));
        assert!(matches!(port_error(sqlx::Error::PoolTimedOut), PortError::Transient(_)));
        assert!(matches!(port_error(sqlx::Error::PoolClosed), PortError::Transient(_)));
        for code in ["08006", "57P01", "57P03", "53300", "40001", "40P01"] {
            assert!(transient_sqlstate(code), "{code}");
        }
        for code in ["23505", "42P01", "22P02"] {
            assert!(!transient_sqlstate(code), "{code}");
        }
    }

    #[test]
    fn other_errors_are_not_retried() {
        assert!(matches!(port_error(sqlx::Error::RowNotFound), PortError::NotFound(_)));
        assert!(matches!(port_error(sqlx::Error::ColumnNotFound("x".into())), PortError::Invalid(_)));
    }
}
