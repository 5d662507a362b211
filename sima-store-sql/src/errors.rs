//! The schema's unique constraints, what violating each means, and how a
//! failed SQL call becomes a [`PortError`].

use sima_core::domain::IncidentId;
use sima_core::ports::PortError;

/// The partial unique index on the dedup keys of non-terminal incidents.
pub const OPEN_DEDUP_KEY: &str = "incidents_open_dedup_key";
/// The incidents' primary key.
pub const INCIDENTS_PKEY: &str = "incidents_pkey";
/// The events' primary key `(incident_id, seq)`.
pub const EVENTS_PKEY: &str = "incident_events_pkey";

/// The `Conflict` a violation of the unique `constraint` means.
pub fn duplicate(constraint: &str) -> PortError {
    let what = match constraint {
        OPEN_DEDUP_KEY => "a non-terminal incident already has this dedup key",
        INCIDENTS_PKEY => "an incident with this id exists",
        EVENTS_PKEY => "another writer appended these events first",
        _ => "duplicate",
    };
    PortError::Conflict(format!("{what} ({constraint})"))
}

/// A stored value that no longer reads back.
pub fn corrupt(what: &str, detail: impl std::fmt::Display) -> PortError {
    PortError::Invalid(format!("stored {what} does not read back: {detail}"))
}

/// How a store classifies a failed SQL call; [`SqlFailure::port_error`]
/// turns it into the one error shape of the ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlFailure<'a> {
    /// The database is unreachable or busy for now.
    Unreachable,
    /// A unique constraint, by name, was violated.
    Unique(&'a str),
    /// The row asked for does not exist.
    NotFound,
    /// Anything else: the request or the data is wrong.
    Other,
}

impl SqlFailure<'_> {
    /// The port error, with the driver's `message`.
    pub fn port_error(self, message: String) -> PortError {
        match self {
            Self::Unreachable => PortError::Transient(message),
            Self::Unique(constraint) => duplicate(constraint),
            Self::NotFound => PortError::NotFound(message),
            Self::Other => PortError::Invalid(message),
        }
    }
}

/// Why an append's conditional update changed no row: the incident is
/// unknown (`stored` is `None`), or another writer moved it past `expected`.
pub fn append_refused(id: IncidentId, stored: Option<i64>, expected: u64) -> PortError {
    match stored {
        None => PortError::NotFound(format!("incident {id}")),
        Some(version) => PortError::Conflict(format!("incident {id} is at version {version}, not {expected}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_constraint_names_what_it_protects() {
        let PortError::Conflict(message) = SqlFailure::Unique(OPEN_DEDUP_KEY).port_error("raw".into()) else {
            panic!("a unique violation is a conflict")
        };
        assert_eq!(message, "a non-terminal incident already has this dedup key (incidents_open_dedup_key)");
        assert!(matches!(duplicate(EVENTS_PKEY), PortError::Conflict(m) if m.contains("appended these events first")));
        assert!(matches!(SqlFailure::Unreachable.port_error("busy".into()), PortError::Transient(m) if m == "busy"));
        assert!(matches!(SqlFailure::NotFound.port_error("gone".into()), PortError::NotFound(_)));
        assert!(matches!(SqlFailure::Other.port_error("bad".into()), PortError::Invalid(_)));
    }

    #[test]
    fn a_refused_append_tells_an_unknown_incident_from_a_stale_version() {
        let id = IncidentId::new();
        assert!(matches!(append_refused(id, None, 3), PortError::NotFound(_)));
        let PortError::Conflict(message) = append_refused(id, Some(5), 3) else { panic!("a stale version conflicts") };
        assert!(message.ends_with("is at version 5, not 3"), "{message}");
    }
}
