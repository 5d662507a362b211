//! Declaring an incident: a draft as people and monitors send it, checked
//! field by field into a [`Declaration`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::{
    format_time, Actor, DedupKey, Description, Domain, DomainError, EventKind, FieldInput, FieldSchema, FieldValues,
    Impact, Severity, Summary, ValidationError,
};

/// A declaration as it arrives from a form, an API body or a webhook: text,
/// unchecked. [`DeclarationDraft::parse`] is the one way from it to a
/// [`Declaration`]; each field is checked once, under the name the form
/// input and the JSON member share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclarationDraft {
    /// `domain`: the affected domain's slug.
    pub domain: String,
    /// `summary`: one line.
    pub summary: String,
    /// `description`: longer text; absent or blank, none.
    pub description: Option<String>,
    /// `severity`: `sev1`…`sev4` (or an alias); absent, the default `parse` is given.
    pub severity: Option<String>,
    /// `impact`: affected customers (`120`, `1,200`); absent or blank, unknown.
    pub impact: Option<String>,
    /// `started_at`: when impact began (RFC 3339); absent, at declaration.
    pub started_at: Option<String>,
    /// `dedup_key`: declarations with the same key open one incident while it is open.
    pub dedup_key: Option<String>,
    /// `private`: a private room, no broadcast, hidden from those not in its room.
    pub private: bool,
    /// `type`: the incident type's name; absent, none.
    pub incident_type: Option<String>,
    /// `fields`: custom field values by field name.
    pub fields: BTreeMap<String, FieldInput>,
}

/// One field of a draft that makes no valid value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{field}`: {error}")]
pub struct FieldError {
    /// The field, as [`DeclarationDraft`] names it (`summary`, `severity`).
    pub field: &'static str,
    /// What is wrong with it, in words that say what to fix.
    pub error: ValidationError,
}

impl DeclarationDraft {
    /// The declaration by `reporter`. A draft without a severity takes
    /// `default_severity`; with none, the severity is required.
    ///
    /// # Errors
    /// Every field that makes no valid value, in the order of the fields.
    pub fn parse(&self, reporter: Actor, default_severity: Option<Severity>) -> Result<Declaration, Vec<FieldError>> {
        self.parse_in(&FieldSchema::default(), reporter, default_severity)
    }

    /// [`DeclarationDraft::parse`] for a company with these incident types
    /// and custom fields: the type must be one of them (its
    /// `default_severity` wins over `default_severity`, and a private type
    /// makes the incident private), and the fields are checked by
    /// [`FieldSchema::declared_values`] (errors under `type` and `fields`).
    ///
    /// # Errors
    /// Every field that makes no valid value, in the order of the fields.
    pub fn parse_in(
        &self,
        schema: &FieldSchema,
        reporter: Actor,
        default_severity: Option<Severity>,
    ) -> Result<Declaration, Vec<FieldError>> {
        let incident_type = given(&self.incident_type).map(|name| schema.parse_type(name));
        let type_def = incident_type.as_ref().and_then(|t| t.as_ref().ok()).copied();
        let default_severity = type_def.and_then(|t| t.default_severity).or(default_severity);
        let mut errors = Vec::new();
        let mut check = Check(&mut errors);
        let domain = check.field("domain", Domain::parse(&self.domain));
        let summary = check.field("summary", Summary::parse(&self.summary));
        let description =
            check.field("description", given(&self.description).map_or(Ok(Description::empty()), Description::parse));
        let severity = check.field(
            "severity",
            match (self.severity.as_deref(), default_severity) {
                (Some(text), _) => text.parse(),
                (None, Some(default)) => Ok(default),
                (None, None) => Err(ValidationError::Empty("severity")),
            },
        );
        let impact = check.field("impact", given(&self.impact).map(Impact::parse).transpose());
        let started_at = check.field("started_at", self.started_at.as_deref().map(parse_time).transpose());
        let dedup_key = check.field("dedup_key", self.dedup_key.as_deref().map(DedupKey::parse).transpose());
        let incident_type = check.field("type", incident_type.transpose());
        let type_name = type_def.map(|t| t.name.as_str());
        let fields = schema.declared_values(type_name, &self.fields).map_err(|field_errors| {
            errors.extend(field_errors.into_iter().map(|error| FieldError { field: "fields", error }));
        });
        match (domain, summary, description, severity, impact, started_at, dedup_key) {
            (
                Some(domain),
                Some(summary),
                Some(description),
                Some(severity),
                Some(impact),
                Some(started_at),
                Some(dedup_key),
            ) if errors.is_empty() => Ok(Declaration {
                domain,
                summary,
                description,
                severity,
                impact,
                started_at,
                dedup_key,
                reporter,
                private: self.private || type_def.is_some_and(|t| t.private),
                incident_type: incident_type.flatten().map(|t| t.name.clone()),
                fields: fields.unwrap_or_default(),
            }),
            _ => Err(errors),
        }
    }
}

/// The text of an optional field, unless it is blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

/// Collects the errors of the fields checked through it.
struct Check<'a>(&'a mut Vec<FieldError>);

impl Check<'_> {
    /// The value of `field`, or `None` with its error noted.
    fn field<T>(&mut self, field: &'static str, result: Result<T, ValidationError>) -> Option<T> {
        result.map_err(|error| self.0.push(FieldError { field, error })).ok()
    }
}

/// An RFC 3339 time (`2026-11-25T09:30:00Z`), in UTC.
fn parse_time(text: &str) -> Result<DateTime<Utc>, ValidationError> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ValidationError::Time(text.to_owned()))
}

