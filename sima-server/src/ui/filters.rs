//! The query string of the list and metrics pages: `status`, `severity`,
//! `domain`, `period` (`7d`, `30d`, `90d`, `365d`, `all`, or any duration up
//! to [`MAX_PERIOD_DAYS`] days) and `cursor`; the list also reads `type` and
//! `field`, the metrics page `type`, checked against the schema by `field_filter`.

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::http::{StatusCode, Uri};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sima_core::domain::{Domain, IncidentNumber, Severity, Status};
use sima_core::ports::IncidentFilter;

use crate::api::naming::{clip, incident_number};
use crate::delays::{parse_delay, Delay};
use crate::error::ApiError;

/// The longest `period`: 100 years of 365 days.
const MAX_PERIOD_DAYS: u64 = 36_500;

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
    /// An incident type (the list and the metrics; see `field_filter`).
    #[serde(default, rename = "type")]
    pub(crate) incident_type: String,
    /// `<name>:<value>`: one custom field's value (the list only).
    #[serde(default)]
    pub(crate) field: String,
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
        let from = if period.is_empty() || period == "all" { None } else { Some(since(period, now)?) };
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
    /// 400 when it is not an incident number, or one out of range.
    pub(crate) fn cursor(&self) -> Result<Option<IncidentNumber>, ApiError> {
        let cursor = self.cursor.trim();
        if cursor.is_empty() {
            return Ok(None);
        }
        incident_number("cursor", cursor).map(Some)
    }

    /// The query string of a request, as the pages read it.
    ///
    /// # Errors
    /// 400 when it cannot be read (a field given twice, say).
    pub(crate) fn read(query: Result<Query<Self>, QueryRejection>) -> Result<Self, ApiError> {
        query.map(|Query(query)| query).map_err(ApiError::from)
    }

    /// These filters as a query string (without the cursor), for links.
    pub(crate) fn to_query(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("severity", &self.severity),
            ("domain", &self.domain),
            ("period", &self.period),
            ("type", &self.incident_type),
            ("field", &self.field),
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

/// The start of a `period` counted back from `now`.
///
/// # Errors
/// 400 naming `period` when it is no duration, `off`, longer than
/// [`MAX_PERIOD_DAYS`] days, or reaches back before the calendar does.
fn since(period: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, ApiError> {
    let shown = clip(period);
    let wrong = |e: String| ApiError::invalid(format!("`period`: {e}"));
    let usage = || {
        wrong(format!(
            "`{shown}` is no period: write a whole number and s, m, h or d (`12h`, `7d`), at most {MAX_PERIOD_DAYS}d \
             (100 years), or `all`"
        ))
    };
    let too_long = || wrong(format!("`{shown}` is too long: at most {MAX_PERIOD_DAYS}d (100 years), or `all`"));
    let length = match parse_delay(period) {
        Ok(Delay(Some(length))) => length,
        Ok(Delay(None)) => return Err(wrong("`off` is no period: use `all`".to_owned())),
        Err(_) => return Err(usage()),
    };
    if length.as_secs() > MAX_PERIOD_DAYS * 86_400 {
        return Err(too_long());
    }
    let length = chrono::Duration::from_std(length).map_err(|_| too_long())?;
    now.checked_sub_signed(length).ok_or_else(too_long)
}

/// What a `/ui/?{query}` request gets from its filters as of `now`: 200 when
/// they are valid, else the error's status (a 400). The pages' parsing, whole.
pub(crate) fn filter_status(query: &str, now: DateTime<Utc>) -> StatusCode {
    let Ok(uri) = format!("/ui/?{query}").parse::<Uri>() else {
        // No request carries it: the server refuses it before any route.
        return StatusCode::BAD_REQUEST;
    };
    let checked = PageQuery::read(Query::try_from_uri(&uri))
        .and_then(|query| query.filter(now).and_then(|_| query.cursor()).map(|_| query.to_query()));
    match checked {
        Ok(_) => StatusCode::OK,
        Err(error) => error.status(),
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

    /// The error of `query` as of `now`, which must be a 400.
    fn refused(query: &str, now: DateTime<Utc>) -> String {
        let uri: Uri = format!("/ui/?{query}").parse().expect("a valid address");
        let read = PageQuery::read(Query::try_from_uri(&uri));
        let error = read.and_then(|q| q.filter(now).and_then(|_| q.cursor())).expect_err(query);
        assert_eq!(error.status(), StatusCode::BAD_REQUEST, "{query}");
        error.message().to_owned()
    }

    #[test]
    fn periods_are_bounded_to_a_hundred_years() {
        let now = Utc::now();
        for (query, hint) in [
            ("period=100000000000000s", "36500d"),
            ("period=36501d", "36500d"),
            ("period=876001h", "36500d"),
            ("period=99999999999999999999d", "36500d"),
            ("period=off", "`all`"),
            ("period=0d", "no period"),
            ("period=-7d", "no period"),
            ("period=7", "no period"),
        ] {
            let message = refused(query, now);
            assert!(message.starts_with("`period`: ") && message.contains(hint), "{query}: {message}");
        }
        let longest = PageQuery { period: "36500d".into(), ..PageQuery::default() };
        assert_eq!(longest.filter(now).unwrap().from, Some(now - chrono::Duration::days(36_500)));
        assert!(refused(&format!("period={}d", "9".repeat(3000)), now).len() < 200, "long values are clipped");
    }

    #[test]
    fn cursors_and_repeated_fields_are_refused_naming_the_field() {
        let now = Utc::now();
        for (query, field) in [
            ("cursor=INC-99999999999999999999", "`cursor`"),
            ("cursor=INC-9223372036854775808", "`cursor`"),
            ("cursor=INC-0", "`cursor`"),
            ("cursor=%3Cb%3E", "`cursor`"),
            ("status=open&status=closed", "`status`"),
            ("severity=sev9", "`severity`"),
            ("domain=Not%20A%20Slug", "`domain`"),
        ] {
            let message = refused(query, now);
            assert!(message.contains(field), "{query}: {message}");
        }
        let last = PageQuery { cursor: "INC-9223372036854775807".into(), ..PageQuery::default() };
        assert_eq!(last.cursor().unwrap().map(|n| n.value()), Some(9_223_372_036_854_775_807));
    }

    /// Query strings from pieces that have broken parsers before (long
    /// numbers, signs, units, escapes, repeated and unknown fields), drawn
    /// by a fixed-seed generator so that a failure replays.
    fn hostile_queries(count: usize) -> impl Iterator<Item = String> {
        const NAMES: [&str; 9] =
            ["status", "severity", "domain", "period", "cursor", "next", "", "period%00", "status[]"];
        const PIECES: [&str; 32] = [
            "",
            "0",
            "1",
            "7",
            "36500",
            "36501",
            "99999999999999999999",
            "18446744073709551615",
            "9223372036854775807",
            "9223372036854775808",
            "-",
            "+",
            "s",
            "m",
            "h",
            "d",
            "w",
            "off",
            "all",
            "any",
            "INC-",
            "inc-",
            "sev1",
            "open",
            "%FF",
            "%00",
            "%E2%80%AE",
            "%2B",
            "é",
            " ",
            "&",
            "=",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % below as u64).unwrap_or(0)
        };
        (0..count).map(move |_| {
            let mut query = String::new();
            for _ in 0..=next(4) {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(NAMES[next(NAMES.len())]);
                query.push('=');
                for _ in 0..next(5) {
                    query.push_str(PIECES[next(PIECES.len())]);
                }
            }
            query
        })
    }

    #[test]
    fn no_query_string_panics_and_each_is_answered_200_or_400() {
        let now = Utc::now();
        let mut answers = std::collections::BTreeMap::new();
        for query in hostile_queries(20_000) {
            let status = filter_status(&query, now);
            assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST, "{query}: {status}");
            *answers.entry(status.as_u16()).or_insert(0) += 1;
        }
        assert!(
            answers.get(&200).is_some_and(|n| *n > 100) && answers.get(&400).is_some_and(|n| *n > 100),
            "{answers:?}"
        );
        for query in ["period=100000000000000s", "period=99999999999999999999d", "cursor=INC-99999999999999999999"] {
            assert_eq!(filter_status(query, now), StatusCode::BAD_REQUEST, "{query}");
        }
        assert_eq!(filter_status("period=36500d&cursor=INC-3&severity=sev1&domain=payments", now), StatusCode::OK);
    }
}
