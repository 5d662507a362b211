//! The pages, the exports and the redirect, over plain HTTP.

use crate::helpers::UiApp;

/// The `INC-n`s of the rows of a table, in order.
fn numbers_in(html: &str) -> Vec<String> {
    html.split("href=\"/ui/incidents/").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect()
}

#[tokio::test]
async fn the_root_redirects_to_the_dashboard() {
    let app = UiApp::spawn().await;
    let response = app.http.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/ui/");
    let (status, css) = app.get("/ui/style.css").await;
    assert_eq!(status, 200);
    assert!(css.contains("figure.chart"));
}

#[tokio::test]
async fn the_list_shows_open_incidents_first_and_filters() {
    let app = UiApp::spawn().await;
    app.seed(None).await;
    let (status, html) = app.get("/ui/").await;
    assert_eq!(status, 200, "{html}");
    let (open, all) = html.split_once("All incidents").expect("two sections");
    assert_eq!(numbers_in(open), ["INC-3", "INC-2"], "open ones, newest first");
    assert_eq!(numbers_in(all), ["INC-3", "INC-2", "INC-1"]);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>"),
        "summaries are escaped"
    );

    let (_, html) = app.get("/ui/?status=&severity=sev1&domain=&period=30d").await;
    assert_eq!(numbers_in(&html), ["INC-1"], "no open sev1, one sev1 in all");
    assert!(html.contains(r#"<option value="sev1" selected>"#), "the form keeps the filter");
    let (_, html) = app.get("/ui/?status=investigating").await;
    assert!(!html.contains("Open now"));
    assert_eq!(numbers_in(&html), ["INC-2"]);
    let (status, html) = app.get("/ui/?severity=sev9").await;
    assert_eq!(status, 400);
    assert!(html.contains("`severity`"), "{html}");
}

#[tokio::test]
async fn the_list_pages_with_a_cursor() {
    let app = UiApp::spawn().await;
    for n in 1..=52 {
        let number = app.declare(None, "search", "sev4", &format!("Probe {n}")).await;
        app.status(None, &number, "false_positive", "noise").await;
    }
    let (_, first) = app.get("/ui/").await;
    let rows = numbers_in(&first);
    assert_eq!((rows.len(), rows[0].as_str(), rows[49].as_str()), (50, "INC-52", "INC-3"));
    let next = first.split("rel=\"next\" href=\"").nth(1).and_then(|r| r.split('"').next()).expect("a next link");
    assert_eq!(next, "/ui/?cursor=INC-3");
    let (_, second) = app.get(next).await;
    assert_eq!(numbers_in(&second), ["INC-2", "INC-1"]);
    assert!(!second.contains("rel=\"next\""), "the last page links no further");
}

#[tokio::test]
async fn the_incident_page_shows_the_card_timeline_and_actions() {
    let app = UiApp::spawn().await;
    app.seed(None).await;
    let (status, html) = app.get("/ui/incidents/INC-1").await;
    assert_eq!(status, 200, "{html}");
    for expected in [
        "INC-1: Card payments fail",
        "sev1",
        "12 customers",
        "Status open → investigating: Looking at the gateway",
        "Status monitoring → resolved: Gateway fixed",
        "/ui/incidents/INC-1/timeline.md",
        "No action item yet.",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    let (_, html) = app.get("/ui/incidents/INC-3").await;
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    assert_eq!(app.get("/ui/incidents/INC-99").await.0, 404);
    assert_eq!(app.get("/ui/incidents/nonsense").await.0, 404);
}

#[tokio::test]
async fn the_timeline_exports_as_markdown_and_csv() {
    let app = UiApp::spawn().await;
    app.seed(None).await;
    let response = app.http.get(format!("{}/ui/incidents/INC-1/timeline.csv", app.address)).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("INC-1-timeline.csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "seq,at,actor,kind,description");
    assert!(
        lines[1].starts_with("1,") && lines[1].contains(",api,declared,Declared as sev1: Card payments fail"),
        "{csv}"
    );
    assert!(csv.contains(",api,status_changed,Status open → investigating: Looking at the gateway"), "{csv}");
    let (status, md) = app.get("/ui/incidents/INC-1/timeline.md").await;
    assert_eq!(status, 200);
    assert!(md.starts_with("# INC-1 timeline: Card payments fail\n"), "{md}");
    assert!(md.contains("| api | Status monitoring → resolved: Gateway fixed |"), "{md}");
    // The effect worker may append events between the two downloads: every event of the first is in the second.
    for record in csv.lines().skip(1) {
        let seq = record.split(',').next().unwrap();
        assert!(md.contains(&format!("\n| {seq} | ")), "event {seq} in {md}");
    }
}

#[tokio::test]
async fn the_metrics_page_shows_the_api_numbers_and_charts() {
    let app = UiApp::spawn().await;
    app.seed(None).await;
    let api = app.api("/api/v1/metrics?severity=sev1", None).await;
    let (status, html) = app.get("/ui/metrics?severity=sev1&period=all").await;
    assert_eq!(status, 200, "{html}");
    for metric in ["mtta", "mttr_recovery", "mttr_repair", "mttd"] {
        let row =
            html.split(&format!("data-metric=\"{metric}\"")).nth(1).expect("a row").split("</tr>").next().unwrap();
        let count = row.split("data-count=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
        assert_eq!(count, api[metric]["count"].to_string(), "{metric} count");
        let mean = row.split("data-seconds=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
        let expected = api[metric]["mean"].as_f64().map_or_else(String::new, |v| v.to_string());
        assert_eq!(mean, expected, "{metric} mean");
    }
    assert_eq!(api["mtta"]["count"], 1);
    assert!(html.contains(&format!("<span id=\"incidents\">{}</span>", api["incidents"])));
    for chart in ["mttx-per-week", "incidents-per-week", "recovery-distribution", "open-by-age"] {
        assert!(html.contains(&format!("id=\"{chart}\"")), "{chart}");
    }
    assert!(
        html.contains(r#"data-series="sev1""#) && html.contains(r#"data-label="&lt; 15m" data-value="1""#),
        "{html}"
    );
    let (_, all) = app.get("/ui/metrics").await;
    assert!(
        all.contains(r#"data-series="open incidents" data-label="&lt; 1h" data-value="2""#),
        "two open incidents, both new"
    );
}

#[tokio::test]
async fn without_sign_in_configured_only_loopback_clients_see_the_dashboard() {
    let app = UiApp::spawn().await;
    let response =
        app.http.get(format!("{}/ui/", app.address)).header("x-forwarded-for", "203.0.113.9").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let html = response.text().await.unwrap();
    assert!(html.contains("SIMA_API_TOKEN") && html.contains("SIMA_SLACK_CLIENT_ID"), "{html}");
}

#[tokio::test]
async fn a_client_reloading_the_dashboard_too_fast_is_told_when_to_come_back() {
    let app = UiApp::spawn_with(|settings| {
        settings.limits.requests_per_second = 1;
        settings.limits.burst = 2;
    })
    .await;
    for _ in 0..2 {
        assert_eq!(app.get("/ui/metrics").await.0, 200);
    }
    let response = app.http.get(format!("{}/ui/metrics", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "1");
    let (status, _) = app.get("/ui/login").await;
    assert_eq!(status, 429, "sign-in attempts count against the same budget");
}
