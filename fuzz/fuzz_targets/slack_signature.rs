//! Slack's signature headers: `X-Slack-Request-Timestamp`, `X-Slack-Signature`
//! and the body they sign, split from the input at its first two newlines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sima_slack::{sign, Secret, SignatureVerifier};

fuzz_target!(|input: &[u8]| {
    let mut parts = input.splitn(3, |b| *b == b'\n');
    let timestamp = parts.next().and_then(|t| std::str::from_utf8(t).ok());
    let signature = parts.next().and_then(|s| std::str::from_utf8(s).ok());
    let body = parts.next().unwrap_or_default();
    let secret = Secret::new("8f742231b10e8888abcd99yyyzzz85a5");
    let verifier = SignatureVerifier::new(secret.clone());
    let now = chrono::DateTime::from_timestamp(1_531_420_618, 0).unwrap_or_default();
    // Whatever passes carries the one signature of its timestamp and body.
    if verifier.verify(timestamp, signature, body, now).is_ok() {
        let (Some(timestamp), Some(signature)) = (timestamp, signature) else { panic!("accepted without headers") };
        assert_eq!(signature, sign(&secret, timestamp, body), "accepted a wrong signature");
    }
});
