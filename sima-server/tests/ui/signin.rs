//! Signing in with a token: sessions, CSRF, cookies.

use crate::helpers::UiApp;

pub(crate) const TOKEN: &str = "api-token-for-dashboard-tests";
pub(crate) const READ_TOKEN: &str = "read-token-for-dashboard-tests";

/// The value of a hidden field in a form.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).expect("the field") + name.len() + 15;
    html[at..].split('"').next().unwrap().to_owned()
}

/// The `Set-Cookie` header of cookie `name` (or `__Host-<name>`).
pub(crate) fn set_cookie(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")) || c.starts_with(&format!("__Host-{name}=")))
        .unwrap_or_else(|| panic!("a {name} cookie"))
}

/// The `name=value` pair of a `Set-Cookie` header.
pub(crate) fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

pub(crate) async fn spawn() -> UiApp {
    UiApp::spawn_with(|s| {
        s.api_token = Some(sima_server::settings::Secret::new(TOKEN.to_owned()));
        s.api_read_token = Some(sima_server::settings::Secret::new(READ_TOKEN.to_owned()));
    })
    .await
}

/// Loads the form and posts `token`; the response and the form cookie sent.
pub(crate) async fn sign_in(app: &UiApp, token: &str) -> reqwest::Response {
    let form = app.http.get(format!("{}/ui/login?next=/ui/metrics", app.address)).send().await.unwrap();
    let form_cookie = set_cookie(&form, "sima_form");
    let nonce = form_cookie.split(';').next().unwrap().to_owned();
    let html = form.text().await.unwrap();
    app.http
        .post(format!("{}/ui/login", app.address))
        .header("cookie", nonce)
        .form(&[("csrf", hidden(&html, "csrf").as_str()), ("token", token), ("next", "/ui/metrics")])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn with_a_token_configured_even_loopback_must_sign_in() {
    let app = spawn().await;
    let response = app.http.get(format!("{}/ui/metrics?period=7d", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/ui/login?next=%2Fui%2Fmetrics%3Fperiod%3D7d");
}

#[tokio::test]
async fn the_read_token_signs_in_with_a_safe_cookie_and_signs_out() {
    let app = spawn().await;
    app.seed(Some(TOKEN)).await;
    let response = sign_in(&app, READ_TOKEN).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/ui/metrics");
    let cookie = set_cookie(&response, "sima_session");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();

    let page = app.http.get(format!("{}/ui/", app.address)).header("cookie", &session).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("INC-1") && html.contains("Signed in with token:read"), "{html}");

    let logout = format!("{}/ui/logout", app.address);
    let forged =
        app.http.post(&logout).header("cookie", &session).form(&[("csrf", "0".repeat(64))]).send().await.unwrap();
    assert_eq!(forged.status().as_u16(), 403, "a form without the session's token is refused");
    let csrf = hidden(&html, "csrf");
    let out = app.http.post(&logout).header("cookie", &session).form(&[("csrf", csrf)]).send().await.unwrap();
    assert_eq!(out.status().as_u16(), 303);
    assert!(set_cookie(&out, "sima_session").contains("Max-Age=0"));
}

#[tokio::test]
async fn a_wrong_token_or_a_form_from_elsewhere_is_refused() {
    let app = spawn().await;
    let response = sign_in(&app, "not-the-token-at-all").await;
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.text().await.unwrap().contains("That token is not right."));
    let forged = app
        .http
        .post(format!("{}/ui/login", app.address))
        .form(&[("csrf", "0".repeat(64).as_str()), ("token", TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403, "no form cookie, no session");
    assert!(forged.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("sima_session")));
    let tampered = app
        .http
        .get(format!("{}/ui/", app.address))
        .header("cookie", "sima_session=9999999999.746f6b656e3a617069.00")
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status().as_u16(), 303, "an unsigned session is no session");
}

#[tokio::test]
async fn sessions_are_secure_behind_https() {
    let app = UiApp::spawn_with(|s| {
        s.api_token = Some(sima_server::settings::Secret::new(TOKEN.to_owned()));
        s.public_url = "https://sima.example.com".into();
    })
    .await;
    let response = sign_in(&app, TOKEN).await;
    let cookie = set_cookie(&response, "sima_session");
    assert!(cookie.starts_with("__Host-sima_session=") && cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax; Secure"));
    let prefixed = pair(&cookie);
    let page = app.http.get(format!("{}/ui/", app.address)).header("cookie", &prefixed).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let unprefixed = prefixed.trim_start_matches("__Host-").to_owned();
    let page = app.http.get(format!("{}/ui/", app.address)).header("cookie", unprefixed).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 303, "a cookie a sibling domain could plant is ignored");
}
