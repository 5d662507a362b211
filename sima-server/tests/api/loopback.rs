//! The loopback default under attack: DNS rebinding (a foreign `Host`),
//! cross-site pages (a foreign `Origin`, a plain form), and forwarders that
//! would make remote clients look local.

use serde_json::{json, Value};

use crate::helpers::{api_error, TestApp};

const API_TOKEN: &str = "api-token-for-tests-0123456789";

async fn declared(app: &TestApp) -> String {
    let body = json!({ "domain": "payments", "summary": "Card payments fail", "severity": "sev2" });
    let response = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(response.status(), 201);
    let incident: Value = response.json().await.unwrap();
    incident["number"].as_str().unwrap().to_owned()
}

fn with_host(app: &TestApp, path: &str, host: &str) -> reqwest::RequestBuilder {
    app.http.get(format!("{}{path}", app.address)).header("host", host)
}

#[tokio::test]
async fn a_rebound_host_name_reaches_nothing_without_a_token() {
    let app = TestApp::spawn_with(|_| {}).await;
    let number = declared(&app).await;
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    for host in ["rebind.attacker.test", "evil.example", "127.0.0.1.nip.example"] {
        let host = format!("{host}:{port}");
        for path in ["/api/v1/incidents", "/ui/", "/ui/metrics", "/metrics"] {
            let response = with_host(&app, path, &host).send().await.unwrap();
            let message = api_error(response, 403, "forbidden_host").await;
            assert!(message.contains("127.0.0.1, localhost"), "{path} via {host}: {message}");
        }
        let detail = with_host(&app, &format!("/ui/incidents/{number}"), &host).send().await.unwrap();
        assert_eq!(detail.status(), 403, "an incident page via {host}");
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")] {
        let response = with_host(&app, "/api/v1/incidents", &host).send().await.unwrap();
        assert_eq!(response.status(), 200, "{host}");
    }
    let public = with_host(&app, "/api/v1/incidents", "sima.example.com").send().await.unwrap();
    assert_eq!(public.status(), 200, "the host of SIMA_PUBLIC_URL");
    assert_eq!(public.headers()["x-content-type-options"], "nosniff");
    assert_eq!(public.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn no_cross_site_form_or_foreign_page_can_write_without_a_token() {
    let app = TestApp::spawn_with(|_| {}).await;
    let number = declared(&app).await;
    app.wait_for_idle_outbox().await;
    let before = app.timeline(&number).await.len();
    let retry = format!("{}/api/v1/incidents/{number}/effects/retry", app.address);
    let done = format!("{}/api/v1/incidents/{number}/actions/1/done", app.address);
    for url in [&retry, &done] {
        let form = app.http.post(url).header("content-type", "application/x-www-form-urlencoded").body("a=1");
        let message = api_error(form.send().await.unwrap(), 415, "unsupported_media_type").await;
        assert!(message.contains("application/json"), "{message}");
        let bare = app.http.post(url).send().await.unwrap();
        assert_eq!(bare.status(), 415, "no body, no type: {url}");
        let text = app.http.post(url).header("content-type", "text/plain").body("{}").send().await.unwrap();
        assert_eq!(text.status(), 415, "text/plain is what a form can send: {url}");
    }
    let status = json!({ "status": "resolved", "message": "from a foreign page" });
    let foreign = app
        .http
        .post(format!("{}/api/v1/incidents/{number}/status", app.address))
        .header("origin", "https://evil.example")
        .json(&status)
        .send()
        .await
        .unwrap();
    api_error(foreign, 403, "forbidden_origin").await;
    let null = app
        .http
        .post(format!("{}/api/v1/incidents/{number}/status", app.address))
        .header("origin", "null")
        .json(&status)
        .send()
        .await
        .unwrap();
    api_error(null, 403, "forbidden_origin").await;
    assert_eq!(app.timeline(&number).await.len(), before, "nothing was recorded");
    assert_eq!(app.incident(&number).await["status"], "open");

    let own = app
        .http
        .post(retry)
        .header("origin", app.address.as_str())
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200, "a JSON write from the server's own origin");
}

#[tokio::test]
async fn with_a_token_any_host_is_served_but_a_foreign_origin_is_not() {
    let app = TestApp::spawn_with(|s| s.api_token = Some(sima_server::settings::Secret::new(API_TOKEN))).await;
    let list = with_host(&app, "/api/v1/incidents", "sima.internal:8443").bearer_auth(API_TOKEN).send().await.unwrap();
    assert_eq!(list.status(), 200, "behind a proxy the Host is the proxy's business");
    let foreign = app
        .http
        .get(format!("{}/api/v1/incidents", app.address))
        .bearer_auth(API_TOKEN)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    api_error(foreign, 403, "forbidden_origin").await;
    let retry = app
        .http
        .post(format!("{}/api/v1/incidents/INC-1/effects/retry", app.address))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_ne!(retry.status(), 415, "a bearer token cannot come from a cross-site form: no JSON needed");
}

#[tokio::test]
async fn a_declared_proxy_ends_the_loopback_default() {
    let app = TestApp::spawn_with(|s| s.limits.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let message = api_error(app.get("/api/v1/incidents").await, 401, "unauthorized").await;
    assert!(message.contains("SIMA_API_TOKEN"), "{message}");
    let page = app.get("/ui/").await;
    assert_eq!(page.status(), 401, "the dashboard is closed too");
    let forwarded = app.http.get(format!("{}/api/v1/incidents", app.address)).header("x-forwarded-for", "127.0.0.1");
    assert_eq!(forwarded.send().await.unwrap().status(), 401, "a forged local address changes nothing");
}
