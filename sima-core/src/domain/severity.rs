//! Severity levels, `sev1` (critical) to `sev4` (minor).

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::ValidationError;

/// How bad an incident is. `Sev1` is the worst; the ordering follows urgency
/// (`Sev1 > Sev4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Critical: customers' business is stopped.
    Sev1,
    /// Major: a core feature is broken or badly degraded for many customers.
    Sev2,
    /// Moderate: a feature is degraded, a workaround exists.
    Sev3,
    /// Minor: cosmetic or very limited impact.
    Sev4,
}

impl Severity {
    /// Every level, worst first.
    pub const ALL: [Severity; 4] = [Self::Sev1, Self::Sev2, Self::Sev3, Self::Sev4];

    /// `sev1` … `sev4`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Sev1 => "sev1",
            Self::Sev2 => "sev2",
            Self::Sev3 => "sev3",
            Self::Sev4 => "sev4",
        }
    }

    /// The default one-line description of the level.
    pub fn description(&self) -> &'static str {
        match self {
            Self::Sev1 => "Critical: customers' business is stopped",
            Self::Sev2 => "Major: a core feature is broken for many customers",
            Self::Sev3 => "Moderate: a feature is degraded, a workaround exists",
            Self::Sev4 => "Minor: limited or cosmetic impact",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Self::Sev1 => 4,
            Self::Sev2 => 3,
            Self::Sev3 => 2,
            Self::Sev4 => 1,
        }
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Severity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sev1" | "1" | "critical" => Ok(Self::Sev1),
            "sev2" | "2" | "major" => Ok(Self::Sev2),
            "sev3" | "3" | "moderate" => Ok(Self::Sev3),
            "sev4" | "4" | "minor" => Ok(Self::Sev4),
            _ => Err(ValidationError::Severity(s.trim().to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sev1_is_the_most_severe() {
        assert!(Severity::Sev1 > Severity::Sev2);
        assert!(Severity::Sev3 > Severity::Sev4);
        assert_eq!(Severity::ALL.iter().max(), Some(&Severity::Sev1));
    }

    #[test]
    fn parses_names_and_aliases() {
        assert_eq!("SEV2".parse::<Severity>().unwrap(), Severity::Sev2);
        assert_eq!("critical".parse::<Severity>().unwrap(), Severity::Sev1);
        assert!("sev5".parse::<Severity>().unwrap_err().to_string().contains("sev1"));
        assert_eq!(serde_json::to_string(&Severity::Sev3).unwrap(), "\"sev3\"");
    }
}
