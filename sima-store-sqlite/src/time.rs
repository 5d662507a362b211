//! Stored times: RFC 3339 UTC text with exactly three fractional digits, so
//! that text order is time order and SQLite's date functions read them.

use chrono::{DateTime, SecondsFormat, Utc};
use sima_core::ports::PortError;

use crate::error::corrupt;

/// `2026-03-02T09:15:30.123Z`.
pub(crate) fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The optional form of [`ts`].
pub(crate) fn ts_opt(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(ts)
}

/// Reads a stored time back.
pub(crate) fn parse(s: &str) -> Result<DateTime<Utc>, PortError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| corrupt("time", format!("{s}: {e}")))
}

/// Reads an optional stored time back.
pub(crate) fn parse_opt(s: Option<&str>) -> Result<Option<DateTime<Utc>>, PortError> {
    s.map(parse).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_with_milliseconds_and_sort_as_text() {
        let a = DateTime::from_timestamp_millis(1_772_442_930_123).unwrap();
        let b = DateTime::from_timestamp_millis(1_772_442_931_000).unwrap();
        assert_eq!(ts(a), "2026-03-02T09:15:30.123Z");
        assert_eq!(ts(b), "2026-03-02T09:15:31.000Z");
        assert_eq!(parse(&ts(a)).unwrap(), a);
        assert!(ts(a) < ts(b));
        assert!(parse("yesterday").is_err());
    }
}
