//! The service catalog as the runbooks see it: whom each service brings
//! into an incident's room when an incident is declared for it or escalated
//! to it. (Which routing key pages a service is the paging adapter's
//! business: it is given the resolved key of each service.)

use std::collections::BTreeMap;

use crate::domain::{Domain, Effect, UserGroupRef, UserRef};

/// The people one service invites into the room.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceInvites {
    /// People invited directly.
    pub users: Vec<UserRef>,
    /// User groups whose members are invited (expanded when the invite runs).
    pub groups: Vec<UserGroupRef>,
}

impl ServiceInvites {
    /// Whether the service invites nobody.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty()
    }
}

/// The services that invite people, and the teams that own services, by
/// name (a service is a domain).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceCatalog {
    services: BTreeMap<Domain, ServiceInvites>,
    teams: BTreeMap<Domain, String>,
}

impl ServiceCatalog {
    /// A catalog in which no service invites anyone.
    pub fn new() -> Self {
        Self::default()
    }

    /// The catalog with `service` inviting `invites` (replacing what it had).
    #[must_use]
    pub fn with_service(mut self, service: Domain, invites: ServiceInvites) -> Self {
        if invites.is_empty() {
            self.services.remove(&service);
        } else {
            self.services.insert(service, invites);
        }
        self
    }

    /// Whom `service` invites, if anyone.
    pub fn invites(&self, service: &Domain) -> Option<&ServiceInvites> {
        self.services.get(service)
    }

    /// The catalog with `service` owned by `team` (shown on its incidents'
    /// cards); a blank team removes the owner.
    #[must_use]
    pub fn with_team(mut self, service: Domain, team: &str) -> Self {
        match team.trim() {
            "" => self.teams.remove(&service),
            team => self.teams.insert(service, team.to_owned()),
        };
        self
    }

    /// The team that owns `service`, if the catalog names one.
    pub fn team(&self, service: &Domain) -> Option<&str> {
        self.teams.get(service).map(String::as_str)
    }

    /// The effects that bring `service`'s people into the room: one invite
    /// of its users, then one per user group.
    pub(crate) fn invite_effects(&self, service: &Domain) -> Vec<Effect> {
        let Some(invites) = self.services.get(service) else { return Vec::new() };
        let mut effects = Vec::new();
        if !invites.users.is_empty() {
            effects.push(Effect::InviteMembers { users: invites.users.clone() });
        }
        effects.extend(invites.groups.iter().map(|group| Effect::InviteGroup { group: group.clone() }));
        effects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payments() -> Domain {
        Domain::parse("payments").unwrap()
    }

    #[test]
    fn a_service_invites_its_users_at_once_and_each_group_on_its_own() {
        let invites = ServiceInvites {
            users: vec![UserRef::parse("U1").unwrap(), UserRef::parse("W2").unwrap()],
            groups: vec![UserGroupRef::parse("S0PAY").unwrap(), UserGroupRef::parse("S0SRE").unwrap()],
        };
        let catalog = ServiceCatalog::new().with_service(payments(), invites.clone());
        assert_eq!(
            catalog.invite_effects(&payments()),
            vec![
                Effect::InviteMembers { users: invites.users.clone() },
                Effect::InviteGroup { group: invites.groups[0].clone() },
                Effect::InviteGroup { group: invites.groups[1].clone() },
            ]
        );
        assert!(catalog.invite_effects(&Domain::parse("billing").unwrap()).is_empty());
    }

    #[test]
    fn a_service_owned_by_a_team_names_it_and_a_blank_team_names_none() {
        let catalog = ServiceCatalog::new().with_team(payments(), " Payments core ");
        assert_eq!(catalog.team(&payments()), Some("Payments core"));
        assert_eq!(catalog.team(&Domain::parse("billing").unwrap()), None);
        assert!(catalog.invite_effects(&payments()).is_empty(), "a team invites nobody by itself");
        assert_eq!(catalog.with_team(payments(), "  ").team(&payments()), None);
    }

    #[test]
    fn a_service_inviting_nobody_plans_nothing() {
        let groups_only = ServiceInvites { users: vec![], groups: vec![UserGroupRef::parse("S0PAY").unwrap()] };
        let catalog = ServiceCatalog::new().with_service(payments(), groups_only);
        assert_eq!(catalog.invite_effects(&payments()).len(), 1);
        let catalog = catalog.with_service(payments(), ServiceInvites::default());
        assert!(catalog.invites(&payments()).is_none());
        assert!(catalog.invite_effects(&payments()).is_empty());
    }
}
