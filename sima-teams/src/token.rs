//! Access tokens from the OAuth2 client-credentials flow, cached per scope
//! until shortly before they expire.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Deserialize;
use sima_core::{retry_after_header, Secret};
use tokio::sync::Mutex;

use crate::error::TeamsError;

/// A token is renewed this long before it expires (at most half its life).
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: Secret,
    expires_in: u64,
}

struct Cached {
    token: Secret,
    renew_at: Instant,
}

/// Fetches and caches app-only access tokens, one per scope.
pub(crate) struct Tokens {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    // Held across the fetch, so concurrent callers wait for one request.
    cache: Mutex<HashMap<&'static str, Cached>>,
}

impl Tokens {
    /// Tokens for this app from `token_url`.
    pub(crate) fn new(http: reqwest::Client, token_url: String, client_id: String, client_secret: Secret) -> Self {
        Self { http, token_url, client_id, client_secret, cache: Mutex::new(HashMap::new()) }
    }

    /// A valid token for `scope`, from the cache or the token endpoint.
    pub(crate) async fn get(&self, scope: &'static str) -> Result<Secret, TeamsError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.get(scope).filter(|c| Instant::now() < c.renew_at) {
            return Ok(cached.token.clone());
        }
        let fetched_at = Instant::now();
        let answer = self.fetch(scope).await?;
        let life = Duration::from_secs(answer.expires_in);
        let renew_at = fetched_at + life.saturating_sub(RENEW_BEFORE.min(life / 2));
        cache.insert(scope, Cached { token: answer.access_token.clone(), renew_at });
        Ok(answer.access_token)
    }

    /// Drops the cached token of `scope` (the service refused it).
    pub(crate) async fn forget(&self, scope: &'static str) {
        self.cache.lock().await.remove(scope);
    }

    async fn fetch(&self, scope: &'static str) -> Result<TokenResponse, TeamsError> {
        const WHAT: &str = "token endpoint";
        let form = serde_urlencoded::to_string([
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("scope", scope),
        ])
        .map_err(|e| TeamsError::Config(e.to_string()))?;
        let response = self
            .http
            .post(&self.token_url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| TeamsError::Transport { what: WHAT, detail: crate::error::transport_detail(&e) })?;
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            429 => {
                let retry_after =
                    retry_after_header(response.headers().get(reqwest::header::RETRY_AFTER).map(|v| v.as_bytes()));
                return Err(TeamsError::RateLimited { what: WHAT, retry_after });
            }
            400 | 401 | 403 => return Err(TeamsError::Credentials { status }),
            _ => return Err(TeamsError::Status { what: WHAT, status, code: None }),
        }
        tracing::debug!(scope, "fetched an access token");
        let body = response.bytes().await.map_err(|e| TeamsError::Transport { what: WHAT, detail: e.to_string() })?;
        serde_json::from_slice(&body).map_err(|e| TeamsError::Decode { what: WHAT, detail: e.to_string() })
    }
}
