//! The declare, edit and status forms.

use std::collections::BTreeMap;

use crate::domain::{Domain, Incident, Severity, Status};
use crate::model::{Choice, Form, FormId, Input, InputKind};

/// A domain offered in the declare form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainChoice {
    /// The slug.
    pub domain: Domain,
    /// What it covers.
    pub description: String,
}

fn text(id: &str, label: &str, multiline: bool, max: u32, optional: bool, initial: Option<String>) -> Input {
    Input {
        id: id.into(),
        label: label.into(),
        kind: InputKind::Text { multiline, max_length: Some(max), placeholder: None },
        optional,
        initial,
        hint: None,
    }
}

/// Descriptions of the severity levels that replace the defaults in forms.
pub type SeverityDescriptions = BTreeMap<Severity, String>;

fn severity_input(initial: Option<Severity>, descriptions: &SeverityDescriptions) -> Input {
    Input {
        id: "severity".into(),
        label: "Severity".into(),
        kind: InputKind::Select {
            options: Severity::ALL
                .iter()
                .map(|s| {
                    let description = descriptions.get(s).map_or(s.description(), String::as_str);
                    Choice { value: s.as_str().into(), label: format!("{s} · {description}") }
                })
                .collect(),
        },
        optional: false,
        initial: initial.map(|s| s.as_str().into()),
        hint: None,
    }
}

fn domain_input(domains: &[DomainChoice], initial: Option<&Domain>) -> Input {
    let kind = if domains.is_empty() {
        InputKind::Text { multiline: false, max_length: Some(40), placeholder: Some("outbound-email".into()) }
    } else {
        InputKind::Select {
            options: domains
                .iter()
                .map(|d| Choice { value: d.domain.to_string(), label: format!("{} · {}", d.domain, d.description) })
                .collect(),
        }
    };
    Input {
        id: "domain".into(),
        label: "Domain".into(),
        kind,
        optional: false,
        initial: initial.map(ToString::to_string),
        hint: Some("The service or area that is affected".into()),
    }
}

fn impact_input(initial: Option<String>) -> Input {
    Input {
        id: "impact".into(),
        label: "Affected customers".into(),
        kind: InputKind::Number { min: Some(0) },
        optional: true,
        initial,
        hint: Some("Leave empty if unknown; it can be set later".into()),
    }
}

/// The declare form: domain, summary, description, impact, severity.
pub fn declare_form(domains: &[DomainChoice], severities: &SeverityDescriptions) -> Form {
    Form {
        id: FormId::DeclareIncident,
        title: "Declare an incident".into(),
        submit: "Declare".into(),
        inputs: vec![
            domain_input(domains, None),
            text("summary", "Summary", false, 150, false, None),
            text("description", "Description", true, 3000, true, None),
            impact_input(None),
            severity_input(None, severities),
        ],
        metadata: None,
    }
}

/// The edit form, pre-filled.
pub fn edit_form(incident: &Incident, domains: &[DomainChoice], severities: &SeverityDescriptions) -> Form {
    Form {
        id: FormId::EditIncident,
        title: "Edit incident".into(),
        submit: "Save".into(),
        inputs: vec![
            domain_input(domains, Some(incident.domain())),
            text("summary", "Summary", false, 150, false, Some(incident.summary().to_string())),
            text("description", "Description", true, 3000, true, Some(incident.description().to_string())),
            impact_input(incident.impact().map(|i| i.affected_customers().to_string())),
            severity_input(Some(incident.severity()), severities),
        ],
        metadata: Some(incident.id().to_string()),
    }
}

/// The status update form: the next statuses and a message.
pub fn status_form(incident: &Incident) -> Form {
    let options = incident
        .status()
        .next()
        .iter()
        .map(|s: &Status| Choice { value: s.as_str().into(), label: s.as_str().replace('_', " ") })
        .collect();
    Form {
        id: FormId::UpdateStatus,
        title: "Update status".into(),
        submit: "Post update".into(),
        inputs: vec![
            Input {
                id: "status".into(),
                label: "New status".into(),
                kind: InputKind::Select { options },
                optional: false,
                initial: None,
                hint: None,
            },
            text("message", "What changed", true, 3000, true, None),
        ],
        metadata: Some(incident.id().to_string()),
    }
}
