//! What the server benchmarks share: fake Slack and PagerDuty endpoints on
//! 127.0.0.1 that record when each call arrived, a real server on a fresh
//! database, a closed-loop load generator, and latency summaries.

// Each bench binary uses part of this module.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use sima_server::{Application, Settings};
use sima_store_postgres::ScratchDatabase;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub mod lean;
pub mod seed;

/// The Slack signing secret the server is configured with.
pub const SIGNING_SECRET: &str = "bench-signing-secret";
/// The bearer token of `/webhooks/*`.
pub const WEBHOOK_TOKEN: &str = "bench-webhook-token";
/// The broadcast channel id.
pub const BROADCAST: &str = "CBROADCAST";
/// The reporter of declarations (invited into each room).
pub const REPORTER: &str = "U0BENCH";

/// `cargo bench` passes `--bench`; `cargo test --benches` does not, and then
/// the binaries do nothing.
pub fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The multi-threaded runtime the server and the load share (one worker per
/// core). Server logs are printed only when `RUST_LOG` is set.
pub fn runtime() -> tokio::runtime::Runtime {
    if std::env::var_os("RUST_LOG").is_some() {
        sima_server::telemetry::init().expect("SIMA_LOG_FORMAT is json or text");
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime")
}

/// One line describing where the numbers come from.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    format!("{cores} cores, {profile} build, server and load generator in one process on 127.0.0.1")
}

// ---------------------------------------------------------------------------
// Fake Slack Web API and PagerDuty Events API.

/// One call a fake received.
#[derive(Debug, Clone)]
pub struct Call {
    /// `conversations.create`, `chat.postMessage`…, or `pagerduty.enqueue`.
    pub method: String,
    /// The method, except that a `chat.postMessage` to [`BROADCAST`] is `broadcast`.
    pub step: String,
    /// The channel id the call acts on (`""` for pages).
    pub channel: String,
    /// Lowercase text identifying the incident: the channel name for calls
    /// in a room, the text of a broadcast, the summary of a page.
    pub subject: String,
    /// When the request arrived.
    pub received: Instant,
    /// When the answer was sent (after the configured delay).
    pub answered: Instant,
}

#[derive(Default)]
struct FakeState {
    delay: Duration,
    /// Every n-th call fails (0: none): a 500, or a 429 with `Retry-After: 1`.
    fail_every: u64,
    calls_seen: AtomicU64,
    faults: AtomicU64,
    next: AtomicU64,
    names: Mutex<HashMap<String, String>>,
    calls: Mutex<Vec<Call>>,
    counts: Mutex<HashMap<String, usize>>,
    /// What `apps.connections.open` answers: a local Socket Mode server.
    socket_url: Mutex<Option<String>>,
}

impl FakeState {
    /// The injected failure for this call, if it is one.
    fn fault(&self) -> Option<axum::response::Response> {
        use axum::response::IntoResponse;
        let n = self.calls_seen.fetch_add(1, Ordering::Relaxed) + 1;
        if self.fail_every == 0 || !n.is_multiple_of(self.fail_every) {
            return None;
        }
        self.faults.fetch_add(1, Ordering::Relaxed);
        Some(if (n / self.fail_every).is_multiple_of(2) {
            (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "slow down").into_response()
        } else {
            (StatusCode::INTERNAL_SERVER_ERROR, "injected failure").into_response()
        })
    }

    fn name_of(&self, channel: &str) -> String {
        self.names.lock().expect("names").get(channel).cloned().unwrap_or_default()
    }

    fn record(&self, method: &str, channel: String, subject: String, received: Instant) {
        let step = if method == "chat.postMessage" && channel == BROADCAST { "broadcast" } else { method };
        *self.counts.lock().expect("counts").entry(step.to_owned()).or_default() += 1;
        let call = Call {
            method: method.to_owned(),
            step: step.to_owned(),
            channel,
            subject,
            received,
            answered: Instant::now(),
        };
        self.calls.lock().expect("calls").push(call);
    }
}

fn text(body: &Value, key: &str) -> String {
    body.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

async fn slack_method(
    State(state): State<Arc<FakeState>>,
    Path(method): Path<String>,
    body: Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Some(fault) = state.fault() {
        return fault;
    }
    let received = Instant::now();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if !state.delay.is_zero() {
        tokio::time::sleep(state.delay).await;
    }
    let n = state.next.fetch_add(1, Ordering::Relaxed) + 1;
    let channel = text(&body, "channel");
    let (answer, channel, subject) = match method.as_str() {
        "conversations.create" => {
            let name = text(&body, "name");
            let id = format!("C{n:09}");
            state.names.lock().expect("names").insert(id.clone(), name.clone());
            (json!({ "ok": true, "channel": { "id": id, "name": name } }), id, name)
        }
        "chat.postMessage" => {
            let subject = if channel == BROADCAST { text(&body, "text") } else { state.name_of(&channel) };
            (json!({ "ok": true, "channel": channel, "ts": format!("{n}.000100") }), channel, subject)
        }
        "conversations.list" => (json!({ "ok": true, "channels": [] }), channel, String::new()),
        "apps.connections.open" => match state.socket_url.lock().expect("socket url").clone() {
            Some(url) => (json!({ "ok": true, "url": url }), channel, String::new()),
            None => (json!({ "ok": false, "error": "invalid_auth" }), channel, String::new()),
        },
        _ => {
            let subject = state.name_of(&channel);
            (json!({ "ok": true }), channel, subject)
        }
    };
    state.record(&method, channel, subject.to_lowercase(), received);
    Json(answer).into_response()
}

async fn pagerduty_enqueue(State(state): State<Arc<FakeState>>, body: Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Some(fault) = state.fault() {
        return fault;
    }
    let received = Instant::now();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if !state.delay.is_zero() {
        tokio::time::sleep(state.delay).await;
    }
    let summary = body.pointer("/payload/summary").and_then(Value::as_str).unwrap_or_default().to_lowercase();
    state.record("pagerduty.enqueue", String::new(), summary, received);
    let answer = json!({ "status": "success", "message": "Event processed", "dedup_key": text(&body, "dedup_key") });
    (StatusCode::ACCEPTED, Json(answer)).into_response()
}

/// Slack (`/api/<method>`) and PagerDuty (`/v2/enqueue`) on one local port,
/// answering every call after `delay`.
pub struct Fakes {
    base: String,
    state: Arc<FakeState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Fakes {
    /// Starts the fakes on 127.0.0.1 (a free port).
    pub async fn start(delay: Duration) -> Self {
        Self::start_failing(delay, 0).await
    }

    /// Like [`Fakes::start`], failing every `fail_every`-th call (20: 5 %),
    /// alternately with a 500 and a 429 carrying `Retry-After: 1`.
    pub async fn start_failing(delay: Duration, fail_every: u64) -> Self {
        let state = Arc::new(FakeState { delay, fail_every, ..FakeState::default() });
        let app = Router::new()
            .route("/api/{method}", post(slack_method))
            .route("/v2/enqueue", post(pagerduty_enqueue))
            .with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the fakes");
        let base = format!("http://{}", listener.local_addr().expect("fake address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            serve.await.expect("fakes serve");
        });
        Self { base, state, stop: Some(stop), task: Some(task) }
    }

    /// `SIMA_SLACK_API_URL`.
    pub fn slack_url(&self) -> String {
        format!("{}/api", self.base)
    }

    /// Makes `apps.connections.open` answer with this WebSocket URL.
    pub fn answer_socket_mode(&self, url: String) {
        *self.state.socket_url.lock().expect("socket url") = Some(url);
    }

    /// `SIMA_PAGERDUTY_EVENTS_URL`.
    pub fn pagerduty_url(&self) -> String {
        format!("{}/v2/enqueue", self.base)
    }

    /// Every call so far, in the order they were answered.
    pub fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().expect("calls").clone()
    }

    /// How many calls of `step` (a method, or `broadcast`) were answered; cheap.
    pub fn count(&self, step: &str) -> usize {
        self.state.counts.lock().expect("counts").get(step).copied().unwrap_or(0)
    }

    /// How many failures were injected.
    pub fn faults(&self) -> u64 {
        self.state.faults.load(Ordering::Relaxed)
    }

    /// Forgets the calls so far.
    pub fn clear(&self) {
        self.state.calls.lock().expect("calls").clear();
        self.state.counts.lock().expect("counts").clear();
    }

    /// Stops serving.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// The case number in a subject: `bench case 00017` (or `bench-case-00017`
/// in a channel name) is case 17.
pub fn case_of(subject: &str) -> Option<usize> {
    let normal = subject.to_lowercase().replace(['-', '_'], " ");
    let (_, rest) = normal.split_once("bench case ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The summary of case `i`, which [`case_of`] finds back in every call.
pub fn case_summary(i: usize) -> String {
    format!("Bench case {i:05}")
}

// ---------------------------------------------------------------------------
// The real server.

/// Which store the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A file in a temporary directory.
    Sqlite,
    /// A fresh database on the local PostgreSQL (`SIMA_TEST_DATABASE_URL`).
    Postgres,
}

impl std::fmt::Display for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        })
    }
}

