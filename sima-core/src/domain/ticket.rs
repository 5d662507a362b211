//! Tracker tickets: an action item exported to Jira, Linear or another tracker.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::IncidentNumber;

/// Where a ticket stands, reduced to what SIMA acts on: a ticket in a done
/// category (Jira's `done` status category, Linear's `completed` or
/// `canceled` state types) is done; anything else is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// To do or in progress.
    #[default]
    Open,
    /// In a done category.
    Done,
}

/// A ticket in a tracker, as SIMA records it on an action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The tracker's internal id (Jira's numeric id, Linear's UUID); stable
    /// when the ticket moves between projects.
    pub id: String,
    /// The key people read (`OPS-12`, `ENG-123`).
    pub key: String,
    /// The tracker's own link to it (`https://acme.atlassian.net/browse/OPS-12`).
    pub url: String,
    /// The tracker's status name, as its users see it (`In Progress`).
    pub status: String,
    /// Open or done.
    #[serde(default)]
    pub state: TicketState,
}

/// SIMA's own name for an action item in a tracker: the incident number and
/// the item's number, `INC-7-2`. Adapters store it on the ticket (a label, a
/// property, an external id) so a retried create finds the ticket it made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FollowUpKey {
    incident: IncidentNumber,
    item: u32,
}

impl FollowUpKey {
    /// The key of action item `item` (from 1) of incident `incident`.
    pub fn new(incident: IncidentNumber, item: u32) -> Self {
        Self { incident, item }
    }

    /// The incident.
    pub fn incident(self) -> IncidentNumber {
        self.incident
    }

    /// The action item's number, from 1.
    pub fn item(self) -> u32 {
        self.item
    }

    /// The key as a tracker label, lower case with no spaces: `sima-inc-7-2`.
    pub fn label(self) -> String {
        format!("sima-{}", self.to_string().to_ascii_lowercase())
    }

    /// Reads a key written by [`Display`](fmt::Display) (`INC-7-2`) or by
    /// [`label`](Self::label) (`sima-inc-7-2`); `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.strip_prefix("sima-").unwrap_or(text);
        let (incident, item) = text.rsplit_once('-')?;
        let incident = incident.to_ascii_uppercase().parse().ok()?;
        let item = item.parse().ok().filter(|n| *n > 0)?;
        Some(Self { incident, item })
    }
}

impl fmt::Display for FollowUpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.incident, self.item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_from_its_text_and_its_label() {
        let key = FollowUpKey::new("INC-7".parse().unwrap(), 2);
        assert_eq!(key.to_string(), "INC-7-2");
        assert_eq!(key.label(), "sima-inc-7-2");
        assert_eq!(FollowUpKey::parse("INC-7-2"), Some(key));
        assert_eq!(FollowUpKey::parse("sima-inc-7-2"), Some(key));
        for bad in ["", "INC-7", "sima-inc-7-0", "sima-inc-x-2", "OPS-12", "sima-inc-7-2-3"] {
            assert_eq!(FollowUpKey::parse(bad), None, "{bad}");
        }
    }
}
