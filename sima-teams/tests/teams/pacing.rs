//! At most four requests a second on one channel: posts to one channel are
//! spaced, posts to another channel do not wait behind them.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sima_core::domain::RoomId;
use sima_core::ports::ChatPort;
use sima_core::testkit::messages::warning;
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::helpers::Teams;

const BUSY: &str = "19:busy@thread.tacv2";
const QUIET: &str = "19:quiet@thread.tacv2";

/// The Connector, noting when each new thread was asked for, and in which channel.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<Vec<(String, Instant)>>>);

impl Respond for Arrivals {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let channel = body["channelData"]["channel"]["id"].as_str().unwrap().to_owned();
        let mut arrivals = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        arrivals.push((channel.clone(), Instant::now()));
        let id = arrivals.len();
        ResponseTemplate::new(201)
            .set_body_json(json!({ "id": format!("{channel};messageid={id}"), "activityId": id.to_string() }))
    }
}

#[tokio::test]
async fn posts_to_one_channel_are_spaced_and_another_channel_does_not_wait() {
    let teams = Teams::bare().await;
    let arrivals = Arrivals::default();
    Mock::given(method("POST"))
        .and(path("/v3/conversations"))
        .respond_with(arrivals.clone())
        .mount(&teams.connector)
        .await;
    let chat = teams.chat();

    let mut posts = Vec::new();
    for n in 0..5 {
        let chat = chat.clone();
        posts.push(tokio::spawn(async move { chat.post(&RoomId::new(BUSY), &warning(format!("update {n}"))).await }));
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let quiet = chat.post(&RoomId::new(QUIET), &warning("elsewhere")).await;
    quiet.unwrap();
    for post in posts {
        post.await.unwrap().unwrap();
    }

    let arrivals = arrivals.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let busy: Vec<Instant> = arrivals.iter().filter(|(c, _)| c == BUSY).map(|(_, at)| *at).collect();
    assert_eq!(busy.len(), 5);
    for pair in busy.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(gap >= Duration::from_millis(200), "posts to one channel {gap:?} apart: {arrivals:?}");
    }
    assert!(busy[4].duration_since(busy[0]) >= Duration::from_millis(950), "five posts take a second");
    let quiet_at = arrivals.iter().position(|(c, _)| c == QUIET).unwrap();
    assert!(quiet_at < 4, "the quiet channel did not queue behind the busy one: {arrivals:?}");
}
