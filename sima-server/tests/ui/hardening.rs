//! Hostile input and the answers' headers: filters, numbers and paths out of
//! range are 400 pages naming the field, every answer carries the security
//! headers, and stored addresses that are not web links stay text.

use serde_json::json;

use crate::helpers::UiApp;

/// `GET path` → (status, content type, body).
async fn fetch(app: &UiApp, path: &str) -> (u16, String, String) {
    let response = app.http.get(format!("{}{path}", app.address)).send().await.expect("the server answers");
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, kind, response.text().await.expect("a body"))
}

#[tokio::test]
async fn an_overflowing_period_is_a_400_page_and_the_server_answers_on() {
    let app = UiApp::spawn().await;
    app.seed(None).await;
    for path in ["/ui/?period=100000000000000s", "/ui/metrics?period=100000000000000s"] {
        let (status, kind, html) = fetch(&app, path).await;
        assert_eq!(status, 400, "{path}: {html}");
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        assert!(html.contains("`period`") && html.contains("36500d"), "{path}: {html}");
    }
    let (status, html) = app.get("/ui/").await;
    assert_eq!(status, 200, "the next request is answered: {html}");
    assert!(html.contains("INC-3"));
}

#[tokio::test]
async fn bad_filters_numbers_and_paths_are_400_pages_naming_the_field() {
    let app = UiApp::spawn().await;
    app.seed(None).await;
    for (path, field) in [
        ("/ui/?period=36501d", "`period`"),
        ("/ui/?period=99999999999999999999d", "`period`"),
        ("/ui/?period=off", "`period`"),
        ("/ui/metrics?period=876001h", "`period`"),
        ("/ui/?cursor=INC-99999999999999999999", "`cursor`"),
        ("/ui/?cursor=INC-9223372036854775808", "`cursor`"),
        ("/ui/?status=open&status=closed", "`status`"),
        ("/ui/metrics?severity=sev1&severity=sev2", "`severity`"),
        ("/ui/?domain=Not%20A%20Slug", "`domain`"),
        ("/ui/incidents/INC-99999999999999999999", "`incident`"),
        ("/ui/incidents/INC-0", "`incident`"),
        ("/ui/incidents/INC-18446744073709551616/timeline.csv", "`incident`"),
        ("/ui/incidents/INC-99999999999999999999/timeline.md", "`incident`"),
        ("/ui/incidents/%FF", "`incident`"),
    ] {
        let (status, kind, html) = fetch(&app, path).await;
        assert_eq!(status, 400, "{path}: {html}");
        assert!(kind.starts_with("text/html"), "{path} answers the dashboard's error page, not {kind}");
        assert!(html.contains("Check the address") && html.contains(field), "{path}: {html}");
    }
    assert_eq!(app.get("/ui/incidents/INC-9223372036854775807").await.0, 404, "the largest number is looked up");
    assert_eq!(app.get("/ui/incidents/nonsense").await.0, 404);
    assert_eq!(app.get("/ui/?period=36500d&cursor=INC-3").await.0, 200, "the bounds themselves are allowed");
}

/// Asserts the security headers of the answer to `GET path`, returns its status and body.
async fn secured(app: &UiApp, path: &str) -> (u16, String) {
    let response = app.http.get(format!("{}{path}", app.address)).send().await.expect("the server answers");
    let headers = response.headers().clone();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("(none)").to_owned();
    assert_eq!(
        header("content-security-policy"),
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
         base-uri 'none'",
        "{path}"
    );
    assert_eq!(header("x-frame-options"), "DENY", "{path}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
    assert_eq!(header("referrer-policy"), "same-origin", "{path}");
    let caching = if path == "/ui/style.css" { "max-age=3600" } else { "no-store" };
    assert_eq!(header("cache-control"), caching, "{path}");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

#[tokio::test]
async fn every_dashboard_answer_carries_the_security_headers_and_needs_no_inline_code() {
    let app = UiApp::spawn().await;
    app.seed(None).await;
    for (path, expected) in [
        ("/ui/", 200),
        ("/ui/metrics", 200),
        ("/ui/incidents/INC-1", 200),
        ("/ui/incidents/INC-3", 200),
        ("/ui/login", 200),
        ("/ui/style.css", 200),
        ("/ui/incidents/INC-1/timeline.csv", 200),
        ("/ui/?severity=sev9", 400),
        ("/ui/incidents/INC-99", 404),
        ("/", 303),
    ] {
        let (status, body) = secured(&app, path).await;
        assert_eq!(status, expected, "{path}: {body}");
        if path != "/ui/style.css" {
            // The policy allows no inline script or style: the pages must need none.
            for inline in ["<script", "<style", "style=", "javascript:", " onclick=", " onload="] {
                assert!(!body.contains(inline), "{path} holds `{inline}`: {body}");
            }
        }
    }

    let guarded = UiApp::spawn_with(|settings| {
        settings.api_token = Some(sima_server::settings::Secret::new("ui-token-for-tests".to_owned()))
    })
    .await;
    let (status, _) = secured(&guarded, "/ui/metrics").await;
    assert_eq!(status, 303, "the sign-in redirect carries them too");
    let (status, html) = secured(&guarded, "/ui/login").await;
    assert_eq!(status, 200);
    assert!(html.contains("form") && !html.contains("style="), "{html}");
}

#[tokio::test]
async fn stored_addresses_that_are_not_web_links_are_shown_as_text() {
    let app = UiApp::spawn().await;
    app.seed(None).await;
    app.wait_for_idle_outbox().await;
    // The log-only chat records rooms at `log://rooms/…`: no browser can open that.
    let (status, html) = app.get("/ui/incidents/INC-1").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"<span class="room">Room #"#) && html.contains("log://rooms/"), "{html}");
    assert!(!html.contains(r#"href="log:"#), "{html}");
    assert!(
        html.contains(r#"<a class="postmortem" href="http://127.0.0.1:3000/postmortems/INC-1.md">"#),
        "the post-mortem's web address stays a link: {html}"
    );

    app.store_in_incident("INC-1", "$.room.url", json!("javascript:alert(document.cookie)")).await;
    app.store_in_incident("INC-2", "$.room.url", json!("https://chat.example/rooms/C2")).await;
    app.store_in_incident("INC-1", "$.postmortem", json!({ "id": "INC-1", "url": " JavaScript:alert(1)" })).await;
    let (_, html) = app.get("/ui/incidents/INC-1").await;
    assert!(!html.to_ascii_lowercase().contains("href=\"javascript:"), "{html}");
    assert!(!html.to_ascii_lowercase().contains("href=\" javascript:"), "{html}");
    assert!(html.contains(r#"<span class="room">Room #"#) && html.contains("javascript:alert(document.cookie)"));
    assert!(html.contains(r#"<span class="postmortem">Post-mortem ("#), "{html}");
    let (_, html) = app.get("/ui/incidents/INC-2").await;
    assert!(
        html.contains(r#"<a class="room" href="https://chat.example/rooms/C2">Room #"#),
        "web links stay links: {html}"
    );
}
