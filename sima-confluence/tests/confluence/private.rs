//! Private incidents' post-mortems: under the private parent page when one
//! is configured, looked up there before a create; under the normal parent
//! when none is.

use serde_json::{json, Value};
use sima_confluence::ConfluenceDocs;
use sima_core::model::Document;
use sima_core::ports::DocsPort;
use wiremock::MockServer;

use crate::helpers::{config, document, Space, EMAIL, SPACE};

const PARENT: &str = "557057";
const PRIVATE_PARENT: &str = "557099";

/// The sample document of incident `number`, private or not.
fn post_mortem(number: &str, private: bool) -> Document {
    let mut document = document();
    document.title = format!("Post-mortem {number}");
    document.properties.number = number.to_owned();
    document.private = private;
    document
}

/// An adapter with a normal parent, and a private one when `private_parent` is set.
async fn adapter(private_parent: Option<&str>) -> (MockServer, Space, ConfluenceDocs) {
    let server = MockServer::start().await;
    let space = Space::new(None, 0);
    space.mount(&server).await;
    let mut config = config(&server).with_email(EMAIL).with_parent_id(PARENT);
    if let Some(private_parent) = private_parent {
        config = config.with_private_parent_id(private_parent);
    }
    (server, space.clone(), ConfluenceDocs::new(config).unwrap())
}

/// The `(title, parentId)` of each create Confluence received, in order.
async fn creates(server: &MockServer) -> Vec<(String, String)> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .map(|body| {
            assert_eq!(body["spaceId"], SPACE, "{body}");
            (body["title"].as_str().unwrap().to_owned(), body["parentId"].as_str().unwrap_or("(none)").to_owned())
        })
        .collect()
}

#[tokio::test]
async fn a_private_post_mortem_is_created_under_the_private_parent_and_a_public_one_under_the_normal_parent() {
    let (server, _space, docs) = adapter(Some(PRIVATE_PARENT)).await;

    docs.create_postmortem(&post_mortem("INC-7", true)).await.unwrap();
    docs.create_postmortem(&post_mortem("INC-8", false)).await.unwrap();

    assert_eq!(
        creates(&server).await,
        [
            ("Post-mortem INC-7".to_owned(), PRIVATE_PARENT.to_owned()),
            ("Post-mortem INC-8".to_owned(), PARENT.to_owned())
        ]
    );
}

#[tokio::test]
async fn without_a_private_parent_a_private_post_mortem_goes_under_the_normal_parent() {
    let (server, _space, docs) = adapter(None).await;

    docs.create_postmortem(&post_mortem("INC-7", true)).await.unwrap();

    assert_eq!(creates(&server).await, [("Post-mortem INC-7".to_owned(), PARENT.to_owned())]);
}

#[tokio::test]
async fn a_retried_private_post_mortem_is_found_under_the_private_parent_not_made_twice() {
    let (server, space, docs) = adapter(Some(PRIVATE_PARENT)).await;
    space.pages.lock().unwrap().push(json!({
        "id": "557070", "status": "current", "title": "Post-mortem INC-7", "spaceId": SPACE,
        "parentId": PRIVATE_PARENT, "_links": { "webui": "/spaces/SEC/pages/557070" },
    }));

    let found = docs.create_postmortem(&post_mortem("INC-7", true)).await.unwrap();

    assert_eq!(found.id, "557070");
    assert!(creates(&server).await.is_empty(), "no second page");
}

#[tokio::test]
async fn a_private_post_mortem_is_never_taken_for_a_page_outside_the_private_parent() {
    let (server, space, docs) = adapter(Some(PRIVATE_PARENT)).await;
    space.pages.lock().unwrap().push(json!({
        "id": "557071", "status": "current", "title": "Post-mortem INC-7", "spaceId": SPACE,
        "parentId": PARENT, "_links": { "webui": "/spaces/OPS/pages/557071" },
    }));

    let answer = docs.create_postmortem(&post_mortem("INC-7", true)).await;

    assert!(answer.is_err(), "the page readable by the whole space is not linked: {answer:?}");
    assert_eq!(creates(&server).await, [("Post-mortem INC-7".to_owned(), PRIVATE_PARENT.to_owned())]);
}
