//! Linear's webhooks, for the server's `POST /webhooks/linear`: the
//! signature, the payload's age, and `Issue` events read as ticket changes.
//!
//! Linear signs each delivery with `Linear-Signature: <hex HMAC-SHA256 of the
//! raw body>`, keyed with the webhook's signing secret, and puts the time it
//! sent it in the body as `webhookTimestamp` (UTC epoch milliseconds); it
//! recommends refusing deliveries more than a minute old, so a captured
//! request cannot be replayed later. Check the signature over the raw bytes
//! first ([`verify_signature`]), then parse ([`parse_webhook`], which checks
//! the age).
//!
//! The issue's id is derived from SIMA's key by a one-way hash
//! ([`issue_id`](crate::issue_id)), so a webhook cannot name the key:
//! [`TicketChange::key`] is `None`, and the server finds the action item by
//! the ticket's id (`ticket.id`), which it recorded when the issue was made.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use sima_core::domain::Ticket;
use sima_core::ports::TicketChange;
use subtle::ConstantTimeEq;
use thiserror::Error;

use crate::dto::state_of;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "linear-signature";
/// How far `webhookTimestamp` may be from now, either way: Linear's advice.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// Why a webhook delivery is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookError {
    /// No `Linear-Signature` header.
    #[error("missing {SIGNATURE_HEADER} header")]
    MissingSignature,
    /// The header is not a hex SHA-256 digest.
    #[error("malformed {SIGNATURE_HEADER} header")]
    MalformedSignature,
    /// The signature does not match the body and the secret.
    #[error("{SIGNATURE_HEADER} does not match the body")]
    BadSignature,
    /// `webhookTimestamp` is further from now than the tolerance.
    #[error("webhookTimestamp is {age_secs}s from now, more than {tolerance_secs}s")]
    Stale {
        /// How far it is from now, in seconds.
        age_secs: i64,
        /// The tolerance, in seconds.
        tolerance_secs: u64,
    },
    /// The body is not a Linear payload (not JSON, no timestamp, an issue without its fields).
    #[error("malformed Linear webhook: {0}")]
    Malformed(String),
}

