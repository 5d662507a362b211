//! Fake Microsoft Graph, Bot Framework Connector and token endpoint on one
//! local port, each call answered after a fixed delay, as the war-room bench
//! needs them: when each call arrived and was answered, and for which
//! incident (the bench case in the channel name or the card's summary).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub(crate) const TENANT: &str = "8d3c1f2a-5b6e-4c7d-9e0f-1a2b3c4d5e6f";
pub(crate) const TEAM: &str = "2f9a8b7c-6d5e-4f3a-8b1c-0d9e8f7a6b5c";
pub(crate) const BROADCAST: &str = "19:production-issues@thread.tacv2";

/// One call a fake answered.
#[derive(Debug, Clone)]
pub(crate) struct TeamsCall {
    /// `channels.create`, `card`, `broadcast`, `reply`, `update`, `users.get`, `token`.
    pub(crate) step: String,
    /// Lowercase text naming the incident (channel name, card summary).
    pub(crate) subject: String,
    pub(crate) received: Instant,
    pub(crate) answered: Instant,
}

#[derive(Default)]
struct Fake {
    delay: Duration,
    next: AtomicU64,
    names: Mutex<HashMap<String, String>>,
    calls: Mutex<Vec<TeamsCall>>,
}

impl Fake {
    async fn answer(&self, step: &str, subject: String, received: Instant) {
        tokio::time::sleep(self.delay).await;
        let call =
            TeamsCall { step: step.to_owned(), subject: subject.to_lowercase(), received, answered: Instant::now() };
        self.calls.lock().expect("calls").push(call);
    }

    fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1_700_000_000_000
    }
}

async fn token(State(fake): State<Arc<Fake>>) -> impl IntoResponse {
    fake.answer("token", String::new(), Instant::now()).await;
    Json(json!({ "token_type": "Bearer", "expires_in": 3599, "access_token": "bench-token" }))
}

async fn create_channel(State(fake): State<Arc<Fake>>, body: Bytes) -> impl IntoResponse {
    let received = Instant::now();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let name = body["displayName"].as_str().unwrap_or_default().to_owned();
    let id = format!("19:{}@thread.tacv2", fake.next());
    fake.names.lock().expect("names").insert(id.clone(), name.clone());
    fake.answer("channels.create", name.clone(), received).await;
    let channel = json!({ "id": id, "displayName": name, "description": body["description"], "webUrl": "https://teams.microsoft.com/l/channel/x" });
    (StatusCode::CREATED, Json(channel))
}

async fn user(State(fake): State<Arc<Fake>>, Path(id): Path<String>) -> impl IntoResponse {
    fake.answer("users.get", String::new(), Instant::now()).await;
    Json(json!({ "id": id, "displayName": "Bench Reporter" }))
}

async fn archive(State(fake): State<Arc<Fake>>) -> impl IntoResponse {
    fake.answer("channels.archive", String::new(), Instant::now()).await;
    StatusCode::ACCEPTED
}

async fn new_thread(State(fake): State<Arc<Fake>>, body: Bytes) -> impl IntoResponse {
    let received = Instant::now();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let channel = body["channelData"]["channel"]["id"].as_str().unwrap_or_default().to_owned();
    let (step, subject) = if channel == BROADCAST {
        ("broadcast", body["activity"]["summary"].as_str().unwrap_or_default().to_owned())
    } else {
        ("card", fake.names.lock().expect("names").get(&channel).cloned().unwrap_or_default())
    };
    let id = fake.next();
    fake.answer(step, subject, received).await;
    (StatusCode::CREATED, Json(json!({ "id": format!("{channel};messageid={id}"), "activityId": id.to_string() })))
}

async fn in_thread(State(fake): State<Arc<Fake>>) -> impl IntoResponse {
    let id = fake.next();
    fake.answer("reply", String::new(), Instant::now()).await;
    Json(json!({ "id": id.to_string() }))
}

async fn update(State(fake): State<Arc<Fake>>) -> impl IntoResponse {
    fake.answer("update", String::new(), Instant::now()).await;
    Json(json!({ "id": "updated" }))
}

/// Graph (`/v1.0`), the Connector (`/v3`) and the token endpoint on one local port.
pub(crate) struct TeamsFakes {
    base: String,
    fake: Arc<Fake>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TeamsFakes {
    /// Starts the fakes on 127.0.0.1, every call answered after `delay`.
    pub(crate) async fn start(delay: Duration) -> Self {
        let fake = Arc::new(Fake { delay, ..Fake::default() });
        let app = Router::new()
            .route(&format!("/{TENANT}/oauth2/v2.0/token"), post(token))
            .route(&format!("/v1.0/teams/{TEAM}/channels"), post(create_channel))
            .route(&format!("/v1.0/teams/{TEAM}/channels/{{channel}}/archive"), post(archive))
            .route("/v1.0/users/{id}", get(user))
            .route("/v3/conversations", post(new_thread))
            .route("/v3/conversations/{conversation}/activities", post(in_thread))
            .route("/v3/conversations/{conversation}/activities/{activity}", post(in_thread).put(update))
            .with_state(fake.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the Teams fakes");
        let base = format!("http://{}", listener.local_addr().expect("fake address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            serve.await.expect("Teams fakes serve");
        });
        Self { base, fake, stop: Some(stop), task: Some(task) }
    }

    /// The `SIMA_*` variables of a server whose chat is these fakes.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        [
            ("SIMA_CHAT", "teams".to_owned()),
            ("SIMA_TEAMS_TENANT_ID", TENANT.to_owned()),
            ("SIMA_TEAMS_APP_ID", "a1b2c3d4-0000-4000-8000-00000000b07".to_owned()),
            ("SIMA_TEAMS_APP_PASSWORD", "bench-app-password".to_owned()),
            ("SIMA_TEAMS_TEAM_ID", TEAM.to_owned()),
            ("SIMA_TEAMS_BROADCAST_CHANNEL", BROADCAST.to_owned()),
            ("SIMA_TEAMS_GRAPH_URL", format!("{}/v1.0", self.base)),
            ("SIMA_TEAMS_CONNECTOR_URL", self.base.clone()),
            ("SIMA_TEAMS_TOKEN_URL", format!("{}/{TENANT}/oauth2/v2.0/token", self.base)),
            ("SIMA_TEAMS_OPENID_URL", format!("{}/openid", self.base)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// Every call so far, in the order they were answered.
    pub(crate) fn calls(&self) -> Vec<TeamsCall> {
        self.fake.calls.lock().expect("calls").clone()
    }

    /// Stops serving.
    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
