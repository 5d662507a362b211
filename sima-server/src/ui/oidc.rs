//! Sign in with Slack (OpenID Connect, authorization code flow):
//! `GET /ui/login/slack` sends the browser to Slack's authorize endpoint with
//! a `state` and a `nonce` kept in a signed cookie; `GET /ui/login/slack/callback`
//! checks the `state`, trades the code at the token endpoint, checks the ID
//! token's `nonce` and audience, reads the userinfo endpoint, and admits only
//! members of the configured workspace (`https://slack.com/team_id`).
//!
//! The ID token comes straight from the token endpoint over TLS, which
//! authenticates its issuer (OpenID Connect Core 3.1.3.7), so its signature
//! is not checked again; its issuer (`https://slack.com`), audience, expiry
//! and nonce are. The token endpoint must be `https://` (or loopback, for a
//! local test double): settings refuse anything else.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use maud::html;
use serde::Deserialize;
use serde_json::Value;

use crate::settings::Settings;
use crate::state::AppState;
use crate::ui::config::{SLACK_API_URL, SLACK_AUTHORIZE_URL};
use crate::ui::filters::encode;
use crate::ui::layout::page;
use crate::ui::session::{
    cookie, random_token, set_cookie, Purpose, SessionKey, FLOW_COOKIE, SESSION_COOKIE, SESSION_HOURS,
};
use crate::ui::signin::{local_target, open_session, with_cookies};

/// The claim naming the user's workspace.
const TEAM_CLAIM: &str = "https://slack.com/team_id";
/// The issuer of Slack's ID tokens.
const SLACK_ISSUER: &str = "https://slack.com";

/// Why a sign-in with Slack was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OidcError {
    /// Not configured.
    #[error("Sign in with Slack is not configured")]
    Off,
    /// The callback does not belong to a flow this browser started.
    #[error("this sign-in was not started here or took too long; please try again")]
    State,
    /// Slack refused or answered something unexpected.
    #[error("Slack did not confirm the sign-in: {0}")]
    Provider(String),
    /// The ID token is for another flow or another app.
    #[error("the ID token does not belong to this sign-in")]
    Token,
    /// The operating system gave no randomness for the flow's state.
    #[error("this server cannot draw random numbers right now; please try again in a moment")]
    NoRandomness,
    /// Another workspace, or none configured.
    #[error("only members of the configured Slack workspace may sign in")]
    Workspace,
}

impl IntoResponse for OidcError {
    fn into_response(self) -> Response {
        let status = match self {
            Self::Provider(_) => StatusCode::BAD_GATEWAY,
            Self::Off => StatusCode::NOT_FOUND,
            Self::NoRandomness => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::FORBIDDEN,
        };
        tracing::warn!(error = %self, "Sign in with Slack refused");
        let body = html! { p.error { (self.to_string()) } p { a href="/ui/login" { "Back to sign-in" } } };
        (status, page("Sign-in refused", body)).into_response()
    }
}

fn api_url(settings: &Settings, method: &str) -> String {
    format!("{}/{method}", settings.slack.api_url.as_deref().unwrap_or(SLACK_API_URL).trim_end_matches('/'))
}

fn redirect_uri(settings: &Settings) -> String {
    format!("{}/ui/login/slack/callback", settings.public_url.trim_end_matches('/'))
}

/// Where to return after signing in.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Start {
    #[serde(default)]
    next: String,
}

/// `GET /ui/login/slack`: to Slack's authorize endpoint.
pub(crate) async fn start(State(state): State<AppState>, Query(start): Query<Start>) -> Result<Response, OidcError> {
    let settings = &state.settings;
    let client_id =
        settings.ui.slack_client_id.as_deref().filter(|_| settings.ui.slack_sign_in()).ok_or(OidcError::Off)?;
    let (Some(flow_state), Some(nonce)) = (random_token(), random_token()) else {
        return Err(OidcError::NoRandomness);
    };
    let flow = format!("{flow_state} {nonce} {}", local_target(&start.next));
    let signed =
        SessionKey::of(settings).sign(Purpose::SignInFlow, &flow, state.service.now() + chrono::Duration::minutes(10));
    let authorize = settings.ui.slack_authorize_url.as_deref().unwrap_or(SLACK_AUTHORIZE_URL);
    let url = format!(
        "{authorize}?response_type=code&scope=openid%20profile&client_id={}&state={flow_state}&nonce={nonce}&redirect_uri={}",
        encode(client_id),
        encode(&redirect_uri(settings))
    );
    let cookie = set_cookie(settings, FLOW_COOKIE, &signed, 600);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&url)).into_response())
}

/// What Slack sends back to the callback.
#[derive(Debug, Deserialize)]
pub(crate) struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: Option<String>,
}

