//! The dashboard's settings: `[ui]` in `sima.toml`, `SIMA_SESSION_KEY`.

use std::collections::HashMap;

use serde::Deserialize;

use crate::settings::Secret;

/// How dashboard sessions are signed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSettings {
    /// Key that signs session cookies; unset: derived from the API tokens, so
    /// replicas with the same configuration share sessions across restarts.
    pub session_key: Option<Secret>,
}

impl UiSettings {
    /// Applies `SIMA_SESSION_KEY`.
    pub fn apply_env(&mut self, env: &HashMap<String, String>) {
        if let Some(v) = env.get("SIMA_SESSION_KEY").filter(|v| !v.is_empty()) {
            self.session_key = Some(Secret::new(v.clone()));
        }
    }

    /// The start-up line saying how the dashboard is reached.
    pub fn describe(&self, token_sign_in: bool) -> String {
        if token_sign_in {
            "dashboard: /ui/, sign in with the API token or read token".to_owned()
        } else {
            "dashboard: /ui/, open to loopback clients only (set SIMA_API_TOKEN to sign in from elsewhere)".to_owned()
        }
    }
}
