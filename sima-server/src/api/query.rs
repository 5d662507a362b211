//! Query-string filters, parsed with messages that say what to fix.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sima_core::domain::{Domain, IncidentNumber, Severity, Status, ValidationError};
use sima_core::ports::IncidentFilter;

use crate::error::ApiError;

/// `?status&domain&severity&from&to&limit`, as text.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilterQuery {
    status: Option<String>,
    domain: Option<String>,
    severity: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

fn time(name: &str, value: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ApiError::invalid(format!("`{name}`: {}", ValidationError::Time(value.to_owned()))))
}

fn field<T>(
    name: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ValidationError>,
) -> Result<Option<T>, ApiError> {
    value.map(|v| parse(v).map_err(|e| ApiError::invalid(format!("`{name}`: {e}")))).transpose()
}

impl FilterQuery {
    /// The `cursor` of a listing: the number of the last incident shown.
    ///
    /// # Errors
    /// 400 when it is not an incident number.
    pub(crate) fn cursor(&self) -> Result<Option<IncidentNumber>, ApiError> {
        self.cursor
            .as_deref()
            .map(|c| c.parse().map_err(|_| ApiError::invalid("`cursor` must be the `next_cursor` of a previous page")))
            .transpose()
    }

    /// The store filter.
    ///
    /// # Errors
    /// 400 naming the parameter that is wrong.
    pub(crate) fn parse(&self) -> Result<IncidentFilter, ApiError> {
        let filter = IncidentFilter {
            status: field("status", self.status.as_deref(), str::parse::<Status>)?,
            domain: field("domain", self.domain.as_deref(), Domain::parse)?,
            severity: field("severity", self.severity.as_deref(), str::parse::<Severity>)?,
            from: self.from.as_deref().map(|v| time("from", v)).transpose()?,
            to: self.to.as_deref().map(|v| time("to", v)).transpose()?,
            limit: self
                .limit
                .as_deref()
                .map(|v| v.parse::<usize>().map_err(|_| ApiError::invalid("`limit` must be a positive whole number")))
                .transpose()?,
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from >= to {
                return Err(ApiError::invalid("`from` must be before `to`"));
            }
        }
        Ok(filter)
    }
}
