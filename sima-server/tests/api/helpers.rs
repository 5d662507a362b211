//! One real server per test, on a random port, against `wiremock` fakes of
//! Slack, PagerDuty and Notion, over SQLite in a temporary directory or a
//! fresh PostgreSQL database.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sima_core::ports::{Clock, SystemClock};
use sima_server::{Application, Settings};
use sima_slack::socket::testing::SocketServer;
use sima_store_postgres::ScratchDatabase;
use tokio::sync::oneshot;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The Slack app's signing secret the server is configured with.
pub(crate) const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
/// The bearer token of `/webhooks/*`.
pub(crate) const WEBHOOK_TOKEN: &str = "webhook-token-for-tests";
/// The broadcast channel id.
pub(crate) const BROADCAST: &str = "CBROADCAST";
/// The PagerDuty routing key.
pub(crate) const ROUTING_KEY: &str = "R0UTINGKEY00000000000000000000AB";
/// The Notion data source of post-mortems.
pub(crate) const DATA_SOURCE: &str = "d9824bdc-8445-4327-be8b-5b47500af6ce";
/// The base of links in pages and messages.
pub(crate) const PUBLIC_URL: &str = "https://sima.example.com";

/// The Slack app-level token of Socket Mode servers.
pub(crate) const APP_TOKEN: &str = "xapp-1-A0SIMA-1234-0123456789abcdef";

/// How long [`wait_until`] waits by default.
pub(crate) const WAIT: Duration = Duration::from_secs(5);

/// What a test needs from its server.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// PostgreSQL instead of SQLite.
    pub(crate) postgres: bool,
    /// How long the fake Slack takes to answer `chat.postMessage`.
    pub(crate) slow_post_message: Option<Duration>,
}

/// A running server and the fakes it talks to.
pub(crate) struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub(crate) address: String,
    /// The fake Slack Web API (and `response_url`s).
    pub(crate) slack: MockServer,
    /// The fake PagerDuty Events API.
    pub(crate) pagerduty: MockServer,
    /// The fake Notion API.
    pub(crate) notion: MockServer,
    /// A client for the server.
    pub(crate) http: reqwest::Client,
    slack_log: SlackLog,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Kept until the server is gone.
    _database: Database,
}

impl TestApp {
    /// Starts fakes, a database and a server.
    pub(crate) async fn spawn(options: Options) -> Self {
        let fakes = Fakes::start(options.slow_post_message).await;
        let database = if options.postgres { Database::postgres().await } else { Database::sqlite() };
        Self::start(fakes, database, Arc::new(SystemClock)).await
    }

    /// Starts a server over `database`, talking to `fakes`, with time from `clock`.
    /// Logs go to the test output when `SIMA_TEST_LOG` is set (`RUST_LOG` filters them).
    pub(crate) async fn start(fakes: Fakes, database: Database, clock: Arc<dyn Clock>) -> Self {
        Self::start_with(fakes, database, clock, |_| {}).await
    }

    /// Starts fakes, SQLite and a server whose settings `tweak` changes.
    pub(crate) async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> Self {
        let fakes = Fakes::start(None).await;
        Self::start_with(fakes, Database::sqlite(), Arc::new(SystemClock), tweak).await
    }

    /// Starts fakes, SQLite and a server with these `SIMA_*` variables on
    /// top of the usual ones.
    pub(crate) async fn spawn_with_env(vars: &[(&str, &str)]) -> Self {
        let fakes = Fakes::start(None).await;
        let database = Database::sqlite();
        let mut env = fakes.env(&database.url());
        env.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Self::start_from_env(fakes, database, Arc::new(SystemClock), &env, |_| {}).await
    }

