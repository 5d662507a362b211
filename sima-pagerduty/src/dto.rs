//! Events API v2 wire types (`POST /v2/enqueue`). Crate-private.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The body of `POST /v2/enqueue`: a trigger, acknowledge or resolve event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct EnqueueEventRequest {
    pub(crate) routing_key: String,
    pub(crate) event_action: EventAction,
    pub(crate) dedup_key: String,
    /// Present on triggers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) payload: Option<EventPayload>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) links: Vec<EventLink>,
}

/// What the event does to the alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EventAction {
    Trigger,
    Acknowledge,
    Resolve,
}

/// PagerDuty's alert severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EventSeverity {
    Critical,
    Error,
    Warning,
    Info,
}

/// `payload` of a trigger event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct EventPayload {
    pub(crate) summary: String,
    pub(crate) source: String,
    pub(crate) severity: EventSeverity,
    /// RFC 3339.
    pub(crate) timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) component: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) custom_details: BTreeMap<String, String>,
}

/// A link attached to the alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EventLink {
    pub(crate) href: String,
    pub(crate) text: String,
}

/// The body PagerDuty answers with, on success (202) and on refusal (400).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct EnqueueEventResponse {
    #[serde(default)]
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dedup_key: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) errors: Vec<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn round_trip<T: Serialize + serde::de::DeserializeOwned>(fixture: &str) -> T {
        let original: Value = serde_json::from_str(fixture).unwrap();
        let typed: T = serde_json::from_value(original.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), original, "fixture does not round-trip");
        typed
    }

    #[test]
    fn trigger_request_round_trips() {
        let request: EnqueueEventRequest = round_trip(include_str!("../tests/fixtures/enqueue_trigger_request.json"));
        assert_eq!(request.event_action, EventAction::Trigger);
        let payload = request.payload.unwrap();
        assert_eq!(payload.severity, EventSeverity::Critical);
        assert_eq!(payload.custom_details["number"], "INC-42");
        assert_eq!(request.links[0].text, "Incident channel");
    }

    #[test]
    fn resolve_request_round_trips() {
        let request: EnqueueEventRequest = round_trip(include_str!("../tests/fixtures/enqueue_resolve_request.json"));
        assert_eq!(request.event_action, EventAction::Resolve);
        assert!(request.payload.is_none());
    }

    #[test]
    fn accepted_response_round_trips() {
        let response: EnqueueEventResponse =
            round_trip(include_str!("../tests/fixtures/enqueue_accepted_response.json"));
        assert_eq!(response.status, "success");
        assert_eq!(response.dedup_key.as_deref(), Some("0190f3c4-6a7b-7cde-8f01-23456789abcd"));
    }

    #[test]
    fn invalid_event_response_round_trips() {
        let response: EnqueueEventResponse =
            round_trip(include_str!("../tests/fixtures/enqueue_invalid_response.json"));
        assert_eq!(response.status, "invalid event");
        assert_eq!(response.errors.len(), 1);
    }
}
