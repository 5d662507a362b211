//! Jira's webhooks: the signature check and the payloads read.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sima_core::domain::{Ticket, TicketState};
use sima_jira::{parse_webhook, verify_signature, WebhookError};

use crate::helpers::key;

const SECRET: &[u8] = b"It's a Secret to Everybody";
const SITE: &str = "https://acme.atlassian.net";

fn fixture() -> Value {
    serde_json::from_str(include_str!("../fixtures/jira_issue_updated.json")).unwrap()
}

fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn a_signed_body_is_accepted_and_forgeries_are_refused() {
    let body = serde_json::to_vec(&fixture()).unwrap();
    let good = sign(SECRET, &body);

    assert_eq!(verify_signature(SECRET, &body, Some(&good)), Ok(()));
    assert_eq!(verify_signature(SECRET, &body, None), Err(WebhookError::MissingSignature));
    let other_secret = sign(b"another secret", &body);
    assert_eq!(verify_signature(SECRET, &body, Some(&other_secret)), Err(WebhookError::BadSignature));
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    assert_eq!(verify_signature(SECRET, &tampered, Some(&good)), Err(WebhookError::BadSignature));
    let hex_only = good.trim_start_matches("sha256=").to_owned();
    for malformed in [hex_only.clone(), format!("sha1={hex_only}"), format!("sha512={hex_only}"), "sha256=".into()] {
        assert_eq!(verify_signature(SECRET, &body, Some(&malformed)), Err(WebhookError::MalformedSignature));
    }
}

#[test]
fn an_issue_moved_to_done_reads_as_a_done_ticket_with_its_key() {
    let body = serde_json::to_vec(&fixture()).unwrap();

    let change = parse_webhook(&body, SITE).unwrap().expect("an issue event");

    assert_eq!(
        change.ticket,
        Ticket {
            id: "10042".into(),
            key: "OPS-12".into(),
            url: "https://acme.atlassian.net/browse/OPS-12".into(),
            status: "Done".into(),
            state: TicketState::Done,
        }
    );
    assert_eq!(change.key, Some(key()));
}

#[test]
fn a_reopened_issue_reads_as_open() {
    let mut payload = fixture();
    payload["issue"]["fields"]["status"]["name"] = json!("In Progress");
    payload["issue"]["fields"]["status"]["statusCategory"]["key"] = json!("indeterminate");

    let change = parse_webhook(&serde_json::to_vec(&payload).unwrap(), SITE).unwrap().unwrap();

    assert_eq!((change.ticket.status.as_str(), change.ticket.state), ("In Progress", TicketState::Open));
}

#[test]
fn a_created_issue_without_a_sima_label_has_no_key() {
    let mut payload = fixture();
    payload["webhookEvent"] = json!("jira:issue_created");
    payload["issue"]["fields"]["labels"] = json!(["inc-7-2", "INC-7-2", "sima-nope"]);

    let change = parse_webhook(&serde_json::to_vec(&payload).unwrap(), SITE).unwrap().unwrap();

    assert_eq!(change.key, None);
    assert_eq!(change.ticket.key, "OPS-12");
}

#[test]
fn unrelated_events_are_ignored_and_broken_issues_refused() {
    let mut payload = fixture();
    for event in ["jira:issue_deleted", "comment_created", "worklog_updated", "sprint_started"] {
        payload["webhookEvent"] = json!(event);
        assert_eq!(parse_webhook(&serde_json::to_vec(&payload).unwrap(), SITE), Ok(None), "{event}");
    }
    let mut broken = fixture();
    broken["issue"]["fields"].as_object_mut().unwrap().remove("status");
    assert!(matches!(parse_webhook(&serde_json::to_vec(&broken).unwrap(), SITE), Err(WebhookError::Malformed(_))));
    let mut bad_key = fixture();
    bad_key["issue"]["key"] = json!("OPS-12/../../secure");
    assert!(matches!(parse_webhook(&serde_json::to_vec(&bad_key).unwrap(), SITE), Err(WebhookError::Malformed(_))));
    assert!(matches!(parse_webhook(b"\xff\xfe", SITE), Err(WebhookError::Malformed(_))));
}
