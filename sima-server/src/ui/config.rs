//! The dashboard's settings: `[ui]` in `sima.toml`; `SIMA_SESSION_KEY`,
//! `SIMA_SLACK_CLIENT_ID`, `SIMA_SLACK_CLIENT_SECRET` and
//! `SIMA_SLACK_AUTHORIZE_URL` (ignored when empty) are read with the other
//! variables, in `crate::settings`.

use serde::Deserialize;

use crate::settings::Secret;

/// How dashboard sessions are signed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSettings {
    /// Key that signs session cookies; unset: derived from the API tokens, so
    /// replicas with the same configuration share sessions across restarts.
    pub session_key: Option<Secret>,
    /// Slack app client id (`SIMA_SLACK_CLIENT_ID`); with the secret, Sign in with Slack.
    pub slack_client_id: Option<String>,
    /// Slack app client secret (`SIMA_SLACK_CLIENT_SECRET`).
    pub slack_client_secret: Option<Secret>,
    /// OpenID Connect authorize endpoint (`SIMA_SLACK_AUTHORIZE_URL`); the token and
    /// userinfo endpoints are `openid.connect.token` and `openid.connect.userInfo`
    /// under `SIMA_SLACK_API_URL`.
    pub slack_authorize_url: Option<String>,
}

/// Where Slack's OpenID Connect endpoints are by default.
pub(crate) const SLACK_AUTHORIZE_URL: &str = "https://slack.com/openid/connect/authorize";
/// The Web API base of the token and userinfo endpoints by default.
pub(crate) const SLACK_API_URL: &str = "https://slack.com/api";

impl UiSettings {
    /// Whether Sign in with Slack is configured (client id and secret).
    pub fn slack_sign_in(&self) -> bool {
        self.slack_client_id.is_some() && self.slack_client_secret.is_some()
    }

    /// The start-up line saying how the dashboard is reached; `open` is
    /// whether the loopback default applies ([`crate::Settings::open_to_loopback`]).
    pub fn describe(&self, token_sign_in: bool, open: bool) -> String {
        match (token_sign_in, self.slack_sign_in()) {
            (true, true) => "dashboard: /ui/, Sign in with Slack or with the API token or read token".to_owned(),
            (false, true) => "dashboard: /ui/, Sign in with Slack".to_owned(),
            (true, false) => "dashboard: /ui/, sign in with the API token or read token".to_owned(),
            (false, false) if open => "dashboard: /ui/, open to clients on this machine only (set SIMA_API_TOKEN, \
                                       or SIMA_SLACK_CLIENT_ID and SIMA_SLACK_CLIENT_SECRET, to sign in from elsewhere)"
                .to_owned(),
            (false, false) => "dashboard: /ui/, closed: listening beyond loopback or behind a declared proxy with no \
                               way to sign in (set SIMA_API_TOKEN, or SIMA_SLACK_CLIENT_ID and SIMA_SLACK_CLIENT_SECRET)"
                .to_owned(),
        }
    }
}
