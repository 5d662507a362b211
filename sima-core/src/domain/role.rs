//! The two incident roles and who acts.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::{UserRef, ValidationError};

/// A role someone holds during an incident; one holder each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Leads the response and decides.
    IncidentManager,
    /// Keeps stakeholders informed.
    CommunicationLead,
}

impl Role {
    /// Both roles.
    pub const ALL: [Role; 2] = [Self::IncidentManager, Self::CommunicationLead];

    /// The snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::IncidentManager => "incident_manager",
            Self::CommunicationLead => "communication_lead",
        }
    }

    /// The name people read.
    pub fn title(&self) -> &'static str {
        match self {
            Self::IncidentManager => "Incident Manager",
            Self::CommunicationLead => "Communication Lead",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who holds each role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    /// The Incident Manager, if assigned.
    pub incident_manager: Option<UserRef>,
    /// The Communication Lead, if assigned.
    pub communication_lead: Option<UserRef>,
}

impl Roles {
    /// The holder of `role`.
    pub fn get(&self, role: Role) -> Option<&UserRef> {
        match role {
            Role::IncidentManager => self.incident_manager.as_ref(),
            Role::CommunicationLead => self.communication_lead.as_ref(),
        }
    }

    /// Sets the holder of `role`.
    pub fn set(&mut self, role: Role, user: UserRef) {
        match role {
            Role::IncidentManager => self.incident_manager = Some(user),
            Role::CommunicationLead => self.communication_lead = Some(user),
        }
    }
}

/// Who did something: a person in chat, a monitor, an API client or SIMA itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A chat user.
    User(UserRef),
    /// A monitoring system that sent a webhook (`alertmanager`, `webhook`).
    Monitor(String),
    /// A tracker (`jira`, `linear`) reporting a change to a ticket.
    Tracker(String),
    /// A REST API client.
    Api,
    /// SIMA's own runbooks.
    Sima,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(u) => write!(f, "user:{u}"),
            Self::Monitor(m) => write!(f, "monitor:{m}"),
            Self::Tracker(t) => write!(f, "tracker:{t}"),
            Self::Api => f.write_str("api"),
            Self::Sima => f.write_str("sima"),
        }
    }
}

impl FromStr for Actor {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some(("user", u)) => UserRef::parse(u).map(Self::User),
            Some(("monitor", m)) if !m.is_empty() => Ok(Self::Monitor(m.to_owned())),
            Some(("tracker", t)) if !t.is_empty() => Ok(Self::Tracker(t.to_owned())),
            None if s == "api" => Ok(Self::Api),
            None if s == "sima" => Ok(Self::Sima),
            _ => Err(ValidationError::Actor(s.to_owned())),
        }
    }
}

impl Actor {
    /// The chat user behind this actor, if it is one.
    pub fn user(&self) -> Option<&UserRef> {
        match self {
            Self::User(u) => Some(u),
            _ => None,
        }
    }
}

impl Serialize for Actor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Actor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip_as_strings() {
        for a in
            [Actor::User(UserRef::parse("U1").unwrap()), Actor::Monitor("alertmanager".into()), Actor::Api, Actor::Sima]
        {
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(serde_json::from_str::<Actor>(&json).unwrap(), a);
        }
        assert!("robot".parse::<Actor>().is_err());
    }
}
