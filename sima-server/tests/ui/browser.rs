//! The dashboard in a real browser: Chromium driven by chromedriver over the
//! WebDriver protocol. Outside CI, a machine without them skips with a notice;
//! with `CI=true`, missing browsers fail the test. Screenshots go to
//! `target/ui-screenshots/`; `SIMA_UPDATE_DOCS_SCREENSHOT=1` also copies the
//! metrics page to `docs/metrics-page.png` for the README.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use crate::helpers::UiApp;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver on a free port in a process group of its own, which is
/// killed with the browsers it started when dropped.
struct Driver {
    child: Child,
    url: String,
    http: reqwest::Client,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the browsers are installed; fails in CI when they are not.
fn browsers_present() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {CHROMIUM} or {CHROMEDRIVER} is missing: install chromium and chromium-driver"
        );
        eprintln!("skipping the browser test: install chromium and chromium-driver to run it");
    }
    present
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Driver {
    async fn start() -> Self {
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        while http.get(format!("{url}/status")).send().await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "chromedriver did not answer");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("a profile directory");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1700",
        ]
        .map(str::to_owned)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        }}});
        let mut driver = Self { child, url, http, session: String::new(), _profile: profile };
        let created = driver.call("POST", "/session", capabilities).await;
        driver.session = created["sessionId"].as_str().expect("a session id").to_owned();
        driver
    }

    /// One WebDriver command; its `value`.
    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.url)
        } else {
            format!("{}/session/{}{path}", self.url, self.session)
        };
        let request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).json(&body),
        };
        let response: Value = request.send().await.expect("chromedriver answers").json().await.expect("JSON");
        assert!(response["value"].get("error").is_none(), "{method} {path}: {response}");
        response["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url })).await;
    }

    async fn script(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", json!({ "script": script, "args": [] })).await
    }

    async fn text(&self) -> String {
        self.script("return document.body.innerText").await.as_str().unwrap_or_default().to_owned()
    }

    async fn url(&self) -> String {
        self.call("GET", "/url", Value::Null).await.as_str().unwrap_or_default().to_owned()
    }

    /// Waits (at most 5 s) until the address contains `part`.
    async fn wait_for_url(&self, part: &str) -> String {
        let started = Instant::now();
        loop {
            let url = self.url().await;
            let ready = self.script("return document.readyState").await;
            if url.contains(part) && ready == "complete" {
                return url;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "the address {url} never contained {part}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the first element matching `css`.
    async fn click(&self, css: &str) {
        let found = self.call("POST", "/element", json!({ "using": "css selector", "value": css })).await;
        let id =
            found.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("an element").to_owned();
        self.call("POST", &format!("/element/{id}/click"), json!({})).await;
    }

    /// Saves a PNG of the window as `name` under the screenshot directory; its path.
    async fn screenshot(&self, name: &str) -> PathBuf {
        let data = self.call("GET", "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD.decode(data.as_str().expect("base64")).expect("a PNG");
        assert!(png.starts_with(b"\x89PNG"), "a PNG image");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("the screenshot directory");
        let path = dir.join(name);
        std::fs::write(&path, png).expect("the screenshot is written");
        path
    }
}

/// `target/ui-screenshots/` of the workspace.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"), PathBuf::from);
    target.join("ui-screenshots")
}

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
    let mtta_hours = (api["mtta"]["mean"].as_f64().unwrap() / 3600.0 * 100.0).round() / 100.0;
    assert_eq!(sum("mttx-per-week", Some("MTTA")), mtta_hours, "one week: its MTTA is the API's");
    assert_eq!(sum("recovery-distribution", None), api["mttr_recovery"]["count"].as_f64().unwrap());
    assert_eq!(sum("open-by-age", None), 2.0, "INC-2 and INC-3 are open");
    let shot = driver.screenshot("metrics.png").await;
    // The README's picture is refreshed on request, so ordinary runs leave the tree clean.
    if std::env::var_os("SIMA_UPDATE_DOCS_SCREENSHOT").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/metrics-page.png");
        std::fs::copy(&shot, &docs).expect("the README screenshot is written");
    }
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
        let claims =
            json!({ "sub": "U0ALICE", "aud": "1234.5678", "nonce": nonce, "https://slack.com/team_id": "T0SIMA" });
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
