//! Turning declaration fields from JSON into a valid [`Declaration`].

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sima_core::domain::{
    Actor, Declaration, DedupKey, Description, Domain, Impact, Severity, Summary, ValidationError,
};

use crate::error::ApiError;

/// The fields of a declaration as callers send them.
#[derive(Debug, Clone, Deserialize)]
pub struct DeclarationFields {
    /// Domain slug.
    pub domain: String,
    /// One line.
    pub summary: String,
    /// Longer text.
    #[serde(default)]
    pub description: Option<String>,
    /// `sev1`…`sev4`.
    #[serde(default)]
    pub severity: Option<String>,
    /// Affected customers.
    #[serde(default)]
    pub impact: Option<u64>,
    /// When impact began (RFC 3339).
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// Deduplication key.
    #[serde(default)]
    pub dedup_key: Option<String>,
}

/// A validation error naming the field: 422 for refused characters, else 400.
pub(crate) fn named<T>(name: &str, result: Result<T, ValidationError>) -> Result<T, ApiError> {
    result.map_err(|e| match e {
        ValidationError::HiddenCharacters(_) => ApiError::unprocessable(format!("`{name}`: {e}")),
        other => ApiError::invalid(format!("`{name}`: {other}")),
    })
}

impl DeclarationFields {
    /// A valid declaration by `reporter`, or a 400 naming the wrong field.
    ///
    /// # Errors
    /// 400 for the first invalid field.
    pub fn into_declaration(self, reporter: Actor, default_severity: Severity) -> Result<Declaration, ApiError> {
        Ok(Declaration {
            domain: named("domain", Domain::parse(&self.domain))?,
            summary: named("summary", Summary::parse(&self.summary))?,
            description: named("description", Description::parse(self.description.as_deref().unwrap_or_default()))?,
            severity: match self.severity.as_deref() {
                Some(s) => named("severity", s.parse())?,
                None => default_severity,
            },
            impact: self.impact.map(Impact::new),
            started_at: self.started_at,
            dedup_key: self.dedup_key.as_deref().map(|k| named("dedup_key", DedupKey::parse(k))).transpose()?,
            reporter,
        })
    }
}
