//! Shared fixtures: a mock Slack, a fixed clock, a recording handler.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use sima_core::chat::{Inbound, InboundHandler, Reply};
use sima_core::ports::{Clock, MockIdempotencyKeys, PortError};
use sima_slack::{Secret, SlackChat, SlackConfig};
use wiremock::MockServer;

pub(crate) const TOKEN: &str = "xoxb-test-token-123";
pub(crate) const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

pub(crate) fn config(server: &MockServer) -> SlackConfig {
    let mut config = SlackConfig::new(Secret::new(TOKEN), Secret::new(SIGNING_SECRET)).with_api_url(server.uri());
    config.timeout_ms = 500;
    config.max_retry_wait_secs = 5;
    config
}

pub(crate) fn chat(server: &MockServer) -> SlackChat {
    SlackChat::new(&config(server)).unwrap()
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

/// A clock stopped at one instant.
pub(crate) struct FixedClock(pub(crate) DateTime<Utc>);

#[async_trait]
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }

    async fn sleep(&self, _duration: Duration) {}
}

/// A store whose idempotency keys live in memory; `down` makes it fail.
pub(crate) fn key_store(down: bool) -> MockIdempotencyKeys {
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let mut store = MockIdempotencyKeys::new();
    let remembered = seen.clone();
    store.expect_remember().returning(move |key, _| {
        if down {
            return Err(PortError::Transient("database restarting".into()));
        }
        Ok(remembered.lock().unwrap().insert(key.to_owned()))
    });
    store.expect_forget_key().returning(move |key| {
        seen.lock().unwrap().remove(key);
        Ok(())
    });
    store
}

/// Records the neutral events it is handed and answers with a fixed reply.
pub(crate) struct Recorder {
    pub(crate) seen: Mutex<Vec<Inbound>>,
    reply: Reply,
}

impl Recorder {
    pub(crate) fn replying(reply: Reply) -> Arc<Self> {
        Arc::new(Self { seen: Mutex::new(Vec::new()), reply })
    }

    pub(crate) fn seen(&self) -> Vec<Inbound> {
        self.seen.lock().unwrap().clone()
    }
}

#[async_trait]
impl InboundHandler for Recorder {
    async fn handle(&self, inbound: Inbound) -> Reply {
        self.seen.lock().unwrap().push(inbound);
        self.reply.clone()
    }
}
