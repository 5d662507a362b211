//! A real server over SQLite in a temporary directory, with log-only chat and
//! paging, seeded through the API.

use serde_json::{json, Value};
use sima_server::{Application, Settings};
use tokio::sync::oneshot;

/// A running server.
pub(crate) struct UiApp {
    /// `http://127.0.0.1:<port>`.
    pub(crate) address: String,
    /// A client that does not follow redirects.
    pub(crate) http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl UiApp {
    /// Starts a server with default settings changed by `tweak`.
    pub(crate) async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut settings = Settings {
            listen: "127.0.0.1:0".into(),
            database_url: format!("sqlite://{}", dir.path().join("sima.db").display()),
            postmortem_dir: dir.path().join("postmortems"),
            ..Settings::default()
        };
        tweak(&mut settings);
        let app = Application::build(settings).await.expect("the server starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
        Self { address, http, stop: Some(stop), _dir: dir }
    }

    /// Starts a server with default settings.
    pub(crate) async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// `GET path` → (status, body).
    pub(crate) async fn get(&self, path: &str) -> (u16, String) {
        let response = self.http.get(format!("{}{path}", self.address)).send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }

    /// `GET path` as JSON, with the API token when `token` is set.
    pub(crate) async fn api(&self, path: &str, token: Option<&str>) -> Value {
        let mut request = self.http.get(format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the API answers");
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.expect("JSON")
    }

    /// Declares an incident through the API; returns its `INC-n`.
    pub(crate) async fn declare(&self, token: Option<&str>, domain: &str, severity: &str, summary: &str) -> String {
        let mut request = self.http.post(format!("{}/api/v1/incidents", self.address)).json(&json!({
            "domain": domain, "summary": summary, "severity": severity, "impact": 12,
            "description": "Seen by the checkout probes.",
        }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the API answers");
        assert!(response.status().is_success(), "declare: {}", response.status());
        let body: Value = response.json().await.expect("JSON");
        body["number"].as_str().expect("a number").to_owned()
    }

    /// Moves an incident to `status` through the API.
    pub(crate) async fn status(&self, token: Option<&str>, number: &str, status: &str, message: &str) {
        let mut request = self
            .http
            .post(format!("{}/api/v1/incidents/{number}/status", self.address))
            .json(&json!({ "status": status, "message": message }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the API answers");
        assert!(response.status().is_success(), "status {status}: {}", response.status());
    }

    /// Three incidents: INC-1 (sev1, resolved), INC-2 (sev2, investigating), INC-3 (sev3, open,
    /// a summary with markup in it).
    pub(crate) async fn seed(&self, token: Option<&str>) {
        let one = self.declare(token, "payments", "sev1", "Card payments fail").await;
        self.status(token, &one, "investigating", "Looking at the gateway").await;
        self.status(token, &one, "monitoring", "Failed over to the second gateway").await;
        self.status(token, &one, "resolved", "Gateway fixed").await;
        let two = self.declare(token, "search", "sev2", "Search is slow").await;
        self.status(token, &two, "investigating", "Index rebuild").await;
        self.declare(token, "payments", "sev3", "<script>alert(1)</script> in receipts").await;
    }
}

impl Drop for UiApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
