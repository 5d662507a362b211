//! Slack's signature headers: `X-Slack-Request-Timestamp`, `X-Slack-Signature`
//! and the body they sign, split from the input at its first two newlines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sima_slack::{Secret, SignatureVerifier};

fuzz_target!(|input: &[u8]| {
    let mut parts = input.splitn(3, |b| *b == b'\n');
    let timestamp = parts.next().and_then(|t| std::str::from_utf8(t).ok());
    let signature = parts.next().and_then(|s| std::str::from_utf8(s).ok());
    let body = parts.next().unwrap_or_default();
    let verifier = SignatureVerifier::new(Secret::new("8f742231b10e8888abcd99yyyzzz85a5"));
    let now = chrono::DateTime::from_timestamp(1_531_420_618, 0).unwrap_or_default();
    // Random input must never pass: the odds of guessing an HMAC are nil.
    assert!(verifier.verify(timestamp, signature, body, now).is_err());
});
