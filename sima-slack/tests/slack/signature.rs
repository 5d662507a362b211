//! v0 signatures, checked against Slack's published example.

use chrono::Duration;
use sima_slack::{sign, Secret, SignatureError, SignatureVerifier};

use crate::helpers::{vector_time, SIGNING_SECRET};

/// The body of Slack's documented example ("Verifying requests from Slack").
const VECTOR_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const VECTOR_TIMESTAMP: &str = "1531420618";
const VECTOR_SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

fn verifier() -> SignatureVerifier {
    SignatureVerifier::new(Secret::new(SIGNING_SECRET))
}

#[test]
fn the_published_example_verifies() {
    assert_eq!(sign(&Secret::new(SIGNING_SECRET), VECTOR_TIMESTAMP, VECTOR_BODY.as_bytes()), VECTOR_SIGNATURE);
    verifier().verify(Some(VECTOR_TIMESTAMP), Some(VECTOR_SIGNATURE), VECTOR_BODY.as_bytes(), vector_time()).unwrap();
}

#[test]
fn a_tampered_body_or_signature_is_refused() {
    let tampered = VECTOR_BODY.replace("roadrunner", "coyote");
    let result = verifier().verify(Some(VECTOR_TIMESTAMP), Some(VECTOR_SIGNATURE), tampered.as_bytes(), vector_time());
    assert_eq!(result, Err(SignatureError::Mismatch));

    let wrong_secret = SignatureVerifier::new(Secret::new("another-secret"));
    let result =
        wrong_secret.verify(Some(VECTOR_TIMESTAMP), Some(VECTOR_SIGNATURE), VECTOR_BODY.as_bytes(), vector_time());
    assert_eq!(result, Err(SignatureError::Mismatch));

    for bad in ["v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", "v0=zz", "v0=", "a2114d57"] {
        let result = verifier().verify(Some(VECTOR_TIMESTAMP), Some(bad), VECTOR_BODY.as_bytes(), vector_time());
        assert_eq!(result, Err(SignatureError::Mismatch), "{bad}");
    }
}

#[test]
fn stale_and_future_timestamps_are_refused() {
    let check = |now| verifier().verify(Some(VECTOR_TIMESTAMP), Some(VECTOR_SIGNATURE), VECTOR_BODY.as_bytes(), now);
    assert_eq!(check(vector_time() + Duration::seconds(301)), Err(SignatureError::Stale));
    assert_eq!(check(vector_time() - Duration::seconds(301)), Err(SignatureError::Stale));
    assert_eq!(check(vector_time() + Duration::seconds(300)), Ok(()));
    assert_eq!(check(vector_time() - Duration::seconds(300)), Ok(()));
}

#[test]
fn missing_or_malformed_headers_are_refused() {
    let body = VECTOR_BODY.as_bytes();
    assert_eq!(
        verifier().verify(None, Some(VECTOR_SIGNATURE), body, vector_time()),
        Err(SignatureError::MissingHeader("x-slack-request-timestamp"))
    );
    assert_eq!(
        verifier().verify(Some(VECTOR_TIMESTAMP), None, body, vector_time()),
        Err(SignatureError::MissingHeader("x-slack-signature"))
    );
    assert_eq!(
        verifier().verify(Some("yesterday"), Some(VECTOR_SIGNATURE), body, vector_time()),
        Err(SignatureError::BadTimestamp)
    );
}

/// Found by the `slack_signature` fuzz target: the same signature in another
/// spelling (uppercase hex, surrounding spaces) was accepted, and since a
/// request's signature is its replay key, a captured request could be
/// replayed once per spelling.
#[test]
fn only_the_exact_spelling_of_a_signature_is_accepted() {
    let upper = VECTOR_SIGNATURE.replacen('e', "E", 1);
    let spaced = format!(" {VECTOR_SIGNATURE} ");
    let all_upper = format!("v0={}", VECTOR_SIGNATURE.trim_start_matches("v0=").to_uppercase());
    for spelling in [
        upper.as_str(),
        spaced.as_str(),
        all_upper.as_str(),
        "V0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    ] {
        let result = verifier().verify(Some(VECTOR_TIMESTAMP), Some(spelling), VECTOR_BODY.as_bytes(), vector_time());
        assert_eq!(result, Err(SignatureError::Mismatch), "{spelling}");
    }
}
