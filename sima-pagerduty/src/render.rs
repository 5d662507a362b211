//! Neutral pages to Events API v2 events.

use chrono::SecondsFormat;
use sima_core::domain::Severity;
use sima_core::ports::Page;

use crate::dto::{EnqueueEventRequest, EventAction, EventLink, EventPayload, EventSeverity};
use crate::error::PagerDutyError;

/// PagerDuty refuses a `dedup_key` longer than this.
pub(crate) const MAX_DEDUP_KEY_CHARS: usize = 255;
/// PagerDuty truncates `payload.summary` at this length; we truncate first.
pub(crate) const MAX_SUMMARY_CHARS: usize = 1024;
/// `payload.source`: who raised the alert.
pub(crate) const SOURCE: &str = "sima";

/// The detail keys copied into `custom_details`.
const DETAIL_KEYS: [&str; 4] = ["number", "impact", "reporter", "description"];

/// sev1 critical, sev2 error, sev3 warning, sev4 info.
pub(crate) fn severity(severity: Severity) -> EventSeverity {
    match severity {
        Severity::Sev1 => EventSeverity::Critical,
        Severity::Sev2 => EventSeverity::Error,
        Severity::Sev3 => EventSeverity::Warning,
        Severity::Sev4 => EventSeverity::Info,
    }
}

/// The trigger event for `page`, sent with `routing_key`.
pub(crate) fn trigger(page: &Page, routing_key: &str) -> Result<EnqueueEventRequest, PagerDutyError> {
    check_dedup_key(&page.dedup_key)?;
    let custom_details = page
        .details
        .iter()
        .filter(|(key, value)| DETAIL_KEYS.contains(&key.as_str()) && !value.is_empty())
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let links = page
        .links
        .iter()
        .filter(|link| !link.url.is_empty())
        .map(|link| EventLink { href: link.url.clone(), text: link.label.clone() })
        .collect();
    Ok(EnqueueEventRequest {
        routing_key: routing_key.to_owned(),
        event_action: EventAction::Trigger,
        dedup_key: page.dedup_key.clone(),
        payload: Some(EventPayload {
            summary: truncate(&page.summary, MAX_SUMMARY_CHARS),
            source: SOURCE.to_owned(),
            severity: severity(page.severity),
            timestamp: page.timestamp.to_rfc3339_opts(SecondsFormat::Secs, true),
            component: Some(page.service.clone()).filter(|service| !service.is_empty()),
            custom_details,
        }),
        links,
    })
}

/// An acknowledge or resolve event for the alert with `dedup_key`.
pub(crate) fn follow_up(
    action: EventAction,
    dedup_key: &str,
    routing_key: &str,
) -> Result<EnqueueEventRequest, PagerDutyError> {
    check_dedup_key(dedup_key)?;
    Ok(EnqueueEventRequest {
        routing_key: routing_key.to_owned(),
        event_action: action,
        dedup_key: dedup_key.to_owned(),
        payload: None,
        links: Vec::new(),
    })
}

fn check_dedup_key(dedup_key: &str) -> Result<(), PagerDutyError> {
    let length = dedup_key.chars().count();
    if dedup_key.is_empty() || length > MAX_DEDUP_KEY_CHARS {
        return Err(PagerDutyError::DedupKey { length });
    }
    Ok(())
}

/// `text` cut to at most `max` characters, ending with `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{TimeZone, Utc};
    use sima_core::ports::Link;

    use super::*;

    fn page() -> Page {
        Page {
            dedup_key: "0190f3c4-6a7b-7cde-8f01-23456789abcd".into(),
            service: "outbound-email".into(),
            summary: "INC-42: outbound e-mails are not delivered".into(),
            severity: Severity::Sev1,
            timestamp: Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap(),
            links: vec![
                Link { label: "Incident channel".into(), url: "https://acme.slack.com/archives/C0INC42".into() },
                Link {
                    label: "Incident in SIMA".into(),
                    url: "https://sima.example.com/api/v1/incidents/INC-42".into(),
                },
            ],
            details: BTreeMap::from([
                ("number".to_owned(), "INC-42".to_owned()),
                ("impact".to_owned(), "120".to_owned()),
                ("reporter".to_owned(), "U024BE7LH".to_owned()),
                ("description".to_owned(), "Every message since 09:20 is queued.".to_owned()),
            ]),
        }
    }

    #[test]
    fn a_trigger_matches_the_recorded_event() {
        let request = trigger(&page(), "R0UT1NGKEY0000000000000000000001").unwrap();
        let expected: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/enqueue_trigger_request.json")).unwrap();
        assert_eq!(serde_json::to_value(&request).unwrap(), expected);
    }

    #[test]
    fn severities_map_to_pagerduty_levels() {
        let mapped: Vec<_> = Severity::ALL.iter().map(|s| severity(*s)).collect();
        assert_eq!(
            mapped,
            [EventSeverity::Critical, EventSeverity::Error, EventSeverity::Warning, EventSeverity::Info]
        );
    }

    #[test]
    fn long_summaries_are_cut_to_1024_characters() {
        let mut long = page();
        long.summary = "é".repeat(3000);
        let summary = trigger(&long, "k").unwrap().payload.unwrap().summary;
        assert_eq!(summary.chars().count(), MAX_SUMMARY_CHARS);
        assert!(summary.ends_with('…'));
        assert_eq!(truncate("short", 1024), "short");
    }

    #[test]
    fn only_known_details_are_sent() {
        let mut extra = page();
        extra.details.insert("internal".into(), "x".into());
        extra.details.insert("impact".into(), String::new());
        let details = trigger(&extra, "k").unwrap().payload.unwrap().custom_details;
        assert_eq!(details.keys().collect::<Vec<_>>(), ["description", "number", "reporter"]);
    }

    #[test]
    fn dedup_keys_longer_than_255_or_empty_are_refused() {
        let mut long = page();
        long.dedup_key = "k".repeat(256);
        assert!(matches!(trigger(&long, "k"), Err(PagerDutyError::DedupKey { length: 256 })));
        long.dedup_key = "k".repeat(255);
        assert!(trigger(&long, "k").is_ok());
        assert!(follow_up(EventAction::Resolve, "", "k").is_err());
    }
}
