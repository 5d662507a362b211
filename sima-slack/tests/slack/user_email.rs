//! `users.info`: an action item's owner's email, for the tracker to assign
//! them its ticket. Sent as a form (Slack ignores a JSON body's arguments
//! on this method); an absent email, an unknown user and a missing scope
//! each answer as the port says.

use sima_core::domain::UserRef;
use sima_core::ports::{ChatPort, PortError};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{chat, TOKEN};

fn bob() -> UserRef {
    UserRef::parse("U024BE7LH").unwrap()
}

async fn answering(status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/users.info"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("user=U024BE7LH"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_owners_email_is_read_from_their_profile() {
    let server = answering(
        200,
        serde_json::json!({
            "ok": true,
            "user": {
                "id": "U024BE7LH", "team_id": "T0G9PQBBK", "name": "bob", "real_name": "Bob Smith",
                "profile": { "real_name": "Bob Smith", "display_name": "bob", "email": "bob@example.com",
                             "image_24": "https://a.slack-edge.com/24.png" },
                "is_bot": false
            }
        }),
    )
    .await;
    assert_eq!(chat(&server).user_email(&bob()).await, Ok(Some("bob@example.com".into())));
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "one users.info call");
}

#[tokio::test]
async fn a_profile_without_an_email_answers_none() {
    for profile in [serde_json::json!({ "real_name": "Bot" }), serde_json::json!({ "email": "" })] {
        let server =
            answering(200, serde_json::json!({ "ok": true, "user": { "id": "U024BE7LH", "profile": profile } })).await;
        assert_eq!(chat(&server).user_email(&bob()).await, Ok(None), "{profile}");
    }
}

#[tokio::test]
async fn an_unknown_user_a_missing_scope_and_an_outage_are_told_apart() {
    let server = answering(200, serde_json::json!({ "ok": false, "error": "user_not_found" })).await;
    assert!(matches!(chat(&server).user_email(&bob()).await, Err(PortError::NotFound(_))));

    let missing = serde_json::json!({ "ok": false, "error": "missing_scope", "needed": "users:read.email" });
    let server = answering(200, missing).await;
    assert!(matches!(chat(&server).user_email(&bob()).await, Err(PortError::Unauthorized(_))));

    let server = answering(503, serde_json::json!({})).await;
    assert!(matches!(chat(&server).user_email(&bob()).await, Err(PortError::Transient(_))));

    let server = MockServer::start().await;
    Mock::given(path("/users.info"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>not json</html>"))
        .mount(&server)
        .await;
    assert!(matches!(chat(&server).user_email(&bob()).await, Err(PortError::Invalid(_))));
}
