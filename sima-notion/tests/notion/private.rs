//! Private incidents' post-mortems: in the private data source when one is
//! configured, looked up there before a create; in the normal one when none is.

use serde_json::Value;
use sima_core::model::Document;
use sima_core::ports::DocsPort;
use sima_notion::{HttpPolicy, NotionConfig, NotionDocs};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::helpers::{list, ok, page, small_document, CHILDREN_PATH, DATA_SOURCE, PAGE_ID, TOKEN};

const PRIVATE_DATA_SOURCE: &str = "5c0b4e7a-1f2d-4c3b-9a8e-7d6c5b4a3f21";

fn query_path(data_source: &str) -> String {
    format!("/v1/data_sources/{data_source}/query")
}

/// The sample post-mortem, private or not.
fn post_mortem(private: bool) -> Document {
    Document { private, ..small_document() }
}

/// An adapter whose data sources hold no post-mortem yet and take creates,
/// with a private data source when `private` is set.
async fn adapter(private: Option<&str>) -> (MockServer, NotionDocs) {
    let server = MockServer::start().await;
    for source in [DATA_SOURCE, PRIVATE_DATA_SOURCE] {
        Mock::given(method("POST"))
            .and(path(query_path(source)))
            .respond_with(ok(list(vec![], None)))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST")).and(path("/v1/pages")).respond_with(ok(page())).mount(&server).await;
    let mut config = NotionConfig::new(TOKEN, DATA_SOURCE).with_api_url(format!("{}/v1", server.uri()));
    config.http = HttpPolicy { backoff_ms: 0, timeout_secs: 5, ..HttpPolicy::default() };
    if let Some(private) = private {
        config = config.with_private_data_source_id(private);
    }
    (server, NotionDocs::new(config).unwrap())
}

/// `(looked up in, created in)` for each post-mortem written, in order:
/// the data source of each query, and the parent of each create.
async fn destinations(server: &MockServer) -> (Vec<String>, Vec<String>) {
    let requests = server.received_requests().await.unwrap();
    let queried = requests
        .iter()
        .filter_map(|r| r.url.path().strip_prefix("/v1/data_sources/").and_then(|p| p.strip_suffix("/query")))
        .map(str::to_owned)
        .collect();
    let created = requests
        .iter()
        .filter(|r| r.url.path() == "/v1/pages")
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .map(|body| body["parent"]["data_source_id"].as_str().unwrap().to_owned())
        .collect();
    (queried, created)
}

#[tokio::test]
async fn a_private_post_mortem_is_created_in_the_private_data_source_and_a_public_one_in_the_normal_one() {
    let (server, docs) = adapter(Some(PRIVATE_DATA_SOURCE)).await;

    docs.create_postmortem(&post_mortem(true)).await.unwrap();
    docs.create_postmortem(&post_mortem(false)).await.unwrap();

    let (queried, created) = destinations(&server).await;
    assert_eq!(queried, [PRIVATE_DATA_SOURCE, DATA_SOURCE], "each is looked up where it is created");
    assert_eq!(created, [PRIVATE_DATA_SOURCE, DATA_SOURCE]);
}

#[tokio::test]
async fn without_a_private_data_source_a_private_post_mortem_goes_to_the_normal_one() {
    let (server, docs) = adapter(None).await;

    docs.create_postmortem(&post_mortem(true)).await.unwrap();

    assert_eq!(destinations(&server).await, (vec![DATA_SOURCE.to_owned()], vec![DATA_SOURCE.to_owned()]));
}

#[tokio::test]
async fn a_retried_private_post_mortem_is_found_in_the_private_data_source_not_made_twice() {
    let (server, docs) = adapter(Some(PRIVATE_DATA_SOURCE)).await;
    let found = ok(list(vec![page()], None));
    let lookup = Mock::given(method("POST")).and(path(query_path(PRIVATE_DATA_SOURCE))).respond_with(found);
    lookup.with_priority(1).mount(&server).await;
    Mock::given(method("GET")).and(path(CHILDREN_PATH)).respond_with(ok(list(vec![], None))).mount(&server).await;
    Mock::given(method("PATCH")).and(path(CHILDREN_PATH)).respond_with(ok(list(vec![], None))).mount(&server).await;

    let doc = docs.create_postmortem(&post_mortem(true)).await.unwrap();

    assert_eq!(doc.id, PAGE_ID);
    let (queried, created) = destinations(&server).await;
    assert_eq!(queried, [PRIVATE_DATA_SOURCE]);
    assert!(created.is_empty(), "the page found is completed, not made again: {created:?}");
}
