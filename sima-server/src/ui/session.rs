//! Signed session cookies and the CSRF tokens derived from them.
//!
//! A session is `sima_session=<expiry>.<user hex>.<mac hex>`, where the MAC is
//! HMAC-SHA256 over the expiry and user under the server's session key. The
//! key is `SIMA_SESSION_KEY` when set, else derived from the configured
//! credentials (API tokens, Slack client secret): every replica with the same
//! configuration accepts the same sessions, and they survive restarts;
//! changing a credential signs everybody out. Nothing is stored.

use axum::http::{header, HeaderMap};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::settings::Settings;

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "sima_session";
/// The cookie that ties a sign-in form to the browser that loaded it.
pub(crate) const FORM_COOKIE: &str = "sima_form";
/// How long a session lasts.
pub(crate) const SESSION_HOURS: i64 = 12;

type HmacSha256 = Hmac<Sha256>;

/// The key sessions are signed with.
#[derive(Clone)]
pub(crate) struct SessionKey([u8; 32]);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(…)")
    }
}

/// A signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    /// Who: `token:api`, `token:read` or `slack:<user id>`.
    pub(crate) user: String,
    /// When it ends.
    pub(crate) expires: DateTime<Utc>,
    /// The cookie value, from which the CSRF token derives.
    value: String,
}

impl SessionKey {
    /// The key of these settings (see the module documentation).
    pub(crate) fn of(settings: &Settings) -> Self {
        let mut material = String::from("sima dashboard sessions\n");
        let secrets = [
            settings.ui.session_key.as_ref(),
            settings.api_token.as_ref(),
            settings.api_read_token.as_ref(),
            settings.ui.slack_client_secret.as_ref(),
        ];
        for secret in secrets {
            material.push_str(secret.map_or("", |s| s.expose()));
            material.push('\n');
        }
        let mut mac = HmacSha256::new_from_slice(material.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"session key");
        Self(mac.finalize().into_bytes().into())
    }

    fn mac(&self, parts: &[&str]) -> String {
        let mut mac =
            HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for part in parts {
            mac.update(part.as_bytes());
            mac.update(b"\n");
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// A new session cookie value for `user`, valid until `expires`.
    pub(crate) fn sign(&self, user: &str, expires: DateTime<Utc>) -> String {
        let expiry = expires.timestamp().to_string();
        let user = hex::encode(user);
        let mac = self.mac(&["session", &expiry, &user]);
        format!("{expiry}.{user}.{mac}")
    }

    /// The session a cookie value carries, if signed by this key and not expired at `now`.
    pub(crate) fn verify(&self, value: &str, now: DateTime<Utc>) -> Option<Session> {
        let mut parts = value.split('.');
        let (expiry, user, mac) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !equal(&self.mac(&["session", expiry, user]), mac) {
            return None;
        }
        let expires = DateTime::from_timestamp(expiry.parse().ok()?, 0)?;
        let user = String::from_utf8(hex::decode(user).ok()?).ok()?;
        (expires > now).then(|| Session { user, expires, value: value.to_owned() })
    }

    /// The CSRF token of forms posted within `session`.
    pub(crate) fn csrf(&self, session: &Session) -> String {
        self.mac(&["csrf", &session.value])
    }

    /// The CSRF token of the sign-in form, tied to the browser's form cookie `nonce`.
    pub(crate) fn form_csrf(&self, nonce: &str) -> String {
        self.mac(&["form", nonce])
    }

    /// Whether `given` is the CSRF token `expected`, in constant time.
    pub(crate) fn csrf_matches(expected: &str, given: &str) -> bool {
        equal(expected, given)
    }
}

fn equal(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A random token of 32 hex digits, or `None` when the operating system
/// cannot give randomness: sign-in then stops rather than use a guessable
/// nonce.
pub(crate) fn random_token() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

/// The value of cookie `name` in a request.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure behind HTTPS.
pub(crate) fn set_cookie(settings: &Settings, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if settings.public_url.starts_with("https://") { "; Secure" } else { "" };
    format!("{name}={value}; Max-Age={max_age_secs}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(token: &str) -> SessionKey {
        let mut settings = Settings::default();
        settings.api_token = Some(crate::settings::Secret::new(token.to_owned()));
        SessionKey::of(&settings)
    }

    #[test]
    fn sessions_verify_until_they_expire_and_only_under_their_key() {
        let now = Utc::now();
        let value = key("a").sign("token:api", now + chrono::Duration::hours(1));
        let session = key("a").verify(&value, now).expect("valid");
        assert_eq!(session.user, "token:api");
        assert!(key("a").verify(&value, now + chrono::Duration::hours(2)).is_none(), "expired");
        assert!(key("b").verify(&value, now).is_none(), "another key");
        let forged = value.replacen('.', "0.", 1);
        assert!(key("a").verify(&forged, now).is_none(), "a changed expiry");
    }

    #[test]
    fn with_slack_sign_in_alone_sessions_are_signed_with_its_secret() {
        let now = Utc::now();
        let slack = |secret: &str| {
            let mut settings = Settings::default();
            settings.ui.slack_client_id = Some("1.2".into());
            settings.ui.slack_client_secret = Some(crate::settings::Secret::new(secret.to_owned()));
            SessionKey::of(&settings)
        };
        let forged = SessionKey::of(&Settings::default()).sign("slack:U1", now + chrono::Duration::hours(1));
        assert!(slack("s3cret").verify(&forged, now).is_none(), "a cookie signed without any secret");
        let other = slack("another").sign("slack:U1", now + chrono::Duration::hours(1));
        assert!(slack("s3cret").verify(&other, now).is_none(), "a cookie signed under another secret");
        let own = slack("s3cret").sign("slack:U1", now + chrono::Duration::hours(1));
        assert_eq!(slack("s3cret").verify(&own, now).map(|s| s.user).as_deref(), Some("slack:U1"));
    }

    #[test]
    fn csrf_tokens_belong_to_one_session() {
        let now = Utc::now();
        let k = key("a");
        let one = k.verify(&k.sign("slack:U1", now + chrono::Duration::hours(1)), now).unwrap();
        let two = k.verify(&k.sign("slack:U2", now + chrono::Duration::hours(1)), now).unwrap();
        assert_ne!(k.csrf(&one), k.csrf(&two));
        assert!(SessionKey::csrf_matches(&k.csrf(&one), &k.csrf(&one)));
    }

    #[test]
    fn cookies_are_read_and_written_safely() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; sima_session=xyz".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        let mut settings = Settings::default();
        assert!(!set_cookie(&settings, "n", "v", 60).contains("Secure"));
        settings.public_url = "https://sima.example.com".into();
        assert_eq!(set_cookie(&settings, "n", "v", 60), "n=v; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure");
        assert_eq!(random_token().map(|t| t.len()), Some(32));
        assert_ne!(random_token(), random_token());
    }
}
