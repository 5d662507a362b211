//! The dashboard in a real browser (see [`crate::driver`]): the pages, their
//! links, a filter, the charts against the API, and Sign in with Slack.

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::json;

use crate::driver::{browsers_present, free_port, screenshot_dir, Driver};
use crate::helpers::UiApp;

#[tokio::test]
async fn the_dashboard_works_in_a_browser() {
    if !browsers_present() {
        return;
    }
    let started = Instant::now();
    let app = UiApp::spawn().await;
    app.seed(None).await;
    let driver = Driver::start().await;

    driver.go(&format!("{}/", app.address)).await;
    assert_eq!(driver.url().await, format!("{}/ui/", app.address), "/ redirects to the dashboard");
    let list = driver.text().await;
    for number in ["INC-1", "INC-2", "INC-3", "<script>alert(1)</script> in receipts"] {
        assert!(list.contains(number), "{number} in {list}");
    }
    driver.screenshot("incidents.png").await;

    driver.click(r#"a[href="/ui/incidents/INC-1"]"#).await;
    driver.wait_for_url("/ui/incidents/INC-1").await;
    let card = driver.text().await;
    for entry in [
        "Declared as sev1: Card payments fail",
        "Status open → investigating: Looking at the gateway",
        "Status monitoring → resolved: Gateway fixed",
        "12 customers",
    ] {
        assert!(card.contains(entry), "{entry} in {card}");
    }
    driver.screenshot("incident.png").await;

    driver.click("header nav a[href=\"/ui/\"]").await;
    driver.wait_for_url("/ui/").await;
    driver.click(r#"select[name="severity"] option[value="sev2"]"#).await;
    driver.click("form.filters button").await;
    driver.wait_for_url("severity=sev2").await;
    let rows = driver
        .script(r#"return [...document.querySelectorAll("table.incidents tbody a")].map(a => a.textContent)"#)
        .await;
    assert_eq!(rows, json!(["INC-2", "INC-2"]), "INC-2 open and in all incidents, nothing else");

    driver.click(r#"header nav a[href="/ui/metrics"]"#).await;
    driver.wait_for_url("/ui/metrics").await;
    let api = app.api("/api/v1/metrics", None).await;
    let shown = driver
        .script(r#"return Object.fromEntries([...document.querySelectorAll("tr[data-metric]")].map(r => [r.dataset.metric, [Number(r.querySelector("[data-count]").dataset.count), r.querySelector("[data-seconds]").dataset.seconds]]))"#)
        .await;
    for metric in ["mtta", "mttr_recovery", "mttr_repair", "mttd"] {
        assert_eq!(shown[metric][0], api[metric]["count"], "{metric} count");
        // The same f64 on both sides; JSON parsing may land one unit in the
        // last place away, so the two are compared as numbers.
        let page = shown[metric][1].as_str().and_then(|s| s.parse::<f64>().ok());
        let api_mean = api[metric]["mean"].as_f64();
        let same = match (page, api_mean) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            (a, b) => a == b,
        };
        assert!(same, "{metric} mean: page {page:?}, API {api_mean:?}");
    }
    let bars = driver
        .script(r#"return [...document.querySelectorAll("figure.chart rect")].map(r => [r.closest("figure").id, r.dataset.series, Number(r.dataset.value)])"#)
        .await;
    let bars = bars.as_array().expect("bars");
    let sum = |chart: &str, series: Option<&str>| -> f64 {
        bars.iter().filter(|b| b[0] == chart && series.is_none_or(|s| b[1] == s)).map(|b| b[2].as_f64().unwrap()).sum()
    };
    assert_eq!(sum("incidents-per-week", None), 3.0, "every seeded incident is in a week");
    assert_eq!(
        sum("incidents-per-week", None),
        api["incidents"].as_f64().unwrap(),
        "the chart counts what the API counts"
    );
    let unit = driver.script(r#"return document.getElementById("mttx-per-week").dataset.unit"#).await;
    let seconds = match unit.as_str() {
        Some("seconds") => 1.0,
        Some("minutes") => 60.0,
        Some("hours") => 3600.0,
        Some("days") => 86_400.0,
        other => panic!("the MTTx chart's unit: {other:?}"),
    };
    let mtta = api["mtta"]["mean"].as_f64().unwrap() / seconds;
    let shown_mtta = sum("mttx-per-week", Some("MTTA"));
    assert!((shown_mtta - mtta).abs() <= 0.005 + 1e-9, "one week: its MTTA {shown_mtta} {unit} is the API's {mtta}");
    assert_eq!(sum("recovery-distribution", None), api["mttr_recovery"]["count"].as_f64().unwrap());
    assert_eq!(sum("open-by-age", None), 2.0, "INC-2 and INC-3 are open");
    driver.screenshot("metrics.png").await;
    eprintln!("browser test took {:?}; screenshots in {}", started.elapsed(), screenshot_dir().display());
    assert!(started.elapsed() < Duration::from_secs(60), "the browser test stays under a minute");
}

/// A fake Slack identity provider: authorize sends the browser straight back
/// with a code, and the token endpoint signs the nonce it was given in.
#[derive(Clone, Default)]
struct Idp {
    nonce: std::sync::Arc<std::sync::Mutex<String>>,
}

fn query_param(request: &wiremock::Request, name: &str) -> String {
    request.url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap_or_default()
}

struct Authorize(Idp);

impl wiremock::Respond for Authorize {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        *self.0.nonce.lock().unwrap() = query_param(request, "nonce");
        let back =
            format!("{}?code=the-code&state={}", query_param(request, "redirect_uri"), query_param(request, "state"));
        wiremock::ResponseTemplate::new(302).insert_header("location", back.as_str())
    }
}

struct Token(Idp);

impl wiremock::Respond for Token {
    fn respond(&self, _: &wiremock::Request) -> wiremock::ResponseTemplate {
        let nonce = self.0.nonce.lock().unwrap().clone();
        let claims = json!({ "iss": "https://slack.com", "sub": "U0ALICE", "aud": "1234.5678", "nonce": nonce,
                    "exp": chrono::Utc::now().timestamp() + 300, "https://slack.com/team_id": "T0SIMA" });
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
        wiremock::ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "access_token": "xoxp-access", "id_token": format!("e30.{payload}.c2ln"),
        }))
    }
}

#[tokio::test]
async fn signing_in_with_slack_in_a_browser() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    if !browsers_present() {
        return;
    }
    let idp = MockServer::start().await;
    let fake = Idp::default();
    Mock::given(method("GET"))
        .and(path("/openid/connect/authorize"))
        .respond_with(Authorize(fake.clone()))
        .mount(&idp)
        .await;
    Mock::given(method("POST")).and(path("/api/openid.connect.token")).respond_with(Token(fake)).mount(&idp).await;
    Mock::given(method("GET"))
        .and(path("/api/openid.connect.userInfo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "sub": "U0ALICE", "https://slack.com/team_id": "T0SIMA",
        })))
        .mount(&idp)
        .await;
    let port = free_port();
    let uri = idp.uri();
    let app = UiApp::spawn_with(|s| {
        s.listen = format!("127.0.0.1:{port}");
        s.public_url = format!("http://127.0.0.1:{port}");
        s.ui.slack_client_id = Some("1234.5678".into());
        s.ui.slack_client_secret = Some(sima_server::settings::Secret::new("client-secret-for-tests".to_owned()));
        s.ui.slack_authorize_url = Some(format!("{uri}/openid/connect/authorize"));
        s.slack.api_url = Some(format!("{uri}/api"));
        s.slack.team_id = Some("T0SIMA".into());
    })
    .await;
    app.seed(None).await;
    let driver = Driver::start().await;

    driver.go(&format!("{}/ui/", app.address)).await;
    driver.wait_for_url("/ui/login").await;
    driver.screenshot("sign-in.png").await;
    driver.click("a.slack").await;
    driver.wait_for_url("/ui/").await;
    let started = Instant::now();
    let mut text = driver.text().await;
    while !text.contains("Signed in with slack:U0ALICE") && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        text = driver.text().await;
    }
    assert!(text.contains("Signed in with slack:U0ALICE") && text.contains("INC-3"), "{text}");
    assert!(driver.url().await.ends_with("/ui/"), "back where the sign-in started");
}
