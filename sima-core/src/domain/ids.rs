//! Identifiers: the incident's UUID and its human number.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ValidationError;

/// Declares a UUID v7 newtype: time-ordered, `Copy`, serialized as the bare UUID.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            /// Wraps an existing UUID (as read back from a store).
            pub fn from_uuid(uuid: uuid::Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
pub(crate) use uuid_id;

uuid_id! {
    /// The stable identity of an incident (a UUID v7, so ids sort by creation time).
    IncidentId
}

impl FromStr for IncidentId {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(Self).map_err(|_| ValidationError::IncidentRef(s.to_owned()))
    }
}

/// The human number of an incident, `INC-42`, allocated by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IncidentNumber(u64);

impl IncidentNumber {
    /// The number not yet allocated by a store (`INC-0`).
    pub const UNALLOCATED: Self = Self(0);

    /// Wraps a positive sequence value.
    pub fn new(n: u64) -> Result<Self, ValidationError> {
        if n == 0 {
            return Err(ValidationError::IncidentRef("INC-0".into()));
        }
        Ok(Self(n))
    }

    /// The numeric value.
    pub fn value(&self) -> u64 {
        self.0
    }
}

impl fmt::Display for IncidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "INC-{}", self.0)
    }
}

impl FromStr for IncidentNumber {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let digits = t.strip_prefix("INC-").or_else(|| t.strip_prefix("inc-")).unwrap_or(t);
        digits
            .parse::<u64>()
            .ok()
            .and_then(|n| Self::new(n).ok())
            .ok_or_else(|| ValidationError::IncidentRef(s.to_owned()))
    }
}

impl Serialize for IncidentNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IncidentNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "INC-0" {
            return Ok(Self::UNALLOCATED);
        }
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How a caller names an incident: its id or its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentRef {
    /// By UUID.
    Id(IncidentId),
    /// By `INC-n`.
    Number(IncidentNumber),
}

impl FromStr for IncidentRef {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(id) = s.parse::<IncidentId>() {
            return Ok(Self::Id(id));
        }
        s.parse::<IncidentNumber>().map(Self::Number).map_err(|_| ValidationError::IncidentRef(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_print_and_parse() {
        let n: IncidentNumber = "INC-42".parse().unwrap();
        assert_eq!(n.value(), 42);
        assert_eq!(n.to_string(), "INC-42");
        assert_eq!("7".parse::<IncidentNumber>().unwrap().to_string(), "INC-7");
        assert!("INC-0".parse::<IncidentNumber>().is_err());
        assert!("INC-x".parse::<IncidentNumber>().is_err());
    }

    #[test]
    fn refs_accept_ids_and_numbers() {
        let id = IncidentId::new();
        assert_eq!(id.to_string().parse::<IncidentRef>().unwrap(), IncidentRef::Id(id));
        assert!(matches!("INC-3".parse::<IncidentRef>().unwrap(), IncidentRef::Number(_)));
        assert!("nope".parse::<IncidentRef>().is_err());
    }

    proptest! {
        #[test]
        fn number_round_trips(n in 1u64..u64::MAX) {
            let number = IncidentNumber::new(n).unwrap();
            prop_assert_eq!(number.to_string().parse::<IncidentNumber>().unwrap(), number);
        }
    }
}
