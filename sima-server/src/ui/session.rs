//! Signed cookies, the sessions they carry, and the CSRF tokens derived
//! from them.
//!
//! A signed value is `<expiry>.<payload hex>.<mac hex>`, where the MAC is
//! HMAC-SHA256 over the [`Purpose`], the expiry and the payload under the
//! server's session key: a value signed for one purpose (the sign-in flow)
//! never verifies as another (a session). The key is `SIMA_SESSION_KEY` when
//! set, else derived from the configured credentials (API tokens, Slack
//! client secret), so every replica with the same configuration accepts the
//! same cookies; changing a credential signs everybody out.
//!
//! A session's payload is a random id and the user. The id is recorded in
//! the store at sign-in ([`SessionStore`](sima_core::ports::SessionStore)),
//! and every request checks it there: signing out, or an administrator's
//! revocation, ends the session on every replica at once.
//!
//! Behind `https://`, cookie names carry the `__Host-` prefix, so no sibling
//! domain can plant them.

use axum::http::{header, HeaderMap};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::settings::Settings;

/// The session cookie, before its `__Host-` prefix.
pub(crate) const SESSION_COOKIE: &str = "sima_session";
/// The cookie that ties a sign-in form to the browser that loaded it.
pub(crate) const FORM_COOKIE: &str = "sima_form";
/// The cookie that carries a Sign in with Slack flow.
pub(crate) const FLOW_COOKIE: &str = "sima_oidc";
/// How long a session lasts.
pub(crate) const SESSION_HOURS: i64 = 12;

type HmacSha256 = Hmac<Sha256>;

/// What a signed value is for; part of what is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A signed-in session.
    Session,
    /// A Sign in with Slack flow in progress (`state`, `nonce`, return path).
    SignInFlow,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::SignInFlow => "sign-in flow",
        }
    }
}

/// The key cookies are signed with.
#[derive(Clone)]
pub(crate) struct SessionKey([u8; 32]);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(…)")
    }
}

/// A verified signed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signed {
    /// What was signed.
    pub(crate) payload: String,
    /// When it ends.
    pub(crate) expires: DateTime<Utc>,
}