/// The claims of a JWT, unverified (see the module documentation).
fn claims(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Sends one Slack Web API request and returns its answer if Slack says `ok`;
/// `missing` names what is lacking when Slack gives no error code.
async fn slack_call(request: reqwest::RequestBuilder, missing: &str) -> Result<Value, OidcError> {
    let provider = |e: reqwest::Error| OidcError::Provider(e.without_url().to_string());
    let answer: Value = request.send().await.map_err(provider)?.json().await.map_err(provider)?;
    if answer["ok"] != Value::Bool(true) {
        return Err(OidcError::Provider(answer["error"].as_str().unwrap_or(missing).to_owned()));
    }
    Ok(answer)
}

/// Whether ID token claims `id` are Slack's, for `client_id`, unexpired at
/// `now` (`exp` a number of seconds) and for this flow's `nonce`.
fn id_token_holds(id: &Value, client_id: &str, nonce: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    let audience_ok = id["aud"].as_str() == Some(client_id)
        || id["aud"].as_array().is_some_and(|a| a.iter().any(|v| v.as_str() == Some(client_id)));
    let unexpired = id["exp"].as_i64().is_some_and(|exp| exp > now.timestamp());
    audience_ok && unexpired && id["iss"].as_str() == Some(SLACK_ISSUER) && id["nonce"].as_str() == Some(nonce)
}

/// Trades `code` for tokens; checks the ID token; returns the user id.
async fn confirm(
    settings: &Settings,
    code: &str,
    nonce: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, OidcError> {
    let (Some(client_id), Some(secret)) = (&settings.ui.slack_client_id, &settings.ui.slack_client_secret) else {
        return Err(OidcError::Off);
    };
    let team = settings.slack.team_id.as_deref().ok_or(OidcError::Workspace)?;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| OidcError::Provider(e.to_string()))?;
    let redirect = redirect_uri(settings);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", client_id.as_str()),
        ("client_secret", secret.expose()),
        ("redirect_uri", redirect.as_str()),
    ];
    let tokens = slack_call(http.post(api_url(settings, "openid.connect.token")).form(&form), "no tokens").await?;
    let id = tokens["id_token"].as_str().and_then(claims).ok_or(OidcError::Token)?;
    if !id_token_holds(&id, client_id, nonce, now) {
        return Err(OidcError::Token);
    }
    let access = tokens["access_token"].as_str().ok_or(OidcError::Token)?;
    let user =
        slack_call(http.get(api_url(settings, "openid.connect.userInfo")).bearer_auth(access), "no user").await?;
    if id[TEAM_CLAIM].as_str() != Some(team) || user[TEAM_CLAIM].as_str() != Some(team) {
        return Err(OidcError::Workspace);
    }
    let sub = user["sub"].as_str().filter(|s| Some(*s) == id["sub"].as_str()).ok_or(OidcError::Token)?;
    Ok(sub.to_owned())
}

/// `GET /ui/login/slack/callback`: a session for a member of the workspace.
pub(crate) async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(back): Query<Callback>,
) -> Result<Response, OidcError> {
    let settings = &state.settings;
    if !settings.ui.slack_sign_in() {
        return Err(OidcError::Off);
    }
    let key = SessionKey::of(settings);
    let flow = cookie(settings, &headers, FLOW_COOKIE)
        .and_then(|v| key.verify(Purpose::SignInFlow, v, state.service.now()))
        .ok_or(OidcError::State)?;
    let mut parts = flow.payload.splitn(3, ' ');
    let (Some(expected), Some(nonce), Some(next)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(OidcError::State);
    };
    if !SessionKey::csrf_matches(expected, &back.state) {
        return Err(OidcError::State);
    }
    if let Some(error) = back.error {
        return Err(OidcError::Provider(error));
    }
    let user = confirm(settings, &back.code, nonce, state.service.now()).await?;
    let value = match open_session(&state, &format!("slack:{user}")).await {
        Ok(value) => value,
        Err(unavailable) => return Ok(unavailable),
    };
    let cookies =
        [set_cookie(settings, SESSION_COOKIE, &value, SESSION_HOURS * 3600), set_cookie(settings, FLOW_COOKIE, "", 0)];
    Ok(with_cookies(Redirect::to(local_target(next)).into_response(), cookies))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_read_from_the_payload() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"nonce":"n1"}"#);
        assert_eq!(claims(&format!("e30.{payload}.sig")).unwrap()["nonce"], "n1");
        assert!(claims("not a jwt").is_none());
    }

    #[test]
    fn id_tokens_must_be_slacks_unexpired_and_for_this_flow() {
        let now = chrono::Utc::now();
        let exp = now.timestamp() + 60;
        let good = serde_json::json!({ "iss": SLACK_ISSUER, "aud": "c1", "exp": exp, "nonce": "n1" });
        assert!(id_token_holds(&good, "c1", "n1", now));
        let changed = |key: &str, value: Value| {
            let mut claims = good.clone();
            claims[key] = value;
            id_token_holds(&claims, "c1", "n1", now)
        };
        assert!(!changed("iss", "https://evil.example".into()), "another issuer");
        assert!(!changed("iss", Value::Null), "no issuer");
        assert!(!changed("exp", (now.timestamp() - 1).into()), "expired");
        assert!(!changed("exp", exp.to_string().into()), "an expiry of the wrong type");
        assert!(!changed("exp", Value::Null), "no expiry");
        assert!(!changed("aud", "c2".into()), "another app");
        assert!(!changed("nonce", "n2".into()), "another flow");
        assert!(changed("aud", serde_json::json!(["c0", "c1"])));
    }
}
