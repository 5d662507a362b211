//! Status page components: what customers see as "Checkout" or "Email
//! delivery", each covering some of the company's domains.

use serde::{Deserialize, Serialize};

use super::publish::{MAX_PUBLIC_TITLE, NEUTRAL_PUBLIC_TITLE};
use super::values::refuse_hidden;
use super::{ComponentStatus, Domain, Incident, ValidationError};

/// Longest component name, in characters.
pub const MAX_COMPONENT_NAME: usize = 60;

/// A component of the status page (`Checkout`) and the domains whose
/// incidents affect it. Built only through [`StatusComponent::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawComponent")]
pub struct StatusComponent {
    name: String,
    domains: Vec<Domain>,
}

/// The unchecked shape a component is read from.
#[derive(Deserialize)]
struct RawComponent {
    name: String,
    #[serde(default)]
    domains: Vec<Domain>,
}

impl TryFrom<RawComponent> for StatusComponent {
    type Error = ValidationError;
    fn try_from(raw: RawComponent) -> Result<Self, Self::Error> {
        Self::new(&raw.name, raw.domains)
    }
}

impl StatusComponent {
    /// A component named `name` (trimmed, 1 to 60 characters, one line, no
    /// hidden characters) covering `domains`.
    ///
    /// # Errors
    /// [`ValidationError`] naming what is wrong with the name.
    pub fn new(name: &str, domains: Vec<Domain>) -> Result<Self, ValidationError> {
        let name = name.trim();
        let length = name.chars().count();
        if length == 0 {
            return Err(ValidationError::Empty("component name"));
        }
        if length > MAX_COMPONENT_NAME {
            return Err(ValidationError::TooLong { what: "component name", max: MAX_COMPONENT_NAME, length });
        }
        refuse_hidden("component name", name, false)?;
        Ok(Self { name: name.to_owned(), domains })
    }

    /// The name customers read.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The domains whose incidents affect it.
    pub fn domains(&self) -> &[Domain] {
        &self.domains
    }

    /// Whether incidents of `domain` affect it.
    pub fn covers(&self, domain: &Domain) -> bool {
        self.domains.contains(domain)
    }
}

/// The components `incident` affects: those whose domains contain its domain.
pub fn components_of<'a>(components: &'a [StatusComponent], incident: &Incident) -> Vec<&'a StatusComponent> {
    components.iter().filter(|c| c.covers(incident.domain())).collect()
}

/// A neutral public title naming the affected components by their state
/// (`Checkout is degraded`, `Checkout and Payments are down`); never the
/// internal summary. `status` is what the components suffer (an
/// `operational` one reads as degraded: a title names a problem).
pub fn default_public_title(components: &[&StatusComponent], status: ComponentStatus) -> String {
    let names: Vec<&str> = components.iter().map(|c| c.name()).collect();
    let (subject, plural) = match names.as_slice() {
        [] => return NEUTRAL_PUBLIC_TITLE.to_owned(),
        [one] => ((*one).to_owned(), false),
        [rest @ .., last] => (format!("{} and {last}", rest.join(", ")), true),
    };
    let state = match (status, plural) {
        (ComponentStatus::MajorOutage, false) => "is down",
        (ComponentStatus::MajorOutage, true) => "are down",
        (ComponentStatus::PartialOutage, false) => "has a partial outage",
        (ComponentStatus::PartialOutage, true) => "have a partial outage",
        (_, false) => "is degraded",
        (_, true) => "are degraded",
    };
    let title = format!("{subject} {state}");
    if title.chars().count() > MAX_PUBLIC_TITLE {
        return NEUTRAL_PUBLIC_TITLE.to_owned();
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::{declared, t};

    fn component(name: &str, domains: &[&str]) -> StatusComponent {
        StatusComponent::new(name, domains.iter().map(|d| Domain::parse(d).unwrap()).collect()).unwrap()
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(component("  Checkout ", &[]).name(), "Checkout");
        assert_eq!(StatusComponent::new(" ", vec![]), Err(ValidationError::Empty("component name")));
        let long = "x".repeat(61);
        assert!(matches!(StatusComponent::new(&long, vec![]), Err(ValidationError::TooLong { length: 61, .. })));
        assert!(StatusComponent::new(&"x".repeat(60), vec![]).is_ok());
        for hidden in ["Check\nout", "Check\u{202E}out", "Check\u{0}out"] {
            assert_eq!(
                StatusComponent::new(hidden, vec![]),
                Err(ValidationError::HiddenCharacters("component name")),
                "{hidden:?}"
            );
        }
        let read: Result<StatusComponent, _> = serde_json::from_value(serde_json::json!({"name": "", "domains": []}));
        assert!(read.unwrap_err().to_string().contains("component name must not be empty"));
        let read: StatusComponent =
            serde_json::from_value(serde_json::json!({"name": "Email", "domains": ["outbound-email"]})).unwrap();
        assert_eq!(read, component("Email", &["outbound-email"]));
    }

    #[test]
    fn an_incident_affects_the_components_covering_its_domain() {
        let incident = declared(t(0)); // outbound-email
        let all = [
            component("Email delivery", &["outbound-email", "smtp"]),
            component("Checkout", &["payments"]),
            component("Notifications", &["outbound-email"]),
        ];
        let names: Vec<&str> = components_of(&all, &incident).iter().map(|c| c.name()).collect();
        assert_eq!(names, ["Email delivery", "Notifications"]);
        assert!(components_of(&all[1..2], &incident).is_empty());
    }

    #[test]
    fn default_titles_name_the_components_and_their_state() {
        let checkout = component("Checkout", &[]);
        let payments = component("Payments", &[]);
        let api = component("API", &[]);
        assert_eq!(default_public_title(&[&checkout], ComponentStatus::DegradedPerformance), "Checkout is degraded");
        assert_eq!(default_public_title(&[&checkout], ComponentStatus::PartialOutage), "Checkout has a partial outage");
        assert_eq!(default_public_title(&[&checkout], ComponentStatus::MajorOutage), "Checkout is down");
        assert_eq!(default_public_title(&[&checkout], ComponentStatus::Operational), "Checkout is degraded");
        assert_eq!(
            default_public_title(&[&checkout, &payments, &api], ComponentStatus::MajorOutage),
            "Checkout, Payments and API are down"
        );
        assert_eq!(default_public_title(&[], ComponentStatus::MajorOutage), "Service disruption");
        let long = component(&"x".repeat(60), &[]);
        assert_eq!(default_public_title(&[&long, &long], ComponentStatus::MajorOutage), "Service disruption");
    }
}
