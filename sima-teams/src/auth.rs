//! Verifies the Bot Framework's signature on inbound activities: an RS256
//! JWT in `Authorization: Bearer …`, signed by a key published at the
//! `jwks_uri` of the Bot Framework's OpenID metadata, for this bot (audience
//! = app id), from the Bot Framework (issuer), within its lifetime, and with
//! a key endorsed for the activity's channel (`msteams`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use thiserror::Error;
use tokio::sync::Mutex;

use crate::config::{TeamsConfig, BOT_FRAMEWORK_ISSUER};
use crate::error::transport_detail;

/// Clock skew allowed on `exp` and `nbf` (the Bot Framework SDKs allow 5 minutes).
const LEEWAY_SECS: u64 = 300;
/// Keys are fetched again at most this often when a token names an unknown key.
const MIN_REFETCH: Duration = Duration::from_secs(60);
/// Keys are fetched again after this long even when every key is known.
const MAX_KEY_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Why an inbound request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    #[error("missing bearer token")]
    Missing,
    /// The token is not a JWT this bot accepts (algorithm, key id, format).
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The token names a key the Bot Framework does not publish.
    #[error("token signed with an unknown key")]
    UnknownKey,
    /// Signature, audience, issuer, lifetime or endorsement check failed.
    #[error("token rejected: {0}")]
    Rejected(String),
    /// A valid token on an activity of a tenant, or a team's channel, this bot does not serve.
    #[error("foreign activity: {0}")]
    Foreign(String),
    /// The signing keys could not be fetched.
    #[error("signing keys unavailable: {0}")]
    Keys(String),
    /// The team an activity names could not be looked up.
    #[error("team lookup failed: {0}")]
    Lookup(String),
}

/// The claims SIMA reads besides the validated standard ones.
#[derive(Debug, Clone, Deserialize)]
pub struct BotClaims {
    /// The Connector service URL the token was issued for, when present: the
    /// Bot Framework names the claim `serviceurl` (`serviceUrl` is read too).
    #[serde(default, rename = "serviceurl", alias = "serviceUrl")]
    pub service_url: Option<String>,
}

#[derive(Deserialize)]
struct OpenIdMetadata {
    jwks_uri: String,
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    #[serde(default)]
    kid: Option<String>,
    kty: String,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    /// The channels (`msteams`…) the key may sign for; none, it signs for none.
    #[serde(default)]
    endorsements: Vec<String>,
}

/// A published key and the channels it is endorsed for.
#[derive(Clone)]
struct Key {
    key: DecodingKey,
    endorsements: Vec<String>,
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, Key>,
    fetched: Option<Instant>,
}

/// Checks Bot Framework tokens against the published keys, cached.
pub struct BotAuthenticator {
    http: reqwest::Client,
    metadata_url: String,
    validation: Validation,
    keys: Mutex<KeyCache>,
}

impl std::fmt::Debug for BotAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotAuthenticator").field("metadata_url", &self.metadata_url).finish_non_exhaustive()
    }
}

impl BotAuthenticator {
    /// An authenticator for the bot of `config`.
    pub fn new(config: &TeamsConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.timeout())
            .connect_timeout(config.timeout().min(Duration::from_secs(5)))
            .build()
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "could not build the key client; using the defaults");
                reqwest::Client::new()
            });
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[config.app_id.as_str()]);
        validation.set_issuer(&[BOT_FRAMEWORK_ISSUER]);
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self {
            http,
            metadata_url: config.openid_metadata_url.clone(),
            validation,
            keys: Mutex::new(KeyCache::default()),
        }
    }

    /// Verifies the value of an `Authorization` header on an activity of
    /// `channel_id` (`msteams`): the signing key must be endorsed for it.
    ///
    /// # Errors
    /// An [`AuthError`] saying why the request must be refused.
    pub async fn verify(&self, authorization: Option<&str>, channel_id: &str) -> Result<BotClaims, AuthError> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::Missing)?;
        let header = decode_header(token).map_err(|e| AuthError::Malformed(e.to_string()))?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::Malformed(format!("algorithm {:?}", header.alg)));
        }
        let kid = header.kid.ok_or_else(|| AuthError::Malformed("no key id".into()))?;
        let Key { key, endorsements } = self.key(&kid).await?;
        let claims = decode::<BotClaims>(token, &key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| AuthError::Rejected(e.to_string()))?;
        // As the Bot Framework SDKs do: a key signs only for the channels it
        // is endorsed for, and a key endorsed for none signs for nothing.
        if !endorsements.iter().any(|c| c == channel_id) {
            return Err(AuthError::Rejected(format!("key {kid} is not endorsed for channel {channel_id:?}")));
        }
        Ok(claims)
    }

    /// The key `kid`, fetching the key set when it is unknown (at most once
    /// a minute) or old.
    async fn key(&self, kid: &str) -> Result<Key, AuthError> {
        let mut cache = self.keys.lock().await;
        let age = cache.fetched.map(|at| at.elapsed());
        let known = cache.keys.get(kid).cloned();
        let stale = age.is_none_or(|age| age > MAX_KEY_AGE);
        let may_refetch = age.is_none_or(|age| age > MIN_REFETCH);
        if known.is_none() && may_refetch || stale {
            match self.fetch().await {
                Ok(keys) => {
                    tracing::debug!(keys = keys.len(), "fetched the Bot Framework signing keys");
                    *cache = KeyCache { keys, fetched: Some(Instant::now()) };
                }
                // Old keys still verify while the key set is unreachable.
                Err(error) if known.is_some() => tracing::warn!(%error, "could not refresh the signing keys"),
                Err(error) => return Err(error),
            }
        }
        cache.keys.get(kid).cloned().ok_or(AuthError::UnknownKey)
    }

    async fn fetch(&self) -> Result<HashMap<String, Key>, AuthError> {
        let metadata: OpenIdMetadata = self.get_json(&self.metadata_url).await?;
        let set: JwkSet = self.get_json(&metadata.jwks_uri).await?;
        let mut keys = HashMap::new();
        for jwk in set.keys {
            let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else { continue };
            if jwk.kty != "RSA" {
                continue;
            }
            match DecodingKey::from_rsa_components(&n, &e) {
                Ok(key) => {
                    keys.insert(kid, Key { key, endorsements: jwk.endorsements });
                }
                Err(error) => tracing::warn!(%error, %kid, "skipped an unreadable signing key"),
            }
        }
        Ok(keys)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, AuthError> {
        let response = self.http.get(url).send().await.map_err(|e| AuthError::Keys(transport_detail(&e)))?;
        if !response.status().is_success() {
            return Err(AuthError::Keys(format!("{url} answered HTTP {}", response.status().as_u16())));
        }
        let body = response.bytes().await.map_err(|e| AuthError::Keys(transport_detail(&e)))?;
        serde_json::from_slice(&body).map_err(|e| AuthError::Keys(format!("{url}: {e}")))
    }
}
