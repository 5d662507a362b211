//! The service catalog (`[[services]]`), which generalises `[[domains]]`:
//! a service is a domain people declare incidents for, with its owning
//! team, how its on-call is paged, whom it invites into the room, and its
//! status-page component. A `[[domains]]` entry is read as a service whose
//! `paging` is its `routing_key`.

use sima_core::{ServiceCatalog, ServiceInvites};

use super::catalog::{Invitee, ServiceSettings};
use super::{Secret, Settings};

/// How a service's `paging` resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging<'a> {
    /// No key anywhere on its chain: the default routing key pages it.
    Default,
    /// This routing key pages it.
    Key(&'a Secret),
}

impl Settings {
    /// Every service: the `[[domains]]` entries (read as services), then
    /// the `[[services]]` entries.
    pub fn services(&self) -> Vec<ServiceSettings> {
        let domains = self.domains.iter().map(|domain| ServiceSettings {
            name: domain.name.clone(),
            description: domain.description.clone(),
            team: String::new(),
            paging: domain.routing_key.clone(),
            invite: Vec::new(),
            component: None,
        });
        domains.chain(self.services.iter().cloned()).collect()
    }

    /// The service called `name`, if declared.
    pub fn service(&self, name: &str) -> Option<ServiceSettings> {
        self.services().into_iter().find(|service| service.name.as_str() == name)
    }

    /// The routing key that pages `name`, following `paging = "<service>"`.
    ///
    /// # Errors
    /// `name` is not declared, or its chain loops (naming the chain).
    pub fn paging_of(&self, name: &str) -> Result<Paging<'_>, String> {
        let services = self.domains.iter().map(|d| (d.name.as_str(), d.routing_key.as_ref(), true));
        let services: Vec<_> =
            services.chain(self.services.iter().map(|s| (s.name.as_str(), s.paging.as_ref(), false))).collect();
        let find = |name: &str| services.iter().find(|(n, ..)| *n == name).copied();
        let mut chain = vec![name.to_owned()];
        let Some(mut current) = find(name) else { return Err(format!("no service is called \"{name}\"")) };
        loop {
            let (_, paging, is_domain) = current;
            let Some(value) = paging else { return Ok(Paging::Default) };
            // A `[[domains]]` routing_key is always a key; a `paging` naming a service follows it.
            let next = if is_domain { None } else { find(value.expose()) };
            let Some(next) = next else { return Ok(Paging::Key(value)) };
            if chain.iter().any(|seen| seen == next.0) {
                chain.push(next.0.to_owned());
                return Err(format!("its paging chain loops ({})", chain.join(" → ")));
            }
            chain.push(next.0.to_owned());
            current = next;
        }
    }

    /// Whom each service invites and which team owns it, for the runbooks.
    pub fn service_catalog(&self) -> ServiceCatalog {
        self.services.iter().fold(ServiceCatalog::new(), |catalog, service| {
            let mut invites = ServiceInvites::default();
            for invitee in &service.invite {
                match invitee {
                    Invitee::User(user) => invites.users.push(user.clone()),
                    Invitee::Group(group) => invites.groups.push(group.clone()),
                }
            }
            catalog.with_service(service.name.clone(), invites).with_team(service.name.clone(), &service.team)
        })
    }

    /// Problems of the catalog: a name declared twice (in either list), a
    /// `paging` chain that loops or ends at a service without a key.
    pub(super) fn service_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let domains = self.domains.len();
        let all = self.services();
        for (index, service) in all.iter().enumerate() {
            if !all[..index].iter().any(|earlier| earlier.name == service.name) {
                continue;
            }
            problems.push(if index < domains {
                format!("domains[{index}]: the domain \"{}\" is declared twice", service.name)
            } else {
                format!(
                    "services[{}]: the service \"{}\" is declared twice (in [[services]] or [[domains]])",
                    index - domains,
                    service.name
                )
            });
        }
        for (index, service) in self.services.iter().enumerate() {
            let Some(target) = service.paging.as_ref().and_then(|p| self.service(p.expose())) else { continue };
            match self.paging_of(service.name.as_str()) {
                Err(why) => problems.push(format!("services[{index}] \"{}\": {why}", service.name)),
                Ok(Paging::Default) => problems.push(format!(
                    "services[{index}] \"{}\": `paging = \"{}\"` names a service that has no routing key of its \
                     own, so the page would go to the default routing key; set paging on \"{}\"",
                    service.name, target.name, target.name
                )),
                Ok(Paging::Key(_)) => {}
            }
        }
        problems
    }
}
