//! Sign in with Slack against a `wiremock` identity provider.

use base64::Engine as _;
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::UiApp;

const TEAM: &str = "T0SIMA";
const CLIENT_ID: &str = "1234.5678";

/// A JWT with these claims (the server does not check its signature).
fn jwt(claims: &serde_json::Value) -> String {
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")
}

/// The value of `name` in a URL's query.
fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query.split('&').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap_or_default().to_owned()
}

/// A provider that answers the token and userinfo endpoints for a user of `team`,
/// and a server configured against it.
async fn setup(team: &str) -> (UiApp, MockServer) {
    let idp = MockServer::start().await;
    let uri = idp.uri();
    let app = UiApp::spawn_with(|s| {
        s.ui.slack_client_id = Some(CLIENT_ID.into());
        s.ui.slack_client_secret = Some(sima_server::settings::Secret::new("client-secret-for-tests".to_owned()));
        s.ui.slack_authorize_url = Some(format!("{uri}/openid/connect/authorize"));
        s.slack.api_url = Some(format!("{uri}/api"));
        s.slack.team_id = Some(TEAM.into());
    })
    .await;
    Mock::given(method("GET"))
        .and(path("/api/openid.connect.userInfo"))
        .and(header("authorization", "Bearer xoxp-access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "sub": "U0ALICE", "name": "Alice", "https://slack.com/team_id": team,
        })))
        .mount(&idp)
        .await;
    (app, idp)
}

/// Starts the flow; the flow cookie and the authorize URL.
async fn start(app: &UiApp) -> (String, String) {
    let response = app.http.get(format!("{}/ui/login/slack?next=/ui/metrics", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    (cookie, location)
}

/// The claims of a good ID token with `nonce` for `team`.
fn claims(nonce: &str, team: &str) -> serde_json::Value {
    json!({
        "iss": "https://slack.com", "sub": "U0ALICE", "aud": CLIENT_ID, "nonce": nonce,
        "exp": chrono::Utc::now().timestamp() + 300, "https://slack.com/team_id": team,
    })
}

/// The token endpoint answers an ID token with `nonce` for `team`.
async fn tokens(idp: &MockServer, nonce: &str, team: &str) {
    answer_id_token(idp, &claims(nonce, team)).await;
}

/// The token endpoint answers an ID token with these claims.
async fn answer_id_token(idp: &MockServer, claims: &serde_json::Value) {
    let id_token = jwt(claims);
    Mock::given(method("POST"))
        .and(path("/api/openid.connect.token"))
        .and(body_string_contains("code=the-code"))
        .and(body_string_contains("client_secret=client-secret-for-tests"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": true, "access_token": "xoxp-access", "id_token": id_token })),
        )
        .mount(idp)
        .await;
}

#[tokio::test]
async fn a_member_of_the_workspace_signs_in_with_slack() {
    let (app, idp) = setup(TEAM).await;
    let (_, login) = app.get("/ui/login").await;
    assert!(login.contains("Sign in with Slack") && !login.contains("name=\"token\""), "Slack only: {login}");
    let (cookie, authorize) = start(&app).await;
    assert!(
        authorize.starts_with(&format!("{}/openid/connect/authorize?response_type=code", idp.uri())),
        "{authorize}"
    );
    assert_eq!(param(&authorize, "client_id"), "1234.5678");
    assert_eq!(param(&authorize, "scope"), "openid%20profile");
    let (state, nonce) = (param(&authorize, "state"), param(&authorize, "nonce"));
    assert!(state.len() == 32 && nonce.len() == 32 && state != nonce);
    tokens(&idp, &nonce, TEAM).await;

    let callback = format!("{}/ui/login/slack/callback?code=the-code&state={state}", app.address);
    let response = app.http.get(&callback).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303, "{:?}", response.text().await);
    assert_eq!(response.headers()["location"], "/ui/metrics");
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("sima_session="))
        .expect("a session");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    let session = session.split(';').next().unwrap().to_owned();
    let page = app.http.get(format!("{}/ui/", app.address)).header("cookie", session).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("Signed in with slack:U0ALICE"));
}

#[tokio::test]
async fn another_workspace_a_wrong_state_or_a_replayed_nonce_is_refused() {
    let (app, idp) = setup("T0OTHER").await;
    let (cookie, authorize) = start(&app).await;
    let (state, nonce) = (param(&authorize, "state"), param(&authorize, "nonce"));
    tokens(&idp, &nonce, "T0OTHER").await;
    let callback = |state: &str| format!("{}/ui/login/slack/callback?code=the-code&state={state}", app.address);

    let other_team = app.http.get(callback(&state)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(other_team.status().as_u16(), 403);
    assert!(other_team.text().await.unwrap().contains("configured Slack workspace"));

    let wrong_state = app.http.get(callback(&"0".repeat(32))).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(wrong_state.status().as_u16(), 403, "a state from elsewhere");
    let no_cookie = app.http.get(callback(&state)).send().await.unwrap();
    assert_eq!(no_cookie.status().as_u16(), 403, "a flow this browser did not start");

    // A second flow has a new nonce: the first flow's ID token does not fit it.
    let (cookie2, authorize2) = start(&app).await;
    let replay = app.http.get(callback(&param(&authorize2, "state"))).header("cookie", &cookie2).send().await.unwrap();
    assert_eq!(replay.status().as_u16(), 403);
    assert!(replay.text().await.unwrap().contains("ID token does not belong"));
}

#[tokio::test]
async fn an_id_token_from_another_issuer_or_expired_is_refused() {
    let (app, idp) = setup(TEAM).await;
    let cases = [
        ("iss", json!("https://evil.example")),
        ("iss", json!(null)),
        ("exp", json!(1_000_000_000)),
        ("exp", json!("9999999999")),
    ];
    for (claim, value) in cases {
        let (cookie, authorize) = start(&app).await;
        let (state, nonce) = (param(&authorize, "state"), param(&authorize, "nonce"));
        let mut claims = claims(&nonce, TEAM);
        claims[claim] = value.clone();
        idp.reset().await;
        answer_id_token(&idp, &claims).await;
        let callback = format!("{}/ui/login/slack/callback?code=the-code&state={state}", app.address);
        let response = app.http.get(&callback).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "{claim} = {value}");
        let cookies: Vec<_> =
            response.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
        assert!(cookies.iter().all(|c| !c.starts_with("sima_session=")), "{claim} = {value}: {cookies:?}");
    }
}

#[tokio::test]
async fn a_sign_in_url_that_would_send_the_client_secret_in_clear_is_refused() {
    let settings = |url: &str| {
        let mut env = std::collections::HashMap::new();
        env.insert("SIMA_SLACK_API_URL".to_owned(), url.to_owned());
        sima_server::Settings::from_env(&env)
    };
    let error = settings("http://slack.example.com/api").unwrap_err().to_string();
    assert!(error.contains("SIMA_SLACK_API_URL") && error.contains("https://"), "{error}");
    assert!(settings("http://127.0.0.1:9/api").is_ok(), "a local test double");
}
