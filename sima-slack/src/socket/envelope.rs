//! One Socket Mode message: control messages (`hello`, `disconnect`) and
//! envelopes, each envelope handled by the shared pipeline and answered
//! with its acknowledgement.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::pipeline::{self, Answer, Body, Kind, Request};
use crate::state::SlackState;

/// What a text frame from Slack says.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Frame {
    /// The connection is ready.
    Hello,
    /// Slack will close this connection: open another.
    Disconnect(Reason),
    /// A request to handle and acknowledge.
    Envelope(Envelope),
    /// Unreadable, or a type SIMA does not know: acknowledged when it has an id.
    Unknown {
        /// The `envelope_id`, if one could be read.
        envelope_id: Option<String>,
        /// What was wrong, for the log.
        detail: String,
    },
}

/// Why Slack disconnects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reason {
    /// The connection reached its lifetime: reconnect.
    RefreshRequested,
    /// Slack will close soon: reconnect.
    Warning,
    /// Socket Mode was turned off for the app: stop.
    LinkDisabled,
    /// Any other reason: reconnect.
    Other,
}

/// An envelope carrying a request.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Envelope {
    pub(super) envelope_id: String,
    pub(super) kind: Kind,
    pub(super) payload: Value,
    pub(super) accepts_response_payload: bool,
    pub(super) retry_attempt: u32,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    envelope_id: Option<String>,
    #[serde(default)]
    payload: Option<Value>,
    #[serde(default)]
    accepts_response_payload: bool,
    #[serde(default)]
    retry_attempt: Option<u32>,
    #[serde(default)]
    reason: Option<String>,
}

/// Reads one text frame. Never fails: what cannot be read is [`Frame::Unknown`].
pub(super) fn read(text: &str) -> Frame {
    let wire: Wire = match serde_json::from_str(text) {
        Ok(wire) => wire,
        Err(error) => {
            let envelope_id = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("envelope_id").and_then(Value::as_str).map(str::to_owned));
            return Frame::Unknown { envelope_id, detail: error.to_string() };
        }
    };
    let kind = match wire.kind.as_str() {
        "hello" => return Frame::Hello,
        "disconnect" => {
            return Frame::Disconnect(match wire.reason.as_deref() {
                Some("refresh_requested") => Reason::RefreshRequested,
                Some("warning") => Reason::Warning,
                Some("link_disabled") => Reason::LinkDisabled,
                _ => Reason::Other,
            })
        }
        "slash_commands" => Kind::Command,
        "interactive" => Kind::Interaction,
        "events_api" => Kind::Event,
        other => return Frame::Unknown { envelope_id: wire.envelope_id, detail: format!("envelope type `{other}`") },
    };
    match (wire.envelope_id, wire.payload) {
        (Some(envelope_id), Some(payload)) => Frame::Envelope(Envelope {
            envelope_id,
            kind,
            payload,
            accepts_response_payload: wire.accepts_response_payload,
            retry_attempt: wire.retry_attempt.unwrap_or(0),
        }),
        (envelope_id, _) => Frame::Unknown { envelope_id, detail: "an envelope without id or payload".into() },
    }
}

/// The acknowledgement of an envelope, without a payload.
pub(super) fn ack(envelope_id: &str) -> String {
    json!({ "envelope_id": envelope_id }).to_string()
}

/// The acknowledgement of an envelope carrying the answer, already encoded.
fn ack_with(envelope_id: &str, payload: &RawValue) -> String {
    #[derive(Serialize)]
    struct Acknowledgement<'a> {
        envelope_id: &'a str,
        payload: &'a RawValue,
    }
    serde_json::to_string(&Acknowledgement { envelope_id, payload }).unwrap_or_else(|error| {
        tracing::error!(%error, "could not encode an envelope's answer; acknowledged without it");
        ack(envelope_id)
    })
}

/// Handles an envelope and returns its acknowledgement, or `None` when Slack
/// should deliver it again (the event was not handled, or its delivery could
/// not be recorded).
pub(super) async fn handle(state: &SlackState, envelope: &Envelope) -> Option<String> {
    let key = format!("slack:envelope:{}", envelope.envelope_id);
    let retry = envelope.retry_attempt.to_string();
    let request = Request {
        kind: envelope.kind,
        body: Body::Json(&envelope.payload),
        key: &key,
        retry: (envelope.retry_attempt > 0).then_some(retry.as_str()),
    };
    let id = envelope.envelope_id.as_str();
    match pipeline::handle(state, request).await {
        Ok(Answer::Empty) => Some(ack(id)),
        Ok(Answer::Body(payload)) if envelope.accepts_response_payload => Some(ack_with(id, &payload)),
        Ok(Answer::Body(_)) => {
            tracing::warn!(envelope = id, "Slack accepts no answer on this envelope; acknowledged without it");
            Some(ack(id))
        }
        Ok(Answer::Retry) => None,
        Err(error) => {
            tracing::warn!(envelope = id, %error, "malformed Socket Mode envelope acknowledged and ignored");
            Some(ack(id))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_and_nothing_fails() {
        assert_eq!(read(r#"{"type":"hello","num_connections":1}"#), Frame::Hello);
        assert_eq!(read(r#"{"type":"disconnect","reason":"link_disabled"}"#), Frame::Disconnect(Reason::LinkDisabled));
        let Frame::Envelope(envelope) = read(
            r#"{"envelope_id":"e1","type":"events_api","payload":{"a":1},"accepts_response_payload":false,"retry_attempt":2}"#,
        ) else {
            panic!("an envelope")
        };
        assert_eq!((envelope.kind, envelope.retry_attempt, envelope.envelope_id.as_str()), (Kind::Event, 2, "e1"));
        assert!(matches!(read("not json"), Frame::Unknown { envelope_id: None, .. }));
        assert!(matches!(
            read(r#"{"envelope_id":"e2","type":"future_kind","payload":{}}"#),
            Frame::Unknown { envelope_id: Some(id), .. } if id == "e2"
        ));
        assert!(matches!(
            read(r#"{"envelope_id":"e3","type":"slash_commands"}"#),
            Frame::Unknown { envelope_id: Some(id), .. } if id == "e3"
        ));
        assert!(matches!(read(r#"{"envelope_id":"e4"}"#), Frame::Unknown { envelope_id: Some(id), .. } if id == "e4"));
    }
}