/// A signed-in user, as its cookie says (the store says whether it still holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    /// The id recorded in the store.
    pub(crate) id: String,
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

    /// `payload` signed for `purpose`, valid until `expires`.
    pub(crate) fn sign(&self, purpose: Purpose, payload: &str, expires: DateTime<Utc>) -> String {
        let expiry = expires.timestamp().to_string();
        let payload = hex::encode(payload);
        let mac = self.mac(&[purpose.label(), &expiry, &payload]);
        format!("{expiry}.{payload}.{mac}")
    }

    /// What `value` carries, if this key signed it for `purpose` and it has
    /// not expired at `now`.
    pub(crate) fn verify(&self, purpose: Purpose, value: &str, now: DateTime<Utc>) -> Option<Signed> {
        let mut parts = value.split('.');
        let (expiry, payload, mac) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !equal(&self.mac(&[purpose.label(), expiry, payload]), mac) {
            return None;
        }
        let expires = DateTime::from_timestamp(expiry.parse().ok()?, 0)?;
        let payload = String::from_utf8(hex::decode(payload).ok()?).ok()?;
        (expires > now).then_some(Signed { payload, expires })
    }

    /// A session cookie value for session `id` of `user`, valid until `expires`.
    pub(crate) fn sign_session(&self, id: &str, user: &str, expires: DateTime<Utc>) -> String {
        self.sign(Purpose::Session, &format!("{id} {user}"), expires)
    }

    /// The session a cookie value carries, if signed as one by this key and
    /// not expired at `now`.
    pub(crate) fn verify_session(&self, value: &str, now: DateTime<Utc>) -> Option<Session> {
        let Signed { payload, expires } = self.verify(Purpose::Session, value, now)?;
        let (id, user) = payload.split_once(' ')?;
        Some(Session { id: id.to_owned(), user: user.to_owned(), expires, value: value.to_owned() })
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

fn secure(settings: &Settings) -> bool {
    settings.public_url.to_ascii_lowercase().starts_with("https://")
}

/// The name cookie `base` goes by: `__Host-<base>` behind HTTPS.
pub(crate) fn cookie_name(settings: &Settings, base: &str) -> String {
    if secure(settings) {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// The value of cookie `base` (by its [`cookie_name`]) in a request.
pub(crate) fn cookie<'h>(settings: &Settings, headers: &'h HeaderMap, base: &str) -> Option<&'h str> {
    let name = cookie_name(settings, base);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value for cookie `base`: HttpOnly, SameSite=Lax, Path=/,
/// and behind HTTPS Secure with the `__Host-` prefix.
pub(crate) fn set_cookie(settings: &Settings, base: &str, value: &str, max_age_secs: i64) -> String {
    let name = cookie_name(settings, base);
    let secure = if secure(settings) { "; Secure" } else { "" };
    format!("{name}={value}; Max-Age={max_age_secs}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// Whether a request carries a session cookie this server signed (not
/// whether the session still holds): enough to draw from the rate limit's
/// budget for callers with a credential.
pub(crate) fn has_signed_session(settings: &Settings, headers: &HeaderMap, now: DateTime<Utc>) -> bool {
    cookie(settings, headers, SESSION_COOKIE)
        .is_some_and(|value| SessionKey::of(settings).verify_session(value, now).is_some())
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
        let value = key("a").sign_session("id1", "token:api", now + chrono::Duration::hours(1));
        let session = key("a").verify_session(&value, now).expect("valid");
        assert_eq!((session.id.as_str(), session.user.as_str()), ("id1", "token:api"));
        assert!(key("a").verify_session(&value, now + chrono::Duration::hours(2)).is_none(), "expired");
        assert!(key("b").verify_session(&value, now).is_none(), "another key");
        let forged = value.replacen('.', "0.", 1);
        assert!(key("a").verify_session(&forged, now).is_none(), "a changed expiry");
    }

    #[test]
    fn a_value_signed_for_one_purpose_never_verifies_as_another() {
        let now = Utc::now();
        let k = key("a");
        let flow = k.sign(Purpose::SignInFlow, "state nonce /ui/", now + chrono::Duration::minutes(10));
        assert!(k.verify(Purpose::SignInFlow, &flow, now).is_some());
        assert!(k.verify(Purpose::Session, &flow, now).is_none());
        assert!(k.verify_session(&flow, now).is_none(), "a sign-in flow is no session");
        let session = k.sign_session("id", "slack:U1", now + chrono::Duration::hours(1));
        assert!(k.verify(Purpose::SignInFlow, &session, now).is_none());
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
        let later = now + chrono::Duration::hours(1);
        let forged = SessionKey::of(&Settings::default()).sign_session("id", "slack:U1", later);
        assert!(slack("s3cret").verify_session(&forged, now).is_none(), "a cookie signed without any secret");
        let other = slack("another").sign_session("id", "slack:U1", later);
        assert!(slack("s3cret").verify_session(&other, now).is_none(), "a cookie signed under another secret");
        let own = slack("s3cret").sign_session("id", "slack:U1", later);
        assert_eq!(slack("s3cret").verify_session(&own, now).map(|s| s.user).as_deref(), Some("slack:U1"));
    }

    #[test]
    fn csrf_tokens_belong_to_one_session() {
        let now = Utc::now();
        let k = key("a");
        let later = now + chrono::Duration::hours(1);
        let one = k.verify_session(&k.sign_session("a", "slack:U1", later), now).unwrap();
        let two = k.verify_session(&k.sign_session("b", "slack:U2", later), now).unwrap();
        assert_ne!(k.csrf(&one), k.csrf(&two));
        assert!(SessionKey::csrf_matches(&k.csrf(&one), &k.csrf(&one)));
    }

    #[test]
    fn cookies_take_the_host_prefix_behind_https() {
        let mut settings = Settings::default();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; sima_session=xyz; __Host-sima_session=abc".parse().unwrap());
        assert_eq!(cookie(&settings, &headers, SESSION_COOKIE), Some("xyz"));
        assert!(!set_cookie(&settings, "n", "v", 60).contains("Secure"));
        settings.public_url = "https://sima.example.com".into();
        assert_eq!(cookie(&settings, &headers, SESSION_COOKIE), Some("abc"), "only the prefixed name counts");
        assert_eq!(
            set_cookie(&settings, "n", "v", 60),
            "__Host-n=v; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(random_token().map(|t| t.len()), Some(32));
        assert_ne!(random_token(), random_token());
    }
}
