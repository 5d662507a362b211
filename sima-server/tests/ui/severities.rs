//! Severity labels on the dashboard: the list, the incident page and the
//! metrics page show the company's labels (`P1`), while URLs and filters
//! keep the stable values (`sev1`).

use sima_server::Settings;

use crate::helpers::UiApp;

/// A server whose `sev1` reads "P1" and `sev2` reads "P2"; `sev3` keeps its own name.
async fn labelled() -> UiApp {
    let file: Settings = toml::from_str(
        "[severities]\nsev1 = { label = \"P1\", description = \"Customer-facing outage\" }\nsev2 = { label = \"P2\" }\n",
    )
    .expect("valid severities");
    let app = UiApp::spawn_with(|settings| settings.severities = file.severities).await;
    app.seed(None).await;
    app
}

/// The `INC-n`s linked from a page, in order.
fn numbers_in(html: &str) -> Vec<String> {
    html.split("href=\"/ui/incidents/").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect()
}

const P1_BADGE: &str = r#"<span class="sev sev1" title="sev1 · Customer-facing outage">P1</span>"#;

#[tokio::test]
async fn the_list_shows_labels_and_filters_by_the_stable_value() {
    let app = labelled().await;
    let (status, html) = app.get("/ui/").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(P1_BADGE), "{html}");
    assert!(html.contains(r#"<span class="sev sev2" title="sev2 · "#) && html.contains(">P2</span>"), "{html}");
    assert!(html.contains(r#"title="sev3 · "#) && html.contains(">sev3</span>"), "an unlabelled level keeps its name");
    assert!(html.contains(r#"<option value="sev1">P1</option>"#), "{html}");
    assert!(!html.contains(">sev1<"), "sev1 is read as P1 everywhere: {html}");

    let (status, html) = app.get("/ui/?severity=sev1&period=all").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(numbers_in(&html), ["INC-1"]);
    assert!(html.contains(r#"<option value="sev1" selected>P1</option>"#), "{html}");
    let (status, html) = app.get("/ui/?severity=P1").await;
    assert_eq!(status, 400, "a label is not a filter value: {html}");
    assert!(html.contains("`severity`"), "{html}");
}

#[tokio::test]
async fn the_incident_page_shows_the_label() {
    let app = labelled().await;
    let (status, html) = app.get("/ui/incidents/INC-1").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("<dt>Severity</dt><dd>{P1_BADGE}</dd>")), "{html}");
    let incident = app.api("/api/v1/incidents/INC-1", None).await;
    assert_eq!(incident["severity"], "sev1", "the API keeps the stable value");
}

#[tokio::test]
async fn the_metrics_page_offers_labels_and_names_its_series_by_them() {
    let app = labelled().await;
    let (status, html) = app.get("/ui/metrics?severity=sev2&period=all").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"<option value="sev2" selected>P2</option>"#), "{html}");
    assert!(html.contains(r#"<option value="sev1">P1</option>"#), "{html}");
    assert!(html.contains(r#"<span id="incidents">1</span>"#), "the filter still works by value: {html}");
    let (_, html) = app.get("/ui/metrics?period=all").await;
    assert!(html.contains(r#"<span class="key sev1">P1</span>"#), "the legend: {html}");
    assert!(html.contains(r#"<span class="key sev3">sev3</span>"#), "{html}");
}