    /// Starts fakes, SQLite, a local Socket Mode server (the fake Slack answers
    /// `apps.connections.open` with its URL) and a server with
    /// `SIMA_SLACK_APP_TOKEN` set; without the signing secret when
    /// `signing_secret` is false.
    pub(crate) async fn spawn_socket_mode(signing_secret: bool) -> (Self, SocketServer) {
        let fakes = Fakes::start(None).await;
        let sockets = SocketServer::start().await.expect("a local Socket Mode server");
        Mock::given(method("POST"))
            .and(path("/apps.connections.open"))
            .and(header("authorization", format!("Bearer {APP_TOKEN}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "url": sockets.url() })))
            .with_priority(1)
            .mount(&fakes.slack)
            .await;
        let database = Database::sqlite();
        let mut env = fakes.env(&database.url());
        env.insert("SIMA_SLACK_APP_TOKEN".into(), APP_TOKEN.into());
        if !signing_secret {
            env.remove("SIMA_SLACK_SIGNING_SECRET");
        }
        let app = Self::start_from_env(fakes, database, Arc::new(SystemClock), &env, |_| {}).await;
        (app, sockets)
    }

    /// [`TestApp::start`] with settings changed by `tweak`.
    pub(crate) async fn start_with(
        fakes: Fakes,
        database: Database,
        clock: Arc<dyn Clock>,
        tweak: impl FnOnce(&mut Settings),
    ) -> Self {
        let env = fakes.env(&database.url());
        Self::start_from_env(fakes, database, clock, &env, tweak).await
    }

    async fn start_from_env(
        fakes: Fakes,
        database: Database,
        clock: Arc<dyn Clock>,
        env: &HashMap<String, String>,
        tweak: impl FnOnce(&mut Settings),
    ) -> Self {
        if std::env::var_os("SIMA_TEST_LOG").is_some() {
            sima_server::telemetry::init().expect("SIMA_LOG_FORMAT is json or text");
        }
        let mut settings = Settings::from_env(env).expect("valid test settings");
        settings.listen = "127.0.0.1:0".into();
        if let Database::Sqlite(dir) = &database {
            settings.postmortem_dir = dir.path().join("postmortems");
        }
        tweak(&mut settings);
        let app = Application::build_with_clock(settings, clock).await.expect("the server starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Self {
            address,
            slack: fakes.slack,
            pagerduty: fakes.pagerduty,
            notion: fakes.notion,
            http: reqwest::Client::new(),
            slack_log: fakes.slack_log,
            stop: Some(stop),
            server: Some(server),
            _database: database,
        }
    }

    /// Stops the server gracefully and waits (at most 10 s) until it has
    /// finished its requests and effects in flight.
    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let stopped = tokio::time::timeout(Duration::from_secs(10), server).await;
            stopped.expect("the server stops within 10 s").expect("the server task").expect("a clean stop");
        }
    }

    /// `GET path`.
    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.address)).send().await.expect("the server answers")
    }

    /// `GET path`, expecting 200 and JSON.
    pub(crate) async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("a JSON body")
    }

    /// `POST path` with a JSON body.
    pub(crate) async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.address)).json(body).send().await.expect("the server answers")
    }

    /// `POST path` with a JSON body and the webhook bearer token.
    pub(crate) async fn webhook(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.address))
            .bearer_auth(WEBHOOK_TOKEN)
            .json(body)
            .send()
            .await
            .expect("the server answers")
    }

    /// `POST path` with `body` signed as Slack signs it, now.
    pub(crate) async fn post_signed_slack(&self, path: &str, content_type: &str, body: String) -> reqwest::Response {
        self.post_slack(path, content_type, body, Utc::now().timestamp(), &[]).await
    }

    /// `POST path` signed with the timestamp `at`, with extra headers.
    pub(crate) async fn post_slack(
        &self,
        path: &str,
        content_type: &str,
        body: String,
        at: i64,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let timestamp = at.to_string();
        let signature = sima_slack::sign(&sima_slack::Secret::new(SIGNING_SECRET), &timestamp, body.as_bytes());
        let mut request = self
            .http
            .post(format!("{}{path}", self.address))
            .header("Content-Type", content_type)
            .header("X-Slack-Request-Timestamp", timestamp)
            .header("X-Slack-Signature", signature);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(body).send().await.expect("the server answers")
    }

    /// `/incident <text>` typed by `user` in `channel`.
    pub(crate) async fn slash(&self, user: &str, channel: &str, text: &str) -> reqwest::Response {
        let body = serde_urlencoded::to_string([
            ("token", "verification-token"),
            ("team_id", "T0TEAM"),
            ("channel_id", channel),
            ("user_id", user),
            ("command", "/incident"),
            ("text", text),
            ("response_url", &format!("{}/response_url", self.slack.uri())),
            ("trigger_id", &format!("trigger-{user}-{}", text.len())),
        ])
        .expect("a form body");
        self.post_signed_slack("/slack/commands", "application/x-www-form-urlencoded", body).await
    }

    /// An interactivity request carrying `payload`.
    pub(crate) async fn interaction(&self, payload: &Value) -> reqwest::Response {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).expect("a form body");
        self.post_signed_slack("/slack/interactions", "application/x-www-form-urlencoded", body).await
    }

    /// An Events API delivery.
    pub(crate) async fn event(&self, body: &Value, headers: &[(&str, &str)]) -> reqwest::Response {
        self.post_slack("/slack/events", "application/json", body.to_string(), Utc::now().timestamp(), headers).await
    }

    /// The calls of one Slack Web API method (`chat.postMessage`), oldest first.
    pub(crate) fn slack_calls(&self, method: &str) -> Vec<SlackCall> {
        self.slack_log.calls(method)
    }

    /// The events PagerDuty received (`POST /v2/enqueue` bodies).
    pub(crate) async fn pagerduty_events(&self) -> Vec<Value> {
        json_bodies(&self.pagerduty, "/v2/enqueue").await
    }

    /// The pages created in Notion (`POST /v1/pages` bodies).
    pub(crate) async fn notion_pages(&self) -> Vec<Value> {
        json_bodies(&self.notion, "/v1/pages").await
    }

    /// The incidents `GET /api/v1/incidents` lists.
    pub(crate) async fn incidents(&self) -> Vec<Value> {
        let list = self.get_json("/api/v1/incidents").await;
        list["incidents"].as_array().cloned().expect("an incidents array")
    }

    /// `GET /api/v1/incidents/{id}`.
    pub(crate) async fn incident(&self, id: &str) -> Value {
        self.get_json(&format!("/api/v1/incidents/{id}")).await
    }

    /// The events of `GET /api/v1/incidents/{id}/timeline`.
    pub(crate) async fn timeline(&self, id: &str) -> Vec<Value> {
        let timeline = self.get_json(&format!("/api/v1/incidents/{id}/timeline")).await;
        timeline["events"].as_array().cloned().expect("an events array")
    }

    /// Waits until the incident has a room, and returns the incident.
    pub(crate) async fn wait_for_room(&self, id: &str) -> Value {
        wait_until("the incident room is recorded", || async {
            let incident = self.incident(id).await;
            incident["room"].is_object().then_some(incident)
        })
        .await
    }

    /// Waits until no effect is pending in the outbox.
    pub(crate) async fn wait_for_idle_outbox(&self) {
        wait_until("the outbox is empty", || async {
            let text = self.get("/metrics").await.text().await.ok()?;
            text.lines().any(|l| l == "sima_effects{state=\"pending\"} 0").then_some(())
        })
        .await;
    }
}

