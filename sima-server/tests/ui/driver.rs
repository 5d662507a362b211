//! A Chromium driven by chromedriver over the WebDriver protocol. Outside
//! CI, a machine without them skips with a notice; with `CI=true`, missing
//! browsers fail the test. Screenshots go to `target/ui-screenshots/`.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver on a free port in a process group of its own, which is
/// killed with the browsers it started when dropped.
pub(crate) struct Driver {
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
pub(crate) fn browsers_present() -> bool {
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

/// A port nothing listens on now.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Driver {
    pub(crate) async fn start() -> Self {
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
    pub(crate) async fn call(&self, method: &str, path: &str, body: Value) -> Value {
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

    pub(crate) async fn go(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url })).await;
    }

    pub(crate) async fn script(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", json!({ "script": script, "args": [] })).await
    }

    pub(crate) async fn text(&self) -> String {
        self.script("return document.body.innerText").await.as_str().unwrap_or_default().to_owned()
    }

    pub(crate) async fn url(&self) -> String {
        self.call("GET", "/url", Value::Null).await.as_str().unwrap_or_default().to_owned()
    }

    /// Waits (at most 5 s) until the address contains `part`.
    pub(crate) async fn wait_for_url(&self, part: &str) -> String {
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
    pub(crate) async fn click(&self, css: &str) {
        let found = self.call("POST", "/element", json!({ "using": "css selector", "value": css })).await;
        let id =
            found.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("an element").to_owned();
        self.call("POST", &format!("/element/{id}/click"), json!({})).await;
    }

    /// Saves a PNG of the window as `name` under the screenshot directory; its path.
    pub(crate) async fn screenshot(&self, name: &str) -> PathBuf {
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
pub(crate) fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"), PathBuf::from);
    target.join("ui-screenshots")
}
