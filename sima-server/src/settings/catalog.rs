//! The entries of the service catalog (`[[services]]`) as `sima.toml`
//! writes them: the service and whom it invites. How they resolve against
//! the rest of the configuration is `services`.

use serde::{Deserialize, Deserializer};
use sima_core::domain::{Domain, UserGroupRef, UserRef};
use sima_core::{DomainChoice, Secret};

/// A service of the catalog (`[[services]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSettings {
    /// The slug incidents are declared for (`payments`).
    pub name: Domain,
    /// What it covers, shown in the declare form.
    #[serde(default)]
    pub description: String,
    /// The team that owns it, shown in the declare form.
    #[serde(default)]
    pub team: String,
    /// A PagerDuty routing key, or the name of another service whose key
    /// pages this one's on-call; unset: the default routing key.
    #[serde(default)]
    pub paging: Option<Secret>,
    /// Slack user ids (`U…`, `W…`) and user group ids (`S…`) invited into
    /// the room of its incidents, and when it is escalated to.
    #[serde(default)]
    pub invite: Vec<Invitee>,
    /// Its status-page component.
    #[serde(default)]
    pub component: Option<String>,
}

impl ServiceSettings {
    /// How the declare form offers it: what it covers, and its owning team.
    pub fn choice(&self) -> DomainChoice {
        let description = match (self.description.trim(), self.team.trim()) {
            (covers, "") => covers.to_owned(),
            ("", team) => format!("owned by {team}"),
            (covers, team) => format!("{covers} (owned by {team})"),
        };
        DomainChoice { domain: self.name.clone(), description }
    }
}

/// Someone a service invites: a user, or a user group whose members are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invitee {
    /// A chat user (`U024BE7LH`).
    User(UserRef),
    /// A user group (`S0614TZR7`), expanded when the invite runs.
    Group(UserGroupRef),
}

impl Invitee {
    /// Reads `S…` as a user group and any other chat id as a user.
    ///
    /// # Errors
    /// The id is neither.
    pub fn parse(id: &str) -> Result<Self, String> {
        if let Ok(group) = UserGroupRef::parse(id) {
            return Ok(Self::Group(group));
        }
        UserRef::parse(id).map(Self::User).map_err(|_| {
            format!("`{id}` is neither a user id (`U…`, `W…`) nor a user group id (`S…`); copy it from the profile")
        })
    }
}

impl<'de> Deserialize<'de> for Invitee {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        Self::parse(&id).map_err(serde::de::Error::custom)
    }
}