/// Polls `check` every 20 ms until it returns `Some`, for at most [`WAIT`].
pub(crate) async fn wait_until<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    wait_at_most(WAIT, what, check).await
}

/// Polls `check` every 20 ms until it returns `Some`, for at most `limit`.
pub(crate) async fn wait_at_most<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out after {limit:?} waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asserts `response` is `status` with the API error shape, and returns its message.
pub(crate) async fn api_error(response: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().expect("a message").to_owned();
    assert!(!message.is_empty());
    message
}

/// The kinds of timeline events, in order.
pub(crate) fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["kind"].as_str()).collect()
}

/// How many timeline events are of `kind`.
pub(crate) fn count_kind(events: &[Value], kind: &str) -> usize {
    kinds(events).iter().filter(|k| **k == kind).count()
}

/// The `action_id`s of the buttons in Block Kit `blocks`, in order.
pub(crate) fn action_ids(blocks: &Value) -> Vec<String> {
    let blocks = blocks.as_array().map(Vec::as_slice).unwrap_or_default();
    blocks
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["action_id"].as_str().map(str::to_owned))
        .collect()
}

/// An RFC 3339 time from a JSON value.
pub(crate) fn time(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().unwrap_or_else(|| panic!("a time, got {value}"));
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}")).with_timezone(&Utc)
}

