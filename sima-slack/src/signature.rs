//! Slack's v0 request signatures: `v0=` + hex HMAC-SHA256 of
//! `v0:<timestamp>:<raw body>` keyed with the app's signing secret.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use thiserror::Error;

use crate::config::Secret;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-slack-signature";
/// The header carrying the Unix timestamp the signature covers.
pub const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";
/// How far a request's timestamp may be from now, either way, in seconds.
pub const MAX_SKEW_SECS: i64 = 5 * 60;

/// Why a request is not accepted as coming from Slack.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    /// A required header is absent or not text.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// The timestamp is not a Unix time in seconds.
    #[error("malformed {TIMESTAMP_HEADER}")]
    BadTimestamp,
    /// The timestamp is more than five minutes from now.
    #[error("request timestamp is more than 5 minutes from now")]
    Stale,
    /// The signature does not match the body.
    #[error("signature mismatch")]
    Mismatch,
}

/// Checks that requests were signed with the app's signing secret.
#[derive(Debug, Clone)]
pub struct SignatureVerifier {
    secret: Secret,
}

impl SignatureVerifier {
    /// A verifier for this signing secret.
    pub fn new(secret: Secret) -> Self {
        Self { secret }
    }

    /// Accepts `body` if `signature` is its v0 signature at `timestamp` and
    /// `timestamp` is within five minutes of `now`.
    ///
    /// # Errors
    /// A [`SignatureError`] saying which check failed.
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        let timestamp = timestamp.ok_or(SignatureError::MissingHeader(TIMESTAMP_HEADER))?;
        let signature = signature.ok_or(SignatureError::MissingHeader(SIGNATURE_HEADER))?;
        let seconds: i64 = timestamp.parse().map_err(|_| SignatureError::BadTimestamp)?;
        if (now.timestamp() - seconds).abs() > MAX_SKEW_SECS {
            return Err(SignatureError::Stale);
        }
        // Only the exact form Slack sends (`v0=` and lowercase hex) passes:
        // a request's signature is its replay key, so one request must have
        // one accepted spelling.
        let expected = sign(&self.secret, timestamp, body);
        if bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

fn mac(secret: &Secret, timestamp: &str, body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) else {
        return Vec::new();
    };
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// The v0 signature (`v0=<hex>`) of `body` at `timestamp`: what Slack sends
/// in `X-Slack-Signature`. Useful to sign requests in tests.
pub fn sign(secret: &Secret, timestamp: &str, body: &[u8]) -> String {
    format!("v0={}", hex::encode(mac(secret, timestamp, body)))
}
