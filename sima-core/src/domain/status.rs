//! Incident statuses and the transitions allowed between them.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::ValidationError;

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Declared, nobody has acknowledged it yet.
    Open,
    /// Someone is looking into it.
    Investigating,
    /// The cause is known.
    Identified,
    /// A fix or mitigation is in place and being watched.
    Monitoring,
    /// Customers are no longer affected.
    Resolved,
    /// It was not an incident after all (terminal).
    FalsePositive,
    /// Resolved and its post-mortem is done (terminal).
    Closed,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 7] = [
        Self::Open,
        Self::Investigating,
        Self::Identified,
        Self::Monitoring,
        Self::Resolved,
        Self::FalsePositive,
        Self::Closed,
    ];

    /// The snake_case name used in commands, APIs and storage.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Investigating => "investigating",
            Self::Identified => "identified",
            Self::Monitoring => "monitoring",
            Self::Resolved => "resolved",
            Self::FalsePositive => "false_positive",
            Self::Closed => "closed",
        }
    }

    /// Whether nothing can happen to the incident any more.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::FalsePositive | Self::Closed)
    }

    /// Whether customers may still be affected (not resolved, not terminal).
    pub fn is_active(&self) -> bool {
        !matches!(self, Self::Resolved | Self::FalsePositive | Self::Closed)
    }

    /// The statuses reachable from this one.
    pub fn next(&self) -> &'static [Status] {
        use Status::*;
        match self {
            Open => &[Investigating, Identified, Monitoring, Resolved, FalsePositive],
            Investigating => &[Identified, Monitoring, Resolved, FalsePositive],
            Identified => &[Investigating, Monitoring, Resolved, FalsePositive],
            Monitoring => &[Investigating, Identified, Resolved],
            Resolved => &[Investigating, Closed],
            FalsePositive | Closed => &[],
        }
    }

    /// Whether moving from `self` to `to` is allowed.
    pub fn can_become(&self, to: Status) -> bool {
        self.next().contains(&to)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == norm)
            .ok_or_else(|| ValidationError::Status(s.trim().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    /// The whole table of docs/architecture.md#statuses, as (from, to, allowed).
    #[test]
    fn every_transition_is_pinned() {
        let allowed: &[(Status, &[Status])] = &[
            (Open, &[Investigating, Identified, Monitoring, Resolved, FalsePositive]),
            (Investigating, &[Identified, Monitoring, Resolved, FalsePositive]),
            (Identified, &[Investigating, Monitoring, Resolved, FalsePositive]),
            (Monitoring, &[Investigating, Identified, Resolved]),
            (Resolved, &[Investigating, Closed]),
            (FalsePositive, &[]),
            (Closed, &[]),
        ];
        let mut checked = 0;
        for (from, tos) in allowed {
            for to in Status::ALL {
                assert_eq!(from.can_become(to), tos.contains(&to), "{from} -> {to}");
                checked += 1;
            }
        }
        assert_eq!(checked, 49);
    }

    #[test]
    fn terminal_statuses() {
        assert!(FalsePositive.is_terminal() && Closed.is_terminal());
        assert!(!Resolved.is_terminal());
    }

    #[test]
    fn parses_loosely() {
        assert_eq!("False-Positive".parse::<Status>().unwrap(), FalsePositive);
        let err = "done".parse::<Status>().unwrap_err().to_string();
        assert!(err.contains("investigating"), "{err}");
    }
}
