//! Linear's webhooks: signatures over the raw body, the payload's age, and
//! issue events read from recorded-shape fixtures.

use chrono::{DateTime, Duration as Span, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sima_core::domain::TicketState;
use sima_linear::{parse_webhook, verify_signature, WebhookError};

const SECRET: &[u8] = b"lin_wh_9f8e7d6c5b4a";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The fixtures' `webhookTimestamp`, plus a few seconds of delivery.
fn delivered() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_733_500_000_000).unwrap() + Span::seconds(3)
}

#[test]
fn a_delivery_signed_with_the_secret_is_accepted() {
    let body = fixture("issue_update_done.json");
    assert_eq!(verify_signature(SECRET, &body, Some(&sign(SECRET, &body))), Ok(()));
}

#[test]
fn unsigned_forged_and_foreign_deliveries_are_refused() {
    let body = fixture("issue_update_done.json");
    assert_eq!(verify_signature(SECRET, &body, None), Err(WebhookError::MissingSignature));
    assert_eq!(verify_signature(SECRET, &body, Some("not-hex")), Err(WebhookError::MalformedSignature));
    let other_secret = sign(b"lin_wh_another_webhook", &body);
    assert_eq!(verify_signature(SECRET, &body, Some(&other_secret)), Err(WebhookError::BadSignature));
    let mut tampered = body.clone();
    let at = tampered.windows(4).position(|w| w == b"Done").unwrap();
    tampered[at..at + 4].copy_from_slice(b"Dome");
    assert_eq!(verify_signature(SECRET, &tampered, Some(&sign(SECRET, &body))), Err(WebhookError::BadSignature));
}

#[test]
fn an_issue_moved_to_done_reads_as_a_done_ticket() {
    let change = parse_webhook(&fixture("issue_update_done.json"), delivered()).unwrap().unwrap();

    assert_eq!(change.ticket.id, "5b1e0c6a-3d0e-4c8f-9a51-2f7de0b4c9aa");
    assert_eq!(change.ticket.key, "ENG-101");
    assert_eq!(change.ticket.url, "https://linear.app/acme/issue/ENG-101/rotate-the-smtp-keys");
    assert_eq!((change.ticket.status.as_str(), change.ticket.state), ("Done", TicketState::Done));
    assert_eq!(change.key, None, "the id cannot be turned back into a key");
}

#[test]
fn an_issue_moved_back_reads_as_open() {
    let change = parse_webhook(&fixture("issue_update_reopened.json"), delivered()).unwrap().unwrap();
    assert_eq!((change.ticket.status.as_str(), change.ticket.state), ("In Progress", TicketState::Open));
}

#[test]
fn other_events_are_ignored() {
    assert_eq!(parse_webhook(&fixture("comment_create.json"), delivered()), Ok(None));
    let mut removed: Value = serde_json::from_slice(&fixture("issue_update_done.json")).unwrap();
    removed["action"] = json!("remove");
    assert_eq!(parse_webhook(&serde_json::to_vec(&removed).unwrap(), delivered()), Ok(None));
}

#[test]
fn a_stale_or_future_delivery_is_refused() {
    let body = fixture("issue_update_done.json");
    let sent = DateTime::from_timestamp_millis(1_733_500_000_000).unwrap();
    let stale = parse_webhook(&body, sent + Span::seconds(61));
    assert_eq!(stale, Err(WebhookError::Stale { age_secs: 61, tolerance_secs: 60 }));
    assert!(matches!(parse_webhook(&body, sent - Span::minutes(5)), Err(WebhookError::Stale { .. })));
    // Even an event SIMA ignores is refused when stale: a replay is refused as a whole.
    assert!(matches!(
        parse_webhook(&fixture("comment_create.json"), sent + Span::hours(1)),
        Err(WebhookError::Stale { .. })
    ));
}

#[test]
fn malformed_payloads_are_refused() {
    let mut issue: Value = serde_json::from_slice(&fixture("issue_update_done.json")).unwrap();
    issue["data"]["state"] = Value::Null;
    let error = parse_webhook(&serde_json::to_vec(&issue).unwrap(), delivered()).unwrap_err();
    assert_eq!(error, WebhookError::Malformed("an Issue event without data.state.name".into()));
    let mut untimed: Value = serde_json::from_slice(&fixture("issue_update_done.json")).unwrap();
    untimed.as_object_mut().unwrap().remove("webhookTimestamp");
    assert!(matches!(
        parse_webhook(&serde_json::to_vec(&untimed).unwrap(), delivered()),
        Err(WebhookError::Malformed(_))
    ));
    assert!(matches!(parse_webhook(b"<xml/>", delivered()), Err(WebhookError::Malformed(_))));
}
