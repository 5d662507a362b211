//! An incident row's indexed columns, the milestones and counts queries and
//! their rows, and numbers as SQL stores them.

use chrono::{DateTime, Utc};
use sima_core::domain::{Domain, Incident, IncidentId, IncidentNumber, Milestones};
use sima_core::ports::{IncidentCounts, MilestoneRow, PortError};

use crate::errors::corrupt;

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

/// The query behind [`Incidents::milestones`](sima_core::ports::Incidents::milestones):
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

/// The query behind [`Incidents::incident_counts`](sima_core::ports::Incidents::incident_counts):
/// `(status, severity, count)` rows, counted by the database.
pub const INCIDENT_COUNTS_QUERY: &str = "SELECT status, severity, count(*) FROM incidents GROUP BY status, severity";

/// The rows of [`INCIDENT_COUNTS_QUERY`] as counts.
///
/// # Errors
/// `Invalid` when a stored status or severity does not parse.
pub fn incident_counts(rows: impl IntoIterator<Item = (String, String, i64)>) -> Result<IncidentCounts, PortError> {
    let mut counts = IncidentCounts::default();
    for (status, severity, n) in rows {
        let status = status.parse().map_err(|e| corrupt("status", e))?;
        let severity = severity.parse().map_err(|e| corrupt("severity", e))?;
        counts.add(status, severity, u64::try_from(n).unwrap_or_default());
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sima_core::domain::{Severity, Status};

    fn row(number: i64, times: [Option<DateTime<Utc>>; 5]) -> MilestoneColumns {
        MilestoneColumns {
            id: IncidentId::new(),
            number,
            domain: "payments".into(),
            severity: "sev2".into(),
            status: "resolved".into(),
            times,
        }
    }

    #[test]
    fn count_rows_read_back_or_say_what_is_corrupt() {
        let rows = [("open".to_owned(), "sev1".to_owned(), 3), ("resolved".to_owned(), "sev1".to_owned(), 2)];
        let counts = incident_counts(rows).unwrap();
        assert_eq!((counts.get(Status::Open, Severity::Sev1), counts.total()), (3, 5));
        let corrupt = incident_counts([("opened".to_owned(), "sev1".to_owned(), 1)]).unwrap_err();
        assert!(matches!(&corrupt, PortError::Invalid(m) if m.contains("status")), "{corrupt}");
    }

    #[test]
    fn a_milestone_row_reads_back_or_says_what_is_corrupt() {
        let at: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let read = MilestoneRow::try_from(row(7, [Some(at), Some(at), None, None, Some(at)])).unwrap();
        assert_eq!((read.number.value(), read.severity, read.status), (7, Severity::Sev2, Status::Resolved));
        assert_eq!(read.milestones.resolved_at, Some(at));
        let no_declaration = MilestoneRow::try_from(row(7, [None, Some(at), None, None, None])).unwrap_err();
        assert!(matches!(&no_declaration, PortError::Invalid(m) if m.contains("INC-7 has no declared event")));
        assert!(matches!(MilestoneRow::try_from(row(0, [Some(at); 5])), Err(PortError::Invalid(_))));
    }

    #[test]
    fn counts_saturate_and_numbers_out_of_range_are_corrupt() {
        assert_eq!(to_i64(u64::MAX), i64::MAX);
        assert_eq!(stored_number(42).unwrap().value(), 42);
        assert!(stored_number(-1).is_err());
    }
}