/// `Application::build` on 127.0.0.1:0 with Slack and PagerDuty pointed at
/// the fakes, served until [`Server::stop`].
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    database: Option<ScratchDatabase>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Builds and starts the server on a fresh database.
    pub async fn start(db: Db, fakes: &Fakes) -> Self {
        Self::start_with_env(db, fakes, &[]).await
    }

    /// [`Server::start`] with these `SIMA_*` variables on top of the usual ones.
    pub async fn start_with_env(db: Db, fakes: &Fakes, extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (database_url, database) = match db {
            Db::Sqlite => (format!("sqlite://{}", dir.path().join("sima.db").display()), None),
            Db::Postgres => {
                let database =
                    ScratchDatabase::create("sima_bench").await.expect("PostgreSQL benchmarks are not skipped");
                (database.url().to_owned(), Some(database))
            }
        };
        let env: HashMap<String, String> = [
            ("SIMA_LISTEN", "127.0.0.1:0".to_owned()),
            ("SIMA_DATABASE_URL", database_url),
            ("SIMA_WEBHOOK_TOKEN", WEBHOOK_TOKEN.to_owned()),
            ("SIMA_SLACK_BOT_TOKEN", "xoxb-bench".to_owned()),
            ("SIMA_SLACK_SIGNING_SECRET", SIGNING_SECRET.to_owned()),
            ("SIMA_SLACK_API_URL", fakes.slack_url()),
            ("SIMA_SLACK_BROADCAST_CHANNEL", BROADCAST.to_owned()),
            ("SIMA_PAGERDUTY_EVENTS_URL", fakes.pagerduty_url()),
            ("SIMA_PAGERDUTY_ROUTING_KEY", "bench-routing-key".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .chain(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
        .collect();
        let mut settings = Settings::from_env(&env).expect("valid settings");
        settings.postmortem_dir = dir.path().join("postmortems");
        // One load generator is one client: lift the per-client budget so the
        // benchmark measures the server, not the rate limit.
        settings.limits.requests_per_second = 1_000_000;
        settings.limits.burst = 1_000_000;
        let app = Application::build(settings).await.expect("the server builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Self { base, stop: Some(stop), task: Some(task), database, _dir: dir }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Shuts the server down (requests and effects in flight finish) and drops its database.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            match tokio::time::timeout(Duration::from_secs(15), task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(error))) => eprintln!("server stopped with an error: {error:#}"),
                Ok(Err(error)) => eprintln!("server task failed: {error}"),
                Err(_) => eprintln!("server did not stop within 15 s"),
            }
        }
        // The database is dropped with `self`.
    }
}

/// An HTTP client with room for `connections` idle connections to the server.
pub fn client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

/// Declares case `i` through `POST /api/v1/incidents` (reporter [`REPORTER`]);
/// returns the incident JSON.
pub async fn declare(http: &reqwest::Client, server: &Server, i: usize) -> Value {
    let body = json!({
        "domain": "payments",
        "summary": case_summary(i),
        "description": "Checkout requests time out for some customers.",
        "severity": "sev2",
        "reporter": REPORTER,
    });
    let response = http.post(server.url("/api/v1/incidents")).json(&body).send().await.expect("declare");
    assert_eq!(response.status(), StatusCode::CREATED, "declaring case {i}");
    response.json().await.expect("incident JSON")
}

/// Waits (at most `limit`) until `done` holds, checking every 2 ms; returns whether it did.
pub async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    done()
}

// ---------------------------------------------------------------------------
// Load and statistics.

/// Runs `total` requests with `concurrency` in flight (closed loop: each of
/// `concurrency` tasks sends its next request when the last one is answered).
/// `request(i)` returns whether request `i` succeeded; the result holds each
/// request's latency and success, and the wall time of the whole run.
pub async fn closed_loop<F, Fut>(total: usize, concurrency: usize, request: F) -> (Vec<(Duration, bool)>, Duration)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (request, next) = (request.clone(), next.clone());
            tokio::spawn(async move {
                let mut samples = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return samples;
                    }
                    let sent = Instant::now();
                    let ok = request(i).await;
                    samples.push((sent.elapsed(), ok));
                }
            })
        })
        .collect();
    let mut samples = Vec::with_capacity(total);
    for task in tasks {
        samples.extend(task.await.expect("a load task"));
    }
    (samples, started.elapsed())
}

