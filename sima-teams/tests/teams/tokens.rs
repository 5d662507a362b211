//! Client-credentials tokens: one per scope, cached until shortly before expiry.

use std::collections::HashMap;
use std::time::Duration;

use sima_core::domain::RoomId;
use sima_core::ports::{ChatPort, RoomSpec};
use sima_core::testkit::messages::warning;

use crate::helpers::{received, token_calls, Teams, APP_ID, SECRET, TOKEN_PATH};

fn form(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes(body).unwrap()
}

#[tokio::test]
async fn one_token_per_scope_serves_many_calls() {
    let teams = Teams::start().await;
    let chat = teams.chat();
    for n in 0..3 {
        let spec =
            RoomSpec { name_hint: format!("incident_{n}"), topic: String::new(), key: format!("k{n}"), private: false };
        chat.create_room(&spec).await.unwrap();
        chat.post(&RoomId::new("19:r@thread.tacv2"), &warning("x")).await.unwrap();
    }
    assert_eq!(token_calls(&teams).await, 2, "one token for Graph, one for the Connector");
    let requests = received(&teams.login, "POST", TOKEN_PATH).await;
    let mut scopes: Vec<String> = requests
        .iter()
        .map(|r| {
            let form = form(&r.body);
            assert_eq!(form["grant_type"], "client_credentials");
            assert_eq!(form["client_id"], APP_ID);
            assert_eq!(form["client_secret"], SECRET);
            form["scope"].clone()
        })
        .collect();
    scopes.sort();
    assert_eq!(scopes, ["https://api.botframework.com/.default", "https://graph.microsoft.com/.default"]);
}

#[tokio::test]
async fn a_token_is_fetched_again_when_it_is_about_to_expire() {
    let teams = Teams {
        graph: wiremock::MockServer::start().await,
        connector: wiremock::MockServer::start().await,
        login: wiremock::MockServer::start().await,
    };
    teams.mount_tokens(1).await;
    teams.mount_connector().await;
    let chat = teams.chat();
    let room = RoomId::new("19:r@thread.tacv2");
    chat.post(&room, &warning("x")).await.unwrap();
    chat.post(&room, &warning("x")).await.unwrap();
    assert_eq!(token_calls(&teams).await, 1);
    tokio::time::sleep(Duration::from_millis(700)).await;
    chat.post(&room, &warning("x")).await.unwrap();
    assert_eq!(token_calls(&teams).await, 2);
}

#[tokio::test]
async fn a_token_the_connector_refuses_is_not_used_again() {
    let teams = Teams::bare().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(401))
        .up_to_n_times(1)
        .mount(&teams.connector)
        .await;
    teams.mount_connector().await;
    let chat = teams.chat();
    let room = RoomId::new("19:r@thread.tacv2");
    let refused = chat.post(&room, &warning("x")).await;
    assert!(matches!(refused, Err(sima_core::ports::PortError::Unauthorized(_))), "{refused:?}");
    chat.post(&room, &warning("x")).await.unwrap();
    assert_eq!(token_calls(&teams).await, 2, "a new token after the 401");
}