/// The JSON bodies `server` received at path `at`, oldest first.
pub(crate) async fn json_bodies(server: &MockServer, at: &str) -> Vec<Value> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .filter(|r| r.url.path() == at)
        .map(|r| serde_json::from_slice(&r.body).expect("a JSON request body"))
        .collect()
}

/// One Web API call the fake Slack received, and what it answered.
#[derive(Debug, Clone)]
pub(crate) struct SlackCall {
    /// The JSON body sent.
    pub(crate) request: Value,
    /// The JSON answered.
    pub(crate) response: Value,
}

#[derive(Debug, Clone, Default)]
struct SlackLog(Arc<Mutex<Vec<(String, SlackCall)>>>);

impl SlackLog {
    fn calls(&self, method: &str) -> Vec<SlackCall> {
        let log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        log.iter().filter(|(m, _)| m == method).map(|(_, call)| call.clone()).collect()
    }
}

/// The fake Slack Web API: every method answers `ok`, rooms get fresh ids,
/// messages fresh timestamps; `chat.postMessage` may be slow.
#[derive(Debug, Clone)]
struct FakeSlack {
    log: SlackLog,
    slow_post_message: Option<Duration>,
    slow: SlowMethods,
}

/// Slack methods that answer late, and how late.
#[derive(Debug, Clone, Default)]
struct SlowMethods(Arc<Mutex<HashMap<String, Duration>>>);

impl Respond for FakeSlack {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let method = request.url.path().trim_start_matches('/').to_owned();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let mut log = self.log.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = log.len() + 1;
        let response = match method.as_str() {
            "conversations.create" => {
                json!({ "ok": true, "channel": { "id": format!("CROOM{n:04}"), "name": body["name"] } })
            }
            "chat.postMessage" => {
                json!({ "ok": true, "channel": body["channel"], "ts": format!("1700000000.{n:06}") })
            }
            "conversations.list" => json!({ "ok": true, "channels": [] }),
            _ => json!({ "ok": true }),
        };
        log.push((method.clone(), SlackCall { request: body, response: response.clone() }));
        let answer = ResponseTemplate::new(200).set_body_json(response);
        let slow = self.slow.0.lock().unwrap_or_else(PoisonError::into_inner).get(&method).copied();
        match (slow, self.slow_post_message) {
            (Some(delay), _) => answer.set_delay(delay),
            (None, Some(delay)) if method == "chat.postMessage" => answer.set_delay(delay),
            _ => answer,
        }
    }
}

/// The three fake platforms.
pub(crate) struct Fakes {
    /// Slack Web API.
    pub(crate) slack: MockServer,
    /// PagerDuty Events API v2.
    pub(crate) pagerduty: MockServer,
    /// Notion API.
    pub(crate) notion: MockServer,
    slack_log: SlackLog,
    slow: SlowMethods,
}

impl Fakes {
    /// Makes the fake Slack answer `method` (`pins.add`) only after `delay`.
    pub(crate) fn slow_slack(&self, method: &str, delay: Duration) {
        self.slow.0.lock().unwrap_or_else(PoisonError::into_inner).insert(method.to_owned(), delay);
    }

