//! Jira's admin webhooks: the `X-Hub-Signature` check, and issue events read
//! as [`TicketChange`]s.
//!
//! A webhook registered with a secret (Jira settings → System → WebHooks)
//! is signed `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
//! Check the signature on the body as received, before parsing it.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use sima_core::ports::TicketChange;
use thiserror::Error;

use crate::dto::WebhookPayload;

/// The header Jira signs its webhooks in.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature";

/// The events that carry an issue's new state.
const ISSUE_EVENTS: [&str; 2] = ["jira:issue_created", "jira:issue_updated"];

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookError {
    /// No secret is configured, so no signature can be checked.
    #[error("no Jira webhook secret is configured")]
    NoSecret,
    /// The request has no `X-Hub-Signature` header.
    #[error("missing X-Hub-Signature header")]
    MissingSignature,
    /// The header is not `sha256=` followed by 64 hex digits.
    #[error("X-Hub-Signature is not sha256=<hex HMAC-SHA256>")]
    MalformedSignature,
    /// The signature does not match the body under the configured secret.
    #[error("X-Hub-Signature does not match the body")]
    BadSignature,
    /// The body is not a Jira webhook payload SIMA can read.
    #[error("unreadable Jira webhook: {0}")]
    Malformed(String),
}

/// Checks `header` (the `X-Hub-Signature` value) against the HMAC-SHA256 of
/// `body` under `secret`, in constant time.
///
/// # Errors
/// [`WebhookError::NoSecret`] for an empty secret, `MissingSignature`,
/// `MalformedSignature` (not `sha256=<64 hex digits>`), `BadSignature`.
pub fn verify_signature(secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::NoSecret);
    }
    let header = header.ok_or(WebhookError::MissingSignature)?.trim();
    let digest = header.strip_prefix("sha256=").ok_or(WebhookError::MalformedSignature)?;
    let expected = hex::decode(digest).map_err(|_| WebhookError::MalformedSignature)?;
    if expected.len() != 32 {
        return Err(WebhookError::MalformedSignature);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| WebhookError::NoSecret)?;
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| WebhookError::BadSignature)
}

/// Reads a webhook body: `jira:issue_created` and `jira:issue_updated`
/// give the issue as it is now (its link under `base_url`, the configured
/// site) and SIMA's key from its `sima-…` label, if it has one; other events
/// are `Ok(None)`.
///
/// # Errors
/// [`WebhookError::Malformed`] for a body that is not JSON, or an issue
/// event whose issue has no usable id, key or status.
pub fn parse_webhook(body: &[u8], base_url: &str) -> Result<Option<TicketChange>, WebhookError> {
    let payload: WebhookPayload =
        serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(format!("not a Jira webhook: {e}")))?;
    if !ISSUE_EVENTS.contains(&payload.webhook_event.as_str()) {
        return Ok(None);
    }
    let issue =
        payload.issue.ok_or_else(|| WebhookError::Malformed(format!("{} without an issue", payload.webhook_event)))?;
    let ticket = issue.to_ticket(base_url).ok_or_else(|| {
        WebhookError::Malformed(format!("issue {:?} (id {:?}) has no usable key, id or status", issue.key, issue.id))
    })?;
    Ok(Some(TicketChange { ticket, key: issue.follow_up_key() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn signatures_are_checked() {
        let body = br#"{"webhookEvent":"jira:issue_updated"}"#;
        let good = sign(b"s3cret", body);
        assert_eq!(verify_signature(b"s3cret", body, Some(&good)), Ok(()));
        assert_eq!(verify_signature(b"s3cret", body, None), Err(WebhookError::MissingSignature));
        assert_eq!(verify_signature(b"other", body, Some(&good)), Err(WebhookError::BadSignature));
        assert_eq!(verify_signature(b"s3cret", b"{}", Some(&good)), Err(WebhookError::BadSignature));
        assert_eq!(verify_signature(b"", body, Some(&sign(b"", body))), Err(WebhookError::NoSecret));
        let bare = good.trim_start_matches("sha256=");
        for malformed in
            [bare.to_owned(), format!("sha1={bare}"), "sha256=zz".into(), format!("sha256={}", &bare[..62])]
        {
            assert_eq!(verify_signature(b"s3cret", body, Some(&malformed)), Err(WebhookError::MalformedSignature));
        }
    }

    #[test]
    fn garbage_is_malformed_and_other_events_are_ignored() {
        assert!(matches!(parse_webhook(b"not json", "https://a"), Err(WebhookError::Malformed(_))));
        assert!(matches!(parse_webhook(b"[]", "https://a"), Err(WebhookError::Malformed(_))));
        let comment = br#"{"webhookEvent":"comment_created","comment":{"body":"x"}}"#;
        assert_eq!(parse_webhook(comment, "https://a"), Ok(None));
        let no_issue = br#"{"webhookEvent":"jira:issue_updated"}"#;
        assert!(matches!(parse_webhook(no_issue, "https://a"), Err(WebhookError::Malformed(_))));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(parse_webhook(deep.as_bytes(), "https://a"), Err(WebhookError::Malformed(_))));
    }
}