/// Accepts `body` if `header` is the hex HMAC-SHA256 of it keyed with
/// `secret`, compared in constant time.
///
/// # Errors
/// [`WebhookError::MissingSignature`], [`WebhookError::MalformedSignature`]
/// (not 64 hex digits) or [`WebhookError::BadSignature`].
pub fn verify_signature(secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), WebhookError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(WebhookError::MissingSignature)?;
    let given = hex::decode(header).map_err(|_| WebhookError::MalformedSignature)?;
    if given.len() != 32 {
        return Err(WebhookError::MalformedSignature);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| WebhookError::BadSignature)?;
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    if bool::from(expected.as_slice().ct_eq(&given)) {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

/// Accepts `payload` if its `webhookTimestamp` (epoch milliseconds) is
/// within `tolerance` of `now`, either way.
///
/// # Errors
/// [`WebhookError::Malformed`] without a readable timestamp;
/// [`WebhookError::Stale`] when it is too far from now.
pub fn check_timestamp(payload: &Value, now: DateTime<Utc>, tolerance: Duration) -> Result<(), WebhookError> {
    let millis = payload
        .get("webhookTimestamp")
        .and_then(Value::as_i64)
        .ok_or_else(|| WebhookError::Malformed("no webhookTimestamp in milliseconds".into()))?;
    let sent = DateTime::<Utc>::from_timestamp_millis(millis)
        .ok_or_else(|| WebhookError::Malformed(format!("webhookTimestamp {millis} is out of range")))?;
    let age = now.signed_duration_since(sent);
    let tolerance_ms = i64::try_from(tolerance.as_millis()).unwrap_or(i64::MAX);
    if age.num_milliseconds().unsigned_abs() > tolerance_ms.unsigned_abs() {
        return Err(WebhookError::Stale { age_secs: age.num_seconds(), tolerance_secs: tolerance.as_secs() });
    }
    Ok(())
}

/// Reads a verified delivery: an `Issue` `create` or `update` is the issue
/// as it is now (`data.id`, `data.identifier`, `data.url`, `data.state`);
/// any other type or action is `None`. The key is always `None` (see the
/// module's documentation).
///
/// # Errors
/// [`WebhookError::Stale`] when `webhookTimestamp` is more than
/// [`MAX_AGE`] from `now`; [`WebhookError::Malformed`] for a body that is not
/// JSON, has no timestamp, or an issue event without those fields.
pub fn parse_webhook(body: &[u8], now: DateTime<Utc>) -> Result<Option<TicketChange>, WebhookError> {
    let payload: Value = serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    check_timestamp(&payload, now, MAX_AGE)?;
    let is_issue = payload.get("type").and_then(Value::as_str) == Some("Issue");
    let action = payload.get("action").and_then(Value::as_str);
    if !is_issue || !matches!(action, Some("create" | "update")) {
        return Ok(None);
    }
    let data = payload.get("data").ok_or_else(|| WebhookError::Malformed("an Issue event without data".into()))?;
    let text = |value: Option<&Value>, what: &str| -> Result<String, WebhookError> {
        value
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| WebhookError::Malformed(format!("an Issue event without {what}")))
    };
    let id = text(data.get("id"), "data.id")?;
    let key = text(data.get("identifier"), "data.identifier")?;
    // The issue's own link; the event's `url` is the same page.
    let url = text(data.get("url").or_else(|| payload.get("url")), "data.url")?;
    let state = data.get("state");
    let status = text(state.and_then(|s| s.get("name")), "data.state.name")?;
    let kind = text(state.and_then(|s| s.get("type")), "data.state.type")?;
    let ticket = Ticket { id, key, url, status, state: state_of(&kind) };
    Ok(Some(TicketChange { ticket, key: None }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn signatures_are_checked_and_each_refusal_named() {
        let body = br#"{"type":"Issue"}"#;
        let good = sign(b"s3cret", body);
        assert_eq!(verify_signature(b"s3cret", body, Some(&good)), Ok(()));
        assert_eq!(verify_signature(b"s3cret", body, Some(&good.to_ascii_uppercase())), Ok(()));
        assert_eq!(verify_signature(b"s3cret", body, None), Err(WebhookError::MissingSignature));
        assert_eq!(verify_signature(b"s3cret", body, Some("  ")), Err(WebhookError::MissingSignature));
        for malformed in ["zz", "abc", &good[..62], &format!("sha256={good}")] {
            assert_eq!(verify_signature(b"s3cret", body, Some(malformed)), Err(WebhookError::MalformedSignature));
        }
        assert_eq!(verify_signature(b"other", body, Some(&good)), Err(WebhookError::BadSignature));
        assert_eq!(verify_signature(b"s3cret", b"{}", Some(&good)), Err(WebhookError::BadSignature));
    }

    #[test]
    fn timestamps_far_from_now_either_way_are_refused() {
        let now = DateTime::<Utc>::from_timestamp_millis(1_733_500_000_000).unwrap();
        let at = |ms: i64| serde_json::json!({ "webhookTimestamp": ms });
        assert_eq!(check_timestamp(&at(1_733_500_000_000), now, MAX_AGE), Ok(()));
        assert_eq!(check_timestamp(&at(1_733_499_940_000), now, MAX_AGE), Ok(()));
        assert!(matches!(
            check_timestamp(&at(1_733_499_939_999), now, MAX_AGE),
            Err(WebhookError::Stale { age_secs: 60, tolerance_secs: 60 })
        ));
        assert!(matches!(check_timestamp(&at(1_733_500_061_000), now, MAX_AGE), Err(WebhookError::Stale { .. })));
        for bad in [serde_json::json!({}), serde_json::json!({ "webhookTimestamp": "now" }), at(i64::MAX)] {
            assert!(matches!(check_timestamp(&bad, now, MAX_AGE), Err(WebhookError::Malformed(_))), "{bad}");
        }
    }
}