    /// Starts the fakes.
    pub(crate) async fn start(slow_post_message: Option<Duration>) -> Self {
        let slack = MockServer::start().await;
        let slack_log = SlackLog::default();
        let slow = SlowMethods::default();
        Mock::given(method("POST"))
            .respond_with(FakeSlack { log: slack_log.clone(), slow_post_message, slow: slow.clone() })
            .mount(&slack)
            .await;

        let pagerduty = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/enqueue"))
            .respond_with(|request: &Request| {
                let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
                ResponseTemplate::new(202).set_body_json(json!({
                    "status": "success", "message": "Event processed", "dedup_key": body["dedup_key"]
                }))
            })
            .mount(&pagerduty)
            .await;

        let notion = MockServer::start().await;
        let empty_list = json!({ "object": "list", "results": [], "next_cursor": null, "has_more": false });
        Mock::given(method("POST"))
            .and(path(format!("/v1/data_sources/{DATA_SOURCE}/query")))
            .respond_with(ResponseTemplate::new(200).set_body_json(empty_list.clone()))
            .mount(&notion)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/pages"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "object": "page",
                "id": "59833787-2cf9-4fdf-8782-e53db20768a5",
                "url": "https://www.notion.so/Post-mortem-598337872cf94fdf8782e53db20768a5",
                "in_trash": false
            })))
            .mount(&notion)
            .await;
        Mock::given(path_regex(r"^/v1/blocks/[^/]+/children$"))
            .respond_with(ResponseTemplate::new(200).set_body_json(empty_list))
            .mount(&notion)
            .await;

        Self { slack, pagerduty, notion, slack_log, slow }
    }

    /// The calls of one Slack Web API method, oldest first.
    pub(crate) fn slack_calls(&self, method: &str) -> Vec<SlackCall> {
        self.slack_log.calls(method)
    }

    /// The `SIMA_*` variables of a server using these fakes and `database_url`.
    pub(crate) fn env(&self, database_url: &str) -> HashMap<String, String> {
        [
            ("SIMA_DATABASE_URL", database_url.to_owned()),
            ("SIMA_PUBLIC_URL", PUBLIC_URL.to_owned()),
            ("SIMA_WEBHOOK_TOKEN", WEBHOOK_TOKEN.to_owned()),
            ("SIMA_SLACK_BOT_TOKEN", "xoxb-test-token".to_owned()),
            ("SIMA_SLACK_SIGNING_SECRET", SIGNING_SECRET.to_owned()),
            ("SIMA_SLACK_API_URL", self.slack.uri()),
            ("SIMA_SLACK_BROADCAST_CHANNEL", BROADCAST.to_owned()),
            ("SIMA_PAGERDUTY_EVENTS_URL", format!("{}/v2/enqueue", self.pagerduty.uri())),
            ("SIMA_PAGERDUTY_ROUTING_KEY", ROUTING_KEY.to_owned()),
            ("SIMA_NOTION_API_URL", format!("{}/v1", self.notion.uri())),
            ("SIMA_NOTION_TOKEN", "secret_notion_token".to_owned()),
            ("SIMA_NOTION_DATA_SOURCE_ID", DATA_SOURCE.to_owned()),
            // Scheduled work would keep the outbox busy; the schedule tests turn it on.
            ("SIMA_REMINDER_AFTER", "off".to_owned()),
            ("SIMA_ARCHIVE_AFTER", "off".to_owned()),
            ("SIMA_POSTMORTEM_REMINDER_AFTER", "off".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

/// The store of one test: a SQLite file in a temporary directory, or a
/// PostgreSQL database dropped afterwards.
pub(crate) enum Database {
    /// `sima.db` in a directory removed on drop.
    Sqlite(tempfile::TempDir),
    /// `sima_srv_<uuid>` on the test server.
    Postgres(ScratchDatabase),
}

impl Database {
    /// A fresh SQLite file.
    pub(crate) fn sqlite() -> Self {
        Self::Sqlite(tempfile::tempdir().expect("a temporary directory"))
    }

    /// A fresh database on `SIMA_TEST_DATABASE_URL` (default: the local
    /// server). Tests that call it return early when
    /// [`ScratchDatabase::skipped`].
    pub(crate) async fn postgres() -> Self {
        Self::Postgres(ScratchDatabase::create("sima_srv").await.expect("PostgreSQL tests are not skipped here"))
    }

    /// Its URL, for `SIMA_DATABASE_URL`.
    pub(crate) fn url(&self) -> String {
        match self {
            Self::Sqlite(dir) => format!("sqlite://{}", sqlite_path(dir).display()),
            Self::Postgres(database) => database.url().to_owned(),
        }
    }
}

fn sqlite_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("sima.db")
}
