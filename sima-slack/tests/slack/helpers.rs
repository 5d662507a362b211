//! Shared fixtures: a mock Slack, request times, a recording handler, and
//! an engine on fakes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use sima_core::chat::{DeliveryKey, Inbound, InboundHandler, Reply};
use sima_core::testkit::{ChatCall, TestEngine};
use sima_slack::{Secret, SlackChat, SlackConfig};
use wiremock::MockServer;

pub(crate) const TOKEN: &str = "xoxb-test-token-123";
pub(crate) const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

pub(crate) fn config(server: &MockServer) -> SlackConfig {
    let mut config = SlackConfig::new(Secret::new(TOKEN), Secret::new(SIGNING_SECRET)).with_api_url(server.uri());
    config.http.timeout_secs = 1;
    config.http.max_retry_wait_secs = 5;
    config.http.backoff_ms = 10;
    config
}

pub(crate) fn chat(server: &MockServer) -> SlackChat {
    SlackChat::new(config(server)).unwrap()
}

pub(crate) fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(crate) fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// `payload=<json>` as Slack posts interactivity requests.
pub(crate) fn interaction_body(json: &str) -> String {
    serde_urlencoded::to_string([("payload", json)]).unwrap()
}

/// The JSON bodies Slack received for `method`, in order.
pub(crate) async fn bodies(server: &MockServer, method: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == format!("/{method}"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// The bodies sent to `method`, waiting up to 2 s for at least one (for
/// calls made in the background).
pub(crate) async fn eventual_bodies(server: &MockServer, method: &str) -> Vec<Value> {
    for _ in 0..200 {
        let found = bodies(server, method).await;
        if !found.is_empty() {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("Slack never received {method}");
}

/// Methods called, in order.
pub(crate) async fn calls(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.url.path().trim_start_matches('/').to_owned())
        .collect()
}

/// 2018-07-12T18:36:58Z, the moment of Slack's published signature example.
pub(crate) fn vector_time() -> DateTime<Utc> {
    Utc.timestamp_opt(1_531_420_618, 0).unwrap()
}

/// What a [`Recorder`] answers.
type Answering = Box<dyn Fn(&Inbound) -> Reply + Send + Sync>;

/// Records the neutral events it is handed, with their delivery keys, and
/// answers them: with a fixed reply, or by handing them on to the core.
pub(crate) struct Recorder {
    pub(crate) seen: Mutex<Vec<(Inbound, Option<DeliveryKey>)>>,
    answering: Answering,
    core: Option<Arc<dyn InboundHandler>>,
}

impl Recorder {
    pub(crate) fn replying(reply: Reply) -> Arc<Self> {
        Self::answering(move |_| reply.clone())
    }

    /// Answers each event with `answer(event)`.
    pub(crate) fn answering(answer: impl Fn(&Inbound) -> Reply + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Self { seen: Mutex::new(Vec::new()), answering: Box::new(answer), core: None })
    }

    /// Hands every event on to `core` (an engine's inbound handler) and answers what it answers.
    pub(crate) fn around(core: Arc<dyn InboundHandler>) -> Arc<Self> {
        Arc::new(Self { seen: Mutex::new(Vec::new()), answering: Box::new(|_| Reply::Ack), core: Some(core) })
    }

    /// The events handed over, in order.
    pub(crate) fn seen(&self) -> Vec<Inbound> {
        self.seen.lock().unwrap().iter().map(|(inbound, _)| inbound.clone()).collect()
    }

    /// Their delivery keys, in order.
    pub(crate) fn keys(&self) -> Vec<Option<String>> {
        self.seen.lock().unwrap().iter().map(|(_, key)| key.as_ref().map(|k| k.as_str().to_owned())).collect()
    }
}

#[async_trait]
impl InboundHandler for Recorder {
    async fn handle(&self, inbound: Inbound, delivery: Option<DeliveryKey>) -> Reply {
        self.seen.lock().unwrap().push((inbound.clone(), delivery.clone()));
        match &self.core {
            Some(core) => core.handle(inbound, delivery).await,
            None => (self.answering)(&inbound),
        }
    }
}

/// An engine on fakes (its inbound handler acts on each delivery once).
pub(crate) fn engine() -> TestEngine {
    TestEngine::new()
}

/// How many private answers the engine posted in rooms (its answers to mentions).
pub(crate) fn ephemerals(test: &TestEngine) -> usize {
    test.chat.calls().iter().filter(|c| matches!(c, ChatCall::Ephemeral(..))).count()
}

/// Now, as Slack writes request timestamps.
pub(crate) fn now() -> String {
    Utc::now().timestamp().to_string()
}

/// `seconds` from now, as Slack writes request timestamps.
pub(crate) fn now_plus(seconds: i64) -> String {
    (Utc::now().timestamp() + seconds).to_string()
}
