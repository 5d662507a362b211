//! Durations in settings: one syntax (`2s`, `30m`, `12h`, `7d`, or `off`)
//! for the environment and `sima.toml`, read by [`parse_delay`], and the
//! scheduled-work settings written with it.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use sima_core::domain::Severity;
use sima_core::Schedule;

/// A duration setting that `off` can disable.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Delay(pub Option<Duration>);

impl fmt::Debug for Delay {
    /// As written in `sima.toml`: `Delay(30m)`, `Delay(off)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Delay({self})")
    }
}

impl Delay {
    /// `seconds` long.
    pub const fn secs(seconds: u64) -> Self {
        Self(Some(Duration::from_secs(seconds)))
    }

    /// Disabled.
    pub const OFF: Self = Self(None);
}

/// Reads `2s`, `30m`, `12h`, `7d` (a whole positive number and a unit) or `off`.
///
/// # Errors
/// What to write instead, quoting what was given.
pub fn parse_delay(text: &str) -> Result<Delay, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(Delay::OFF);
    }
    let wrong = || {
        format!("`{text}` is no duration: write a whole number and s, m, h or d (`2s`, `30m`, `12h`, `7d`), or `off`")
    };
    let unit_at = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(wrong)?;
    let (number, unit) = text.split_at(unit_at);
    let number: u64 = number.parse().map_err(|_| wrong())?;
    let seconds = match unit {
        "s" => Some(number),
        "m" => number.checked_mul(60),
        "h" => number.checked_mul(3600),
        "d" => number.checked_mul(86_400),
        _ => return Err(wrong()),
    };
    match seconds {
        Some(0) => Err(format!("`{text}` is zero: write a positive duration, or `off` to disable")),
        Some(seconds) => Ok(Delay::secs(seconds)),
        None => Err(format!("`{text}` is too long")),
    }
}

impl fmt::Display for Delay {
    /// The largest exact unit: `30m`, `7d`, `90s`; `off`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(duration) = self.0 else { return f.write_str("off") };
        let s = duration.as_secs();
        match s {
            _ if s > 0 && s % 86_400 == 0 => write!(f, "{}d", s / 86_400),
            _ if s > 0 && s % 3600 == 0 => write!(f, "{}h", s / 3600),
            _ if s > 0 && s % 60 == 0 => write!(f, "{}m", s / 60),
            _ => write!(f, "{s}s"),
        }
    }
}

impl<'de> Deserialize<'de> for Delay {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_delay(&text).map_err(serde::de::Error::custom)
    }
}

/// `[reminders]`: when the room is reminded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReminderSettings {
    /// Remind the room after this long without an update (`SIMA_REMINDER_AFTER`).
    pub update_after: Delay,
    /// Per-severity values (`sev1 = "15m"`).
    pub update_after_by_severity: BTreeMap<Severity, Delay>,
    /// Remind the Incident Manager this long after resolution if the root
    /// cause or action items are missing (`SIMA_POSTMORTEM_REMINDER_AFTER`).
    pub postmortem_after: Delay,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        Self {
            update_after: Delay::secs(30 * 60),
            update_after_by_severity: BTreeMap::new(),
            postmortem_after: Delay::secs(2 * 86_400),
        }
    }
}

/// `[rooms]`: the incident rooms' life.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RoomSettings {
    /// Archive the room this long after resolution (`SIMA_ARCHIVE_AFTER`).
    pub archive_after: Delay,
}

impl Default for RoomSettings {
    fn default() -> Self {
        Self { archive_after: Delay::secs(7 * 86_400) }
    }
}

/// `[effects]`: the effect worker.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EffectSettings {
    /// How long transient failures are retried before an effect is given up
    /// (`SIMA_EFFECT_RETRY_FOR`; `off` is refused).
    pub retry_for: Delay,
}

impl Default for EffectSettings {
    fn default() -> Self {
        Self { retry_for: Delay::secs(24 * 3600) }
    }
}

/// The parts of `SIMA_REMINDER_AFTER`: a default, then optional
/// per-severity values, comma-separated (`30m, sev1=15m, sev4=off`), as
/// `(None, "30m")`, `(Some("sev1"), "15m")`; each is read as a [`Delay`]
/// with the key it sets.
pub fn reminder_entries(text: &str) -> Vec<(Option<String>, String)> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((severity, delay)) => (Some(severity.trim().to_ascii_lowercase()), delay.trim().to_owned()),
            None => (None, part.to_owned()),
        })
        .collect()
}

/// The core's schedule for these settings.
pub fn schedule(reminders: &ReminderSettings, rooms: &RoomSettings) -> Schedule {
    Schedule {
        update_after: reminders.update_after.0,
        update_after_by_severity: reminders.update_after_by_severity.iter().map(|(s, d)| (*s, d.0)).collect(),
        archive_after: rooms.archive_after.0,
        postmortem_reminder_after: reminders.postmortem_after.0,
    }
}

/// The lines start-up prints: every duration in force.
pub fn describe(reminders: &ReminderSettings, rooms: &RoomSettings, effects: &EffectSettings) -> Vec<String> {
    let by_severity: Vec<String> = reminders.update_after_by_severity.iter().map(|(s, d)| format!("{s}={d}")).collect();
    let by_severity = if by_severity.is_empty() { String::new() } else { format!(" ({})", by_severity.join(", ")) };
    vec![
        format!("update reminders: {}{by_severity} (SIMA_REMINDER_AFTER)", reminders.update_after),
        format!(
            "post-mortem reminder: {} after resolution (SIMA_POSTMORTEM_REMINDER_AFTER)",
            reminders.postmortem_after
        ),
        format!("room archive: {} after resolution (SIMA_ARCHIVE_AFTER)", rooms.archive_after),
        format!("effect retries: for {} (SIMA_EFFECT_RETRY_FOR)", effects.retry_for),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_syntax_for_every_duration() {
        assert_eq!(parse_delay("2s"), Ok(Delay::secs(2)));
        assert_eq!(parse_delay("30m"), Ok(Delay::secs(1800)));
        assert_eq!(parse_delay(" 12h "), Ok(Delay::secs(43_200)));
        assert_eq!(parse_delay("7d"), Ok(Delay::secs(604_800)));
        assert_eq!(parse_delay("OFF"), Ok(Delay::OFF));
        for bad in ["", "30", "m", "1.5h", "-2s", "3w", "30 m", "0s", "99999999999999999999d"] {
            let error = parse_delay(bad).unwrap_err();
            assert!(
                error.contains("duration") || error.contains("zero") || error.contains("too long"),
                "{bad}: {error}"
            );
        }
        for text in ["2s", "30m", "12h", "7d", "90s", "off"] {
            assert_eq!(parse_delay(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn reminders_take_per_severity_values() {
        let entries = reminder_entries("20m, SEV1 = 15m,, sev4=off");
        let expected = [(None, "20m"), (Some("sev1"), "15m"), (Some("sev4"), "off")];
        let entries: Vec<(Option<&str>, &str)> = entries.iter().map(|(s, d)| (s.as_deref(), d.as_str())).collect();
        assert_eq!(entries, expected);
    }
}
