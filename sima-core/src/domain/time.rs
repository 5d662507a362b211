//! How times read in events and messages.

use chrono::{DateTime, SecondsFormat, Utc};

/// Formats a time the way events and messages show it (RFC 3339, UTC).
pub fn format_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}