/// Everything needed to declare an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// Affected domain.
    pub domain: Domain,
    /// One line.
    pub summary: Summary,
    /// Longer text.
    pub description: Description,
    /// How bad.
    pub severity: Severity,
    /// Affected customers, if known.
    pub impact: Option<Impact>,
    /// When impact began, if before the declaration.
    pub started_at: Option<DateTime<Utc>>,
    /// Webhook deduplication key.
    pub dedup_key: Option<DedupKey>,
    /// Who declares it.
    pub reporter: Actor,
    /// Whether it is private: a private room, no broadcast, hidden from
    /// those who are not in its room (an incident type may set it).
    pub private: bool,
    /// The incident type's name, if any (checked against the company's types).
    pub incident_type: Option<String>,
    /// Custom field values, checked by their kinds.
    pub fields: FieldValues,
}

impl Declaration {
    /// The `declared` event, after checking that impact did not start in the future.
    ///
    /// # Errors
    /// [`DomainError::StartAfterMilestone`] when `started_at` is after `now`.
    pub fn decide(&self, now: DateTime<Utc>) -> Result<EventKind, DomainError> {
        let started_at = self.started_at.unwrap_or(now);
        if started_at > now {
            return Err(DomainError::StartAfterMilestone {
                given: format_time(started_at),
                milestone: "declaration time",
                limit: format_time(now),
            });
        }
        Ok(EventKind::Declared {
            domain: self.domain.clone(),
            summary: self.summary.clone(),
            description: self.description.clone(),
            severity: self.severity,
            impact: self.impact,
            started_at,
            dedup_key: self.dedup_key.clone(),
            private: self.private,
            incident_type: self.incident_type.clone(),
            fields: self.fields.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn draft(domain: &str, summary: &str) -> DeclarationDraft {
        DeclarationDraft { domain: domain.into(), summary: summary.into(), ..DeclarationDraft::default() }
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_draft_is_the_declaration_it_says() {
        let full = DeclarationDraft {
            severity: Some("Sev1".into()),
            description: Some("Queue is stuck".into()),
            impact: Some("1,200".into()),
            started_at: Some("2026-11-25T10:30:00+01:00".into()),
            dedup_key: Some("disk-full-db-1".into()),
            ..draft("outbound-email", "  Emails are late ")
        };
        let declaration = full.parse(Actor::Api, None).unwrap();
        assert_eq!(declaration.domain.as_str(), "outbound-email");
        assert_eq!(declaration.summary.as_str(), "Emails are late");
        assert_eq!(declaration.description.as_str(), "Queue is stuck");
        assert_eq!(declaration.severity, Severity::Sev1);
        assert_eq!(declaration.impact, Some(Impact::new(1200)));
        assert_eq!(declaration.started_at, Some("2026-11-25T09:30:00Z".parse().unwrap()));
        assert_eq!(declaration.dedup_key.map(|k| k.as_str().to_owned()).as_deref(), Some("disk-full-db-1"));
        assert_eq!(declaration.reporter, Actor::Api);
    }

    #[test]
    fn blank_optional_fields_are_absent_and_a_missing_severity_takes_the_default() {
        let sparse = DeclarationDraft {
            description: Some("  ".into()),
            impact: Some(String::new()),
            ..draft("payments", "Down")
        };
        let declaration = sparse.parse(Actor::Api, Some(Severity::Sev3)).unwrap();
        assert_eq!((declaration.description, declaration.impact), (Description::empty(), None));
        assert_eq!((declaration.severity, declaration.started_at, declaration.dedup_key), (Severity::Sev3, None, None));
        let errors = draft("payments", "Down").parse(Actor::Api, None).unwrap_err();
        assert_eq!(errors, [FieldError { field: "severity", error: ValidationError::Empty("severity") }]);
    }

    #[test]
    fn every_wrong_field_is_named_once_in_draft_order() {
        let wrong = DeclarationDraft {
            domain: "Not A Slug".into(),
            summary: String::new(),
            description: Some("a\u{0}b".into()),
            severity: Some("sev9".into()),
            impact: Some("many".into()),
            started_at: Some("yesterday".into()),
            dedup_key: Some(String::new()),
            private: false,
            incident_type: None,
            fields: BTreeMap::new(),
        };
        let errors = wrong.parse(Actor::Api, Some(Severity::Sev2)).unwrap_err();
        let expected = ["domain", "summary", "description", "severity", "impact", "started_at", "dedup_key"];
        assert_eq!(fields(&errors), expected);
        assert_eq!(errors[3].to_string(), "`severity`: severity `sev9` is unknown: use sev1, sev2, sev3 or sev4");
        assert_eq!(errors[2].error, ValidationError::HiddenCharacters("description"));
    }

    proptest! {
        /// The draft adds no rule of its own: a field is refused exactly when
        /// its value's parser refuses it, and kept as that parser reads it.
        #[test]
        fn each_field_follows_its_value_parser(domain in "\\PC{0,45}", summary in "\\PC{0,160}", severity in "\\PC{0,6}") {
            let typed = DeclarationDraft { severity: Some(severity.clone()), ..draft(&domain, &summary) };
            let parsed = typed.parse(Actor::Api, None);
            let mut expected = Vec::new();
            if Domain::parse(&domain).is_err() { expected.push("domain"); }
            if Summary::parse(&summary).is_err() { expected.push("summary"); }
            if severity.parse::<Severity>().is_err() { expected.push("severity"); }
            match parsed {
                Ok(declaration) => {
                    prop_assert!(expected.is_empty());
                    prop_assert_eq!(Ok(declaration.summary), Summary::parse(&summary));
                    prop_assert_eq!(Ok(declaration.domain), Domain::parse(&domain));
                }
                Err(errors) => prop_assert_eq!(fields(&errors), expected),
            }
        }
    }
}
