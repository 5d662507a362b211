//! The metrics page filtered by incident type (`/ui/metrics?type=<name>`):
//! the same numbers as `GET /api/v1/metrics?type=`, private incidents of that
//! type counted only for sessions that may see them, and a 400 page naming
//! the types for an unknown one.

use serde_json::{json, Value};
use sima_server::settings::Secret;
use sima_server::Settings;

use crate::helpers::UiApp;
use crate::signin::{set_cookie, sign_in, READ_TOKEN, TOKEN};

const TYPES: &str = r#"
[[incident_types]]
name = "security"
description = "Breaches and attacks"

[[incident_types]]
name = "vendor-outage"
"#;

async fn app() -> UiApp {
    let file: Settings = toml::from_str(TYPES).expect("a valid configuration");
    UiApp::spawn_with(|settings| {
        settings.incident_types = file.incident_types;
        settings.api_token = Some(Secret::new(TOKEN.to_owned()));
        settings.api_read_token = Some(Secret::new(READ_TOKEN.to_owned()));
    })
    .await
}

/// Declares an incident with the API token.
async fn declare(app: &UiApp, summary: &str, incident_type: Option<&str>, private: bool) {
    let mut body = json!({ "domain": "identity", "summary": summary, "severity": "sev2", "private": private });
    if let Some(incident_type) = incident_type {
        body["type"] = json!(incident_type);
    }
    let url = format!("{}/api/v1/incidents", app.address);
    let response = app.http.post(url).bearer_auth(TOKEN).json(&body).send().await.expect("an answer");
    assert!(response.status().is_success(), "declare {summary}: {}", response.status());
}

/// A session cookie (`name=value`) signed in with `token`.
async fn session(app: &UiApp, token: &str) -> String {
    let response = sign_in(app, token).await;
    assert_eq!(response.status().as_u16(), 303, "signed in");
    set_cookie(&response, "sima_session").split(';').next().expect("a pair").to_owned()
}

/// `GET path` with the session `cookie` → (status, body).
async fn page(app: &UiApp, cookie: &str, path: &str) -> (u16, String) {
    let response = app.http.get(format!("{}{path}", app.address)).header("cookie", cookie).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The incidents a metrics page says it considered.
fn incidents_counted(html: &str) -> u64 {
    let at = html.find(r#"<span id="incidents">"#).expect("the totals") + r#"<span id="incidents">"#.len();
    html[at..].split('<').next().unwrap().parse().expect("a count")
}

/// `incidents` of `GET /api/v1/metrics?{query}` with `token`.
async fn api_incidents(app: &UiApp, token: &str, query: &str) -> u64 {
    let metrics: Value = app
        .http
        .get(format!("{}/api/v1/metrics?{query}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    metrics["incidents"].as_u64().expect("a count")
}

#[tokio::test]
async fn the_metrics_page_counts_a_types_private_incidents_only_for_sessions_that_may_see_them() {
    let app = app().await;
    declare(&app, "Leaked credentials", Some("security"), true).await;
    declare(&app, "Phishing wave", Some("security"), false).await;
    declare(&app, "Supplier down", Some("vendor-outage"), false).await;
    declare(&app, "Plain outage", None, false).await;
    let admin = session(&app, TOKEN).await;
    let reader = session(&app, READ_TOKEN).await;

    for (who, cookie, token, security) in [("admin", &admin, TOKEN, 2), ("reader", &reader, READ_TOKEN, 1)] {
        let (status, html) = page(&app, cookie, "/ui/metrics?type=security").await;
        assert_eq!(status, 200, "{who}: {html}");
        assert_eq!(incidents_counted(&html), security, "{who}");
        assert_eq!(incidents_counted(&html), api_incidents(&app, token, "type=security").await, "{who}: as the API");
        assert!(html.contains(r#"<option value="security" selected>security</option>"#), "{who}: {html}");
        assert!(!html.contains("Leaked credentials"), "{who}: numbers only");

        let (_, html) = page(&app, cookie, "/ui/metrics?type=vendor-outage").await;
        assert_eq!(incidents_counted(&html), 1, "{who}");
        for any in ["/ui/metrics", "/ui/metrics?type=", "/ui/metrics?type=any"] {
            let (status, html) = page(&app, cookie, any).await;
            assert_eq!(status, 200, "{who} {any}: {html}");
            assert_eq!(incidents_counted(&html), 4, "{who} {any}: every incident is counted without a type");
        }
    }
}

#[tokio::test]
async fn an_unknown_type_on_the_metrics_page_is_a_400_page_naming_the_types() {
    let app = app().await;
    let admin = session(&app, TOKEN).await;
    for (path, hint) in [
        ("/ui/metrics?type=hr", "`type`: `hr` is not an incident type: use `security` or `vendor-outage`"),
        ("/ui/metrics?type=%3Cb%3Ehr%3C%2Fb%3E", "`type`: `&lt;b&gt;hr&lt;/b&gt;` is not an incident type"),
        ("/ui/metrics?type=security&type=vendor-outage", "`type`"),
    ] {
        let (status, html) = page(&app, &admin, path).await;
        assert_eq!(status, 400, "{path}: {html}");
        assert!(html.contains(hint), "{path}: {hint} in {html}");
        assert!(!html.contains("<b>hr"), "escaped: {html}");
    }
    let long = format!("/ui/metrics?type={}", "x".repeat(5000));
    let (status, html) = page(&app, &admin, &long).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.len() < 20_000 && !html.contains(&"x".repeat(200)), "clipped");
}

#[tokio::test]
async fn without_types_defined_a_type_on_the_metrics_page_says_none_are_defined() {
    let app = UiApp::spawn().await;
    let (status, html) = app.get("/ui/metrics?type=security").await;
    assert_eq!(status, 400, "{html}");
    let said = "`type`: `security` is not an incident type: no [[incident_types]] are defined in sima.toml";
    assert!(html.contains(said), "{html}");
    let (status, html) = app.get("/ui/metrics").await;
    assert_eq!(status, 200, "{html}");
    assert!(!html.contains(r#"name="type""#), "no type select without types: {html}");
}
