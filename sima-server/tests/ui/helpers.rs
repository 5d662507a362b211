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
    dir: tempfile::TempDir,
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
        Self { address, http, stop: Some(stop), dir }
    }

    /// The SQLite database file, for a second server over the same data.
    pub(crate) fn database(&self) -> std::path::PathBuf {
        self.dir.path().join("sima.db")
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

    /// Waits (at most 5 s) until the effect worker has nothing pending, so
    /// that nothing rewrites an incident behind the test's back.
    pub(crate) async fn wait_for_idle_outbox(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let (_, metrics) = self.get("/metrics").await;
            if metrics.lines().any(|l| l == "sima_effects{state=\"pending\"} 0") {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "the outbox is still busy:\n{metrics}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Sets the field at JSON `path` (`$.room.url`) of the stored incident
    /// `INC-n` to `value`, straight in the database: for what an adapter could
    /// store but no fake here returns (a link of another scheme).
    pub(crate) async fn store_in_incident(&self, number: &str, path: &str, value: Value) {
        let url = format!("sqlite://{}", self.dir.path().join("sima.db").display());
        let pool = sqlx::SqlitePool::connect(&url).await.expect("the server's database");
        let n: i64 = number.trim_start_matches("INC-").parse().expect("INC-n");
        let updated = sqlx::query("UPDATE incidents SET snapshot = json_set(snapshot, ?1, json(?2)) WHERE number = ?3")
            .bind(path)
            .bind(value.to_string())
            .bind(n)
            .execute(&pool)
            .await
            .expect("the update");
        assert_eq!(updated.rows_affected(), 1, "{number} is stored");
        pool.close().await;
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
