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

/// How a company names its severity levels: labels (`P1`) and descriptions
/// that replace the defaults in forms, cards and pages people read. The
/// levels and their stable values (`sev1`) do not change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeverityDescriptions {
    descriptions: BTreeMap<Severity, String>,
    labels: BTreeMap<Severity, String>,
}

impl SeverityDescriptions {
    /// SIMA's own names: `sev1`…`sev4` with their default descriptions.
    pub fn new() -> Self {
        Self::default()
    }

    /// These names with `severity` described as `description`.
    #[must_use]
    pub fn with_description(mut self, severity: Severity, description: impl Into<String>) -> Self {
        self.descriptions.insert(severity, description.into());
        self
    }

    /// These names with `severity` labelled `label` (`P1`).
    #[must_use]
    pub fn with_label(mut self, severity: Severity, label: impl Into<String>) -> Self {
        self.labels.insert(severity, label.into());
        self
    }

    /// The label people read: the company's (`P1`), else `sev1`.
    pub fn label(&self, severity: Severity) -> &str {
        self.labels.get(&severity).map_or(severity.as_str(), String::as_str)
    }

    /// What the level means: the company's description, else SIMA's.
    pub fn description(&self, severity: Severity) -> &str {
        self.descriptions.get(&severity).map_or(severity.description(), String::as_str)
    }

    /// Whether any level has a label of the company's.
    pub fn has_labels(&self) -> bool {
        !self.labels.is_empty()
    }
}

impl From<BTreeMap<Severity, String>> for SeverityDescriptions {
    /// Descriptions only (`sev1 = "…"`).
    fn from(descriptions: BTreeMap<Severity, String>) -> Self {
        Self { descriptions, labels: BTreeMap::new() }
    }
}

fn severity_input(initial: Option<Severity>, names: &SeverityDescriptions) -> Input {
    let hint = names.has_labels().then(|| {
        let scale: Vec<String> =
            Severity::ALL.iter().map(|s| format!("{} ({})", names.label(*s), names.description(*s))).collect();
        format!("Most severe first: {}", scale.join("; "))
    });
    Input {
        id: "severity".into(),
        label: "Severity".into(),
        kind: InputKind::Select {
            options: Severity::ALL
                .iter()
                .map(|s| Choice {
                    value: s.as_str().into(),
                    label: format!("{} · {}", names.label(*s), names.description(*s)),
                })
                .collect(),
        },
        optional: false,
        initial: initial.map(|s| s.as_str().into()),
        hint,
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

/// The `private` box of the declare form.
fn private_input() -> Input {
    Input {
        id: "private".into(),
        label: "Visibility".into(),
        kind: InputKind::Checkbox { text: "Private incident".into() },
        optional: true,
        initial: None,
        hint: Some("A private room, no announcement, hidden from people who are not in its room".into()),
    }
}

/// Ticks (or not) the `private` box of a declare form, for `/incident declare --private`.
pub(crate) fn mark_private(form: &mut Form, private: bool) {
    if let Some(input) = form.inputs.iter_mut().find(|i| i.id == "private") {
        input.initial = private.then(|| "true".to_owned());
    }
}

/// The declare form: domain, summary, description, impact, severity, private.
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
            private_input(),
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