/// Sends `total` requests at a steady `per_second` (open loop), at most
/// `max_in_flight` at once. Each latency runs from the request's scheduled
/// time, so a queue in front of a slow server counts against it.
pub async fn paced<F, Fut>(
    total: usize,
    per_second: f64,
    max_in_flight: usize,
    request: F,
) -> (Vec<(Duration, bool)>, Duration)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let request = Arc::new(request);
    let slots = Arc::new(tokio::sync::Semaphore::new(max_in_flight));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let due = started + Duration::from_secs_f64(i as f64 / per_second);
        tokio::time::sleep_until(due.into()).await;
        let slot = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let ok = request(i).await;
            drop(slot);
            (due.elapsed(), ok)
        }));
    }
    let mut samples = Vec::with_capacity(total);
    for task in tasks {
        samples.push(task.await.expect("a request task"));
    }
    (samples, started.elapsed())
}

/// Order statistics of a set of durations.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// How many.
    pub count: usize,
    /// Smallest.
    pub min: Duration,
    /// Median.
    pub p50: Duration,
    /// 90th percentile.
    pub p90: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Largest.
    pub max: Duration,
    /// Mean.
    pub mean: Duration,
}

impl Stats {
    /// Nearest-rank percentiles of `samples` (not empty).
    pub fn of(samples: &[Duration]) -> Self {
        assert!(!samples.is_empty(), "no samples");
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let rank = |p: f64| sorted[((p / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        let total: Duration = sorted.iter().sum();
        Self {
            count: sorted.len(),
            min: sorted[0],
            p50: rank(50.0),
            p90: rank(90.0),
            p99: rank(99.0),
            max: sorted[sorted.len() - 1],
            mean: total / sorted.len() as u32,
        }
    }

    /// `p50 1.23 ms · p90 … · p99 … · max …`.
    pub fn line(&self) -> String {
        format!(
            "p50 {} · p90 {} · p99 {} · max {} (n = {})",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max),
            self.count
        )
    }
}

/// A duration in milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Requests (or items) per second.
pub fn rate(count: usize, wall: Duration) -> f64 {
    count as f64 / wall.as_secs_f64().max(f64::EPSILON)
}
