//! The query string of the list and metrics pages: `status`, `severity`,
//! `domain`, `period` (`7d`, `30d`, `90d`, `365d` or `all`) and `cursor`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sima_core::domain::{Domain, IncidentNumber, Severity, Status};
use sima_core::ports::IncidentFilter;

use crate::delays::parse_delay;
use crate::error::ApiError;

/// The periods offered in the forms.
pub(crate) const PERIODS: [(&str, &str); 5] = [
    ("all", "All time"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
    ("365d", "Last year"),
];

/// The filters as sent by the form (empty fields mean "any").
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct PageQuery {
    #[serde(default)]
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) severity: String,
    #[serde(default)]
    pub(crate) domain: String,
    #[serde(default)]
    pub(crate) period: String,
    #[serde(default)]
    pub(crate) cursor: String,
}

fn parsed<T, E: std::fmt::Display>(
    name: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    let value = value.trim();
    if value.is_empty() || value == "any" {
        return Ok(None);
    }
    parse(value).map(Some).map_err(|e| ApiError::invalid(format!("`{name}`: {e}")))
}

impl PageQuery {
    /// The store filter these fields name, the period counted back from `now`.
    ///
    /// # Errors
    /// 400 naming the field that is wrong.
    pub(crate) fn filter(&self, now: DateTime<Utc>) -> Result<IncidentFilter, ApiError> {
        let period = self.period.trim();
        let from = if period.is_empty() || period == "all" {
            None
        } else {
            let wrong = |e: String| ApiError::invalid(format!("`period`: {e}"));
            let length = parse_delay(period).map_err(wrong)?.0.ok_or_else(|| wrong("`off` is no period".into()))?;
            let length = chrono::Duration::from_std(length).map_err(|e| wrong(e.to_string()))?;
            Some(now - length)
        };
        Ok(IncidentFilter {
            status: parsed("status", &self.status, str::parse::<Status>)?,
            domain: parsed("domain", &self.domain, Domain::parse)?,
            severity: parsed("severity", &self.severity, str::parse::<Severity>)?,
            from,
            to: None,
            limit: None,
        })
    }

    /// The incident the previous page ended with.
    ///
    /// # Errors
    /// 400 when it is not an incident number.
    pub(crate) fn cursor(&self) -> Result<Option<IncidentNumber>, ApiError> {
        parsed("cursor", &self.cursor, str::parse::<IncidentNumber>)
    }

    /// These filters as a query string (without the cursor), for links.
    pub(crate) fn to_query(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("severity", &self.severity),
            ("domain", &self.domain),
            ("period", &self.period),
        ];
        let mut out = String::new();
        for (name, value) in pairs {
            if value.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            out.push_str(&encode(value));
        }
        out
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_mean_any_and_the_period_counts_back() {
        let now = Utc::now();
        let query = PageQuery { severity: "sev2".into(), period: "7d".into(), ..PageQuery::default() };
        let filter = query.filter(now).unwrap();
        assert_eq!(filter.severity, Some(Severity::Sev2));
        assert_eq!(filter.status, None);
        assert_eq!(filter.from, Some(now - chrono::Duration::days(7)));
        assert_eq!(query.to_query(), "severity=sev2&period=7d");
    }

    #[test]
    fn wrong_fields_are_named() {
        let query = PageQuery { status: "sleeping".into(), ..PageQuery::default() };
        assert!(query.filter(Utc::now()).unwrap_err().message().contains("`status`"));
        assert_eq!(encode("a b&c"), "a%20b%26c");
    }
}
