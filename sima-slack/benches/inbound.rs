//! Verify-and-parse cost of the two busiest inbound requests.

#![allow(missing_docs)]

use chrono::{TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sima_slack::{parse_command, parse_interaction, sign, Secret, SignatureVerifier};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const TIMESTAMP: &str = "1700000000";

fn bench(c: &mut Criterion) {
    let secret = Secret::new(SECRET);
    let verifier = SignatureVerifier::new(secret.clone());
    let now = Utc.timestamp_opt(1_700_000_000, 0).single().unwrap_or_default();

    let command = include_str!("../tests/fixtures/slash_command.txt").as_bytes();
    let command_signature = sign(&secret, TIMESTAMP, command);
    assert!(verifier.verify(Some(TIMESTAMP), Some(&command_signature), command, now).is_ok());
    assert!(parse_command(command).is_ok());
    c.bench_function("verify_and_parse/slash_command", |b| {
        b.iter(|| {
            let verified = verifier.verify(Some(TIMESTAMP), Some(&command_signature), black_box(command), now);
            black_box((verified, parse_command(black_box(command))))
        })
    });

    let submission = serde_urlencoded::to_string([("payload", include_str!("../tests/fixtures/view_submission.json"))])
        .unwrap_or_default();
    let submission = submission.as_bytes();
    let submission_signature = sign(&secret, TIMESTAMP, submission);
    assert!(verifier.verify(Some(TIMESTAMP), Some(&submission_signature), submission, now).is_ok());
    assert!(matches!(parse_interaction(submission), Ok(Some(_))));
    c.bench_function("verify_and_parse/view_submission", |b| {
        b.iter(|| {
            let verified = verifier.verify(Some(TIMESTAMP), Some(&submission_signature), black_box(submission), now);
            black_box((verified, parse_interaction(black_box(submission))))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
