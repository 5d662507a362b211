//! When scheduled work falls due: update reminders, the post-mortem
//! reminder and the room archive. `None` turns a schedule off.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::Severity;

/// `now + delay`, saturating instead of overflowing.
pub(crate) fn later(now: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    let delay = TimeDelta::from_std(delay).unwrap_or(TimeDelta::MAX);
    now.checked_add_signed(delay).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The delays of the scheduled runbooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Remind the room after this long without an update (default 30 min).
    pub update_after: Option<Duration>,
    /// Per-severity overrides of `update_after` (sev1: 15 min…).
    pub update_after_by_severity: BTreeMap<Severity, Option<Duration>>,
    /// Archive the room this long after resolution (default 7 days).
    pub archive_after: Option<Duration>,
    /// Remind the Incident Manager this long after resolution if the root
    /// cause or the action items are missing (default 2 days).
    pub postmortem_reminder_after: Option<Duration>,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            update_after: Some(Duration::from_secs(30 * 60)),
            update_after_by_severity: BTreeMap::new(),
            archive_after: Some(Duration::from_secs(7 * 24 * 3600)),
            postmortem_reminder_after: Some(Duration::from_secs(2 * 24 * 3600)),
        }
    }
}

impl Schedule {
    /// Every schedule off.
    pub fn off() -> Self {
        Self {
            update_after: None,
            update_after_by_severity: BTreeMap::new(),
            archive_after: None,
            postmortem_reminder_after: None,
        }
    }

    /// How long an incident of `severity` may go without an update.
    pub fn update_after(&self, severity: Severity) -> Option<Duration> {
        self.update_after_by_severity.get(&severity).copied().unwrap_or(self.update_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_severity_override_wins_even_when_it_turns_reminders_off() {
        let mut schedule = Schedule::default();
        schedule.update_after_by_severity.insert(Severity::Sev1, Some(Duration::from_secs(900)));
        schedule.update_after_by_severity.insert(Severity::Sev4, None);
        assert_eq!(schedule.update_after(Severity::Sev1), Some(Duration::from_secs(900)));
        assert_eq!(schedule.update_after(Severity::Sev2), Some(Duration::from_secs(1800)));
        assert_eq!(schedule.update_after(Severity::Sev4), None);
    }
}
