//! Query-string filters, parsed with messages that say what to fix.

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use sima_core::domain::{Domain, FieldSchema, IncidentNumber, Severity, Status, ValidationError};
use sima_core::ports::IncidentFilter;
use utoipa::IntoParams;

use super::naming::{clip, incident_number};
use super::schemas;
use crate::error::ApiError;

/// The largest `limit`: incidents on one page.
pub(super) const MAX_LIMIT: usize = 1000;

/// The years a `from` or `to` may fall in (UTC).
const YEARS: RangeInclusive<i32> = 1970..=9999;

/// `?status&domain&severity&from&to&limit&cursor`, as text.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct FilterQuery {
    /// Only this status.
    #[param(value_type = Option<String>, schema_with = schemas::status)]
    status: Option<String>,
    /// Only this domain.
    domain: Option<String>,
    /// Only this severity.
    #[param(value_type = Option<String>, schema_with = schemas::severity)]
    severity: Option<String>,
    /// Declared at or after (RFC 3339).
    #[param(format = DateTime, example = "2026-01-01T00:00:00Z")]
    from: Option<String>,
    /// Declared before (RFC 3339).
    #[param(format = DateTime, example = "2026-02-01T00:00:00Z")]
    to: Option<String>,
    /// Incidents per page: 1 to 1000 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(example = "INC-7")]
    cursor: Option<String>,
}

/// `?from&to&domain&severity&type` of the metrics, as text.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MetricsQuery {
    /// Only this domain.
    domain: Option<String>,
    /// Only this severity.
    severity: Option<String>,
    /// Declared at or after (RFC 3339).
    from: Option<String>,
    /// Declared before (RFC 3339).
    to: Option<String>,
    /// Only incidents of this type (one of `[[incident_types]]`).
    #[serde(rename = "type")]
    incident_type: Option<String>,
}

impl MetricsQuery {
    /// The store filter, and the incident type asked for (checked against `schema`).
    ///
    /// # Errors
    /// 400 naming the parameter that is wrong; for `type`, the types there are.
    pub(crate) fn parse(&self, schema: &FieldSchema) -> Result<(IncidentFilter, Option<String>), ApiError> {
        let period = FilterQuery {
            domain: self.domain.clone(),
            severity: self.severity.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            ..FilterQuery::default()
        };
        let filter = period.parse()?;
        let incident_type = self.incident_type.as_deref().map(|name| incident_type(schema, name)).transpose()?;
        Ok((filter, incident_type))
    }
}

/// The name of one of `schema`'s incident types.
fn incident_type(schema: &FieldSchema, name: &str) -> Result<String, ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::invalid("`type` is empty: name an incident type, or leave `type` out"));
    }
    // Type names are at most 40 characters: a longer one is clipped in the answer.
    schema.parse_type(&clip(name)).map(|t| t.name.clone()).map_err(|e| ApiError::invalid(format!("`type`: {e}")))
}

/// An RFC 3339 time in [`YEARS`].
fn time(name: &str, value: &str) -> Result<DateTime<Utc>, ApiError> {
    let time = DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ApiError::invalid(format!("`{name}`: {}", ValidationError::Time(clip(value)))))?;
    if !YEARS.contains(&time.year()) {
        return Err(ApiError::invalid(format!(
            "`{name}`: `{}` is out of range: use a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z",
            clip(value)
        )));
    }
    Ok(time)
}

/// A page size from 1 to [`MAX_LIMIT`].
fn limit(value: &str) -> Result<usize, ApiError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| ApiError::invalid(format!("`limit` must be a whole number from 1 to {MAX_LIMIT}")))
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
    /// 400 when it is not an incident number, or one out of range.
    pub(crate) fn cursor(&self) -> Result<Option<IncidentNumber>, ApiError> {
        self.cursor.as_deref().map(|c| incident_number("cursor", c)).transpose()
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
            limit: self.limit.as_deref().map(limit).transpose()?,
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from >= to {
                return Err(ApiError::invalid("`from` must be before `to`"));
            }
        }
        Ok(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(query: &str) -> Result<IncidentFilter, ApiError> {
        let query: FilterQuery = serde_urlencoded::from_str(query).expect("known fields");
        query.cursor()?;
        query.parse()
    }

    fn refused(query: &str) -> String {
        let error = parsed(query).expect_err(query);
        assert_eq!(error.status().as_u16(), 400, "{query}");
        error.message().to_owned()
    }

    #[test]
    fn times_and_pages_out_of_range_are_refused_naming_the_field() {
        for (query, field) in [
            ("from=1969-12-31T23:59:59Z", "`from`"),
            ("to=0001-01-01T00:00:00Z", "`to`"),
            ("to=9999-12-31T23:59:59-01:00", "`to`"),
            ("from=2026-01-01", "`from`"),
            ("limit=0", "`limit`"),
            ("limit=1001", "`limit`"),
            ("limit=99999999999999999999999", "`limit`"),
            ("limit=-1", "`limit`"),
            ("cursor=INC-99999999999999999999", "`cursor`"),
            ("cursor=INC-9223372036854775808", "`cursor`"),
            ("cursor=INC-0", "`cursor`"),
            ("cursor=nonsense", "`cursor`"),
        ] {
            let message = refused(query);
            assert!(message.contains(field), "{query}: {message}");
        }
        assert!(refused("to=9999-12-31T23:59:59-01:00").contains("9999-12-31T23:59:59Z"));
        assert!(refused("cursor=INC-99999999999999999999").contains("INC-9223372036854775807"));
        assert!(refused(&format!("from={}", "9".repeat(5000))).len() < 200, "long values are clipped");
    }

    #[test]
    fn from_after_to_is_refused_and_the_bounds_themselves_pass() {
        assert!(refused("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z").contains("`from`"));
        let filter =
            parsed("from=1970-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&limit=1000&cursor=INC-9223372036854775807")
                .expect("the bounds are allowed");
        assert_eq!(filter.limit, Some(MAX_LIMIT));
        assert_eq!(filter.from.map(|t| t.year()), Some(1970));
    }
}
