//! Public updates: what the status page tells customers, published explicitly.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Severity, Text, ValidationError};

/// One update published on the status page, as the incident keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicUpdate {
    /// The `public_update_published` event that recorded it.
    pub seq: u64,
    /// When it was published.
    pub at: DateTime<Utc>,
    /// The stage announced.
    pub status: PublicStatus,
    /// The public title.
    pub title: String,
    /// What customers are told.
    pub message: Text,
    /// The status of the incident's components while it stands.
    pub component_status: ComponentStatus,
}

/// Where a hosted status page keeps an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedStatus {
    /// The hosted page's id for it.
    pub id: String,
    /// Its public link, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The stage a public update announces, in Atlassian Statuspage's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicStatus {
    /// The cause is being looked for.
    Investigating,
    /// The cause is known.
    Identified,
    /// A fix is out; watching.
    Monitoring,
    /// Over.
    Resolved,
}

impl PublicStatus {
    /// Every status, in order.
    pub const ALL: [Self; 4] = [Self::Investigating, Self::Identified, Self::Monitoring, Self::Resolved];

    /// The snake_case name (`investigating`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Investigating => "investigating",
            Self::Identified => "identified",
            Self::Monitoring => "monitoring",
            Self::Resolved => "resolved",
        }
    }
}

impl fmt::Display for PublicStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one of `all` whose `name` is `s` (trimmed, any case), else `refused(s)`.
fn parse_named<T: Copy>(
    all: [T; 4],
    name: fn(T) -> &'static str,
    s: &str,
    refused: fn(String) -> ValidationError,
) -> Result<T, ValidationError> {
    let s = s.trim();
    all.into_iter().find(|value| name(*value).eq_ignore_ascii_case(s)).ok_or_else(|| refused(s.to_owned()))
}

impl FromStr for PublicStatus {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named(Self::ALL, Self::as_str, s, ValidationError::PublicStatus)
    }
}

/// How a component is doing, in Atlassian Statuspage's words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentStatus {
    /// Working normally.
    #[default]
    Operational,
    /// Slow or erratic.
    DegradedPerformance,
    /// Down for some.
    PartialOutage,
    /// Down.
    MajorOutage,
}

impl ComponentStatus {
    /// Every status, from best to worst.
    pub const ALL: [Self; 4] = [Self::Operational, Self::DegradedPerformance, Self::PartialOutage, Self::MajorOutage];

    /// The snake_case name (`partial_outage`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operational => "operational",
            Self::DegradedPerformance => "degraded_performance",
            Self::PartialOutage => "partial_outage",
            Self::MajorOutage => "major_outage",
        }
    }

    /// What an incident of this severity does to its components, unless the
    /// publisher says otherwise: sev1 a major outage, sev2 a partial one,
    /// sev3 and sev4 degraded performance.
    pub fn for_severity(severity: Severity) -> Self {
        match severity {
            Severity::Sev1 => Self::MajorOutage,
            Severity::Sev2 => Self::PartialOutage,
            _ => Self::DegradedPerformance,
        }
    }
}

impl fmt::Display for ComponentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ComponentStatus {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named(Self::ALL, Self::as_str, s, ValidationError::ComponentStatus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_bad_ones_are_refused() {
        for status in PublicStatus::ALL {
            assert_eq!(status.as_str().parse::<PublicStatus>().unwrap(), status);
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for status in ComponentStatus::ALL {
            assert_eq!(status.as_str().parse::<ComponentStatus>().unwrap(), status);
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert_eq!(" Partial_Outage ".parse::<ComponentStatus>().unwrap(), ComponentStatus::PartialOutage);
        assert!(matches!("fixed".parse::<PublicStatus>(), Err(ValidationError::PublicStatus(s)) if s == "fixed"));
        assert!(matches!(" down".parse::<ComponentStatus>(), Err(ValidationError::ComponentStatus(s)) if s == "down"));
    }

    #[test]
    fn severity_sets_the_default_component_status() {
        assert_eq!(ComponentStatus::for_severity(Severity::Sev1), ComponentStatus::MajorOutage);
        assert_eq!(ComponentStatus::for_severity(Severity::Sev2), ComponentStatus::PartialOutage);
        assert_eq!(ComponentStatus::for_severity(Severity::Sev4), ComponentStatus::DegradedPerformance);
    }
}
