//! Pieces SQL stores share, so each store keeps only its dialect: the
//! indexed columns of an incident row, the shape of a claim, milestone rows
//! read back, the unique constraints of the schema and what violating each
//! means.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{ClaimToken, MilestoneRow, PortError};
use crate::domain::{Domain, Incident, IncidentId, IncidentNumber, Milestones};

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

/// A count or version as SQL stores it (saturating).
pub fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// An incident number read back from its column.
///
/// # Errors
/// `Invalid` when the column holds no valid number.
pub fn stored_number(value: i64) -> Result<IncidentNumber, PortError> {
    u64::try_from(value).ok().and_then(|n| IncidentNumber::new(n).ok()).ok_or_else(|| corrupt("number", value))
}

/// The columns an incident row is queried by, beside its JSON snapshot, in
/// the order of the `incidents` table: `id, number, version`, then
/// [`IncidentColumns::texts`], then [`IncidentColumns::times`].
#[derive(Debug, Clone, Copy)]
pub struct IncidentColumns<'a> {
    incident: &'a Incident,
}

impl<'a> IncidentColumns<'a> {
    /// The columns of `incident`.
    pub fn of(incident: &'a Incident) -> Self {
        Self { incident }
    }

    /// `number`.
    pub fn number(&self) -> i64 {
        to_i64(self.incident.number().value())
    }

    /// `version`.
    pub fn version(&self) -> i64 {
        to_i64(self.incident.version())
    }

    /// `status, domain, severity, summary, dedup_key, room_id`.
    pub fn texts(&self) -> [Option<&'a str>; 6] {
        let i = self.incident;
        [
            Some(i.status().as_str()),
            Some(i.domain().as_str()),
            Some(i.severity().as_str()),
            Some(i.summary().as_str()),
            i.dedup_key().map(|k| k.as_str()),
            i.room().map(|r| r.id.as_str()),
        ]
    }

    /// `declared_at, started_at, acknowledged_at, mitigated_at, resolved_at`.
    pub fn times(&self) -> [Option<DateTime<Utc>>; 5] {
        let m = self.incident.milestones();
        [Some(m.declared_at), Some(m.started_at), m.acknowledged_at, m.mitigated_at, m.resolved_at]
    }
}

/// One `claim_due` call: the token its leases carry, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimRequest {
    /// The new claim's token.
    pub token: ClaimToken,
    /// At most this many effects.
    pub limit: i64,
    /// The leases run until then.
    pub until: DateTime<Utc>,
}

impl ClaimRequest {
    /// A claim of up to `limit` effects at `now` for `lease`; `None` when
    /// `limit` is 0 (nothing to claim).
    ///
    /// # Errors
    /// `Invalid` when the lease is too long to be a time.
    pub fn new(limit: usize, now: DateTime<Utc>, lease: Duration) -> Result<Option<Self>, PortError> {
        if limit == 0 {
            return Ok(None);
        }
        let lease = chrono::Duration::from_std(lease).map_err(|e| PortError::Invalid(format!("lease: {e}")))?;
        let until = now.checked_add_signed(lease).ok_or_else(|| PortError::Invalid("lease: too long".into()))?;
        Ok(Some(Self { token: ClaimToken::new(), limit: to_i64(limit as u64), until }))
    }
}

/// A row of the milestones query, as read back from SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneColumns {
    /// `id`.
    pub id: IncidentId,
    /// `number`.
    pub number: i64,
    /// `domain`.
    pub domain: String,
    /// `severity`.
    pub severity: String,
    /// `status`.
    pub status: String,
    /// `declared_at, started_at, acknowledged_at, mitigated_at, resolved_at`.
    pub times: [Option<DateTime<Utc>>; 5],
}

impl TryFrom<MilestoneColumns> for MilestoneRow {
    type Error = PortError;

    fn try_from(row: MilestoneColumns) -> Result<Self, PortError> {
        let number = stored_number(row.number)?;
        let [declared, started, acknowledged_at, mitigated_at, resolved_at] = row.times;
        let (Some(declared_at), Some(started_at)) = (declared, started) else {
            return Err(corrupt("log", format!("{number} has no declared event")));
        };
        Ok(Self {
            id: row.id,
            number,
            domain: Domain::parse(&row.domain).map_err(|e| corrupt("domain", e))?,
            severity: row.severity.parse().map_err(|e| corrupt("severity", e))?,
            status: row.status.parse().map_err(|e| corrupt("status", e))?,
            milestones: Milestones { declared_at, started_at, acknowledged_at, mitigated_at, resolved_at },
        })
    }
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

/// The query for [`Incidents::milestones`](super::Incidents::milestones):
/// the columns [`MilestoneColumns`] reads, in its order, from `incidents`
/// aliased `i`, filtered by the store's `filter_sql`, by number.
pub fn milestones_query(filter_sql: &str) -> String {
    format!(
        "SELECT i.id, i.number, i.domain, i.severity, i.status,
                i.declared_at, i.started_at, i.acknowledged_at, i.mitigated_at, i.resolved_at
         FROM incidents i
         WHERE {filter_sql}
         ORDER BY i.number"
    )
}
