//! Sessions under attack: a cookie signed for another purpose, a signed-out
//! or revoked cookie replayed on this replica or another.

use serde_json::{json, Value};
use sima_server::settings::Secret;
use sima_server::{Application, Settings};
use tokio::sync::oneshot;

use crate::helpers::UiApp;
use crate::signin::{hidden, pair, set_cookie, sign_in, spawn, READ_TOKEN, TOKEN};

/// A second server over the same SQLite database as `dir`'s, with the same
/// credentials: another replica. Returns its address and its stop switch.
async fn replica(database: &std::path::Path) -> (String, oneshot::Sender<()>) {
    let settings = Settings {
        listen: "127.0.0.1:0".into(),
        database_url: format!("sqlite://{}", database.display()),
        api_token: Some(Secret::new(TOKEN.to_owned())),
        api_read_token: Some(Secret::new(READ_TOKEN.to_owned())),
        ..Settings::default()
    };
    let app = Application::build(settings).await.expect("the replica starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    (address, stop)
}

async fn page(app: &UiApp, address: &str, path: &str, cookie: &str) -> u16 {
    let response = app.http.get(format!("{address}{path}")).header("cookie", cookie).send().await.unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn a_sign_in_flow_cookie_opens_no_page() {
    let app = UiApp::spawn_with(|s| {
        s.ui.slack_client_id = Some("1234.5678".into());
        s.ui.slack_client_secret = Some(Secret::new("client-secret-for-tests".to_owned()));
        s.slack.team_id = Some("T0SIMA".into());
    })
    .await;
    let start = app.http.get(format!("{}/ui/login/slack", app.address)).send().await.unwrap();
    assert_eq!(start.status().as_u16(), 303);
    let flow = pair(&set_cookie(&start, "sima_oidc"));
    let value = flow.split_once('=').unwrap().1;
    let as_session = format!("sima_session={value}");
    for path in ["/ui/", "/ui/metrics", "/ui/incidents/INC-1", "/ui/incidents/INC-1/timeline.csv"] {
        assert_eq!(page(&app, &app.address, path, &as_session).await, 303, "{path} with a flow cookie");
    }
}

#[tokio::test]
async fn a_signed_out_cookie_is_useless_on_every_replica() {
    let app = spawn().await;
    let (other, _stop) = replica(&app.database()).await;
    let session = pair(&set_cookie(&sign_in(&app, TOKEN).await, "sima_session"));
    assert_eq!(page(&app, &app.address, "/ui/", &session).await, 200);
    assert_eq!(page(&app, &other, "/ui/", &session).await, 200, "the replica shares sessions");

    let html = app.http.get(format!("{}/ui/", app.address)).header("cookie", &session).send().await.unwrap();
    let csrf = hidden(&html.text().await.unwrap(), "csrf");
    let out = app.http.post(format!("{}/ui/logout", app.address)).header("cookie", &session);
    assert_eq!(out.form(&[("csrf", csrf)]).send().await.unwrap().status().as_u16(), 303);

    assert_eq!(page(&app, &app.address, "/ui/", &session).await, 303, "a stolen copy no longer works here");
    assert_eq!(page(&app, &other, "/ui/metrics", &session).await, 303, "nor on the other replica");
}

#[tokio::test]
async fn an_administrator_revokes_sessions_and_the_read_token_cannot() {
    let app = spawn().await;
    let reader = pair(&set_cookie(&sign_in(&app, READ_TOKEN).await, "sima_session"));
    let admin = pair(&set_cookie(&sign_in(&app, TOKEN).await, "sima_session"));
    let sessions = format!("{}/api/v1/sessions", app.address);

    let peek = app.http.get(&sessions).bearer_auth(READ_TOKEN).send().await.unwrap();
    assert_eq!(peek.status().as_u16(), 403, "the read token may not list sessions");
    let listed: Value = app.http.get(&sessions).bearer_auth(TOKEN).send().await.unwrap().json().await.unwrap();
    let users: Vec<&str> = listed["sessions"].as_array().unwrap().iter().map(|s| s["user"].as_str().unwrap()).collect();
    assert_eq!(users, ["token:api", "token:read"], "newest first: {listed}");

    let revoke = |token: &'static str, body: Value| {
        let request = app.http.post(format!("{sessions}/revoke")).bearer_auth(token).json(&body);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_eq!(revoke(TOKEN, json!({})).await.0, 400, "neither id nor user");
    assert_eq!(revoke(READ_TOKEN, json!({ "user": "token:api" })).await.0, 403);
    assert_eq!(revoke(TOKEN, json!({ "user": "token:read" })).await, (200, json!({ "revoked": 1 })));
    assert_eq!(page(&app, &app.address, "/ui/", &reader).await, 303, "revoked at once");
    assert_eq!(page(&app, &app.address, "/ui/", &admin).await, 200, "other sessions stay");

    let id = listed["sessions"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(revoke(TOKEN, json!({ "id": id })).await, (200, json!({ "revoked": 1 })));
    assert_eq!(revoke(TOKEN, json!({ "id": id })).await, (200, json!({ "revoked": 0 })), "once only");
    assert_eq!(page(&app, &app.address, "/ui/", &admin).await, 303);
}
