//! `NotionDocs` against a wiremock Notion API.

mod helpers;
mod private;

use std::time::Duration;

use serde_json::{json, Value};
use sima_core::model::DocBlock;
use sima_core::ports::{DocsPort, PortError};
use sima_notion::{NotionConfig, NotionDocs};
use wiremock::ResponseTemplate;

use helpers::{
    error, ok, page, small_document, timeline_document, TestNotion, CHILDREN_PATH, DATA_SOURCE, PAGE_ID, PAGE_URL,
    QUERY_PATH, TOKEN,
};

/// Every `text.content` in `value`, in document order.
fn texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(content)) = map.get("text").and_then(|t| t.get("content")) {
                out.push(content.clone());
            }
            map.values().for_each(|v| texts(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
        _ => {}
    }
}

/// How deep `children` arrays nest below a request's own `children`.
fn nesting(blocks: &[Value]) -> usize {
    blocks
        .iter()
        .map(|block| {
            let kind = block["type"].as_str().unwrap();
            match block[kind]["children"].as_array() {
                Some(children) => 1 + nesting(children),
                None => 0,
            }
        })
        .max()
        .unwrap_or(0)
}

/// Every array of children or rich text in `value` holds at most 100 elements.
fn arrays_within_limit(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.values().all(arrays_within_limit),
        Value::Array(items) => items.len() <= 100 && items.iter().all(arrays_within_limit),
        _ => true,
    }
}

#[tokio::test]
async fn creates_the_page_with_properties_and_blocks() {
    let notion = TestNotion::start().await;
    notion.no_existing_page().await;
    notion.create_succeeds().await;

    let doc = notion.docs.create_postmortem(&small_document()).await.unwrap();

    assert_eq!((doc.id.as_str(), doc.url.as_str()), (PAGE_ID, PAGE_URL));
    let requests = notion.requests().await;
    let calls: Vec<_> = requests.iter().map(|r| format!("{} {}", r.method, r.url.path())).collect();
    assert_eq!(calls, [format!("POST {QUERY_PATH}"), "POST /v1/pages".to_owned()]);
    for request in &requests {
        assert_eq!(request.headers.get("authorization").unwrap(), &format!("Bearer {TOKEN}"));
        assert_eq!(request.headers.get("notion-version").unwrap(), "2025-09-03");
        assert_eq!(request.headers.get("content-type").unwrap(), "application/json");
    }
    assert_eq!(
        serde_json::from_slice::<Value>(&requests[0].body).unwrap(),
        json!({"filter": {"property": "Incident", "rich_text": {"equals": "INC-42"}}, "page_size": 10})
    );
    let expected: Value = serde_json::from_str(include_str!("../fixtures/create_page_request.json")).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&requests[1].body).unwrap(), expected);
}

#[tokio::test]
async fn a_250_event_timeline_is_created_then_appended_in_chunks_of_100() {
    let notion = TestNotion::start().await;
    notion.no_existing_page().await;
    notion.create_succeeds().await;
    notion.append_succeeds().await;
    let document = timeline_document(250);

    notion.docs.create_postmortem(&document).await.unwrap();

    let creates = notion.bodies("POST", "/v1/pages").await;
    let appends = notion.bodies("PATCH", CHILDREN_PATH).await;
    assert_eq!(creates.len(), 1);
    let mut chunks = vec![creates[0]["children"].as_array().unwrap().clone()];
    chunks.extend(appends.iter().map(|a| a["children"].as_array().unwrap().clone()));
    assert_eq!(chunks.iter().map(Vec::len).collect::<Vec<_>>(), [100, 100, 55]);
    for chunk in &chunks {
        assert!(nesting(chunk) <= 2);
    }
    for body in creates.iter().chain(&appends) {
        assert!(arrays_within_limit(body), "an array exceeds 100 elements");
    }

    let mut sent = Vec::new();
    chunks.iter().flatten().for_each(|block| texts(block, &mut sent));
    assert!(sent.iter().all(|t| t.chars().count() <= 2000), "a text exceeds 2000 characters");
    // Nothing lost, nothing reordered: the texts rejoin into the document's.
    let Some(DocBlock::Bullets { items }) = document.blocks.get(3) else { panic!("no timeline") };
    let mut expected = vec!["Summary".to_owned(), "x".repeat(4500), "Timeline".to_owned()];
    expected.extend(items.iter().map(ToString::to_string));
    expected.extend(["Action items".to_owned(), "Alert on queue depth".to_owned()]);
    let mut rejoined = Vec::new();
    for block in chunks.iter().flatten() {
        let mut pieces = Vec::new();
        texts(block, &mut pieces);
        rejoined.push(pieces.concat());
    }
    assert_eq!(rejoined, expected);
}

#[tokio::test]
async fn a_250_row_timeline_table_becomes_tables_of_at_most_100_rows() {
    let notion = TestNotion::start().await;
    notion.no_existing_page().await;
    notion.create_succeeds().await;
    let rows = (0..250)
        .map(|i| {
            vec![
                format!("09:{i:03}").into(),
                format!("event {i}: {}", "y".repeat(if i % 50 == 3 { 2500 } else { 1 })).into(),
            ]
        })
        .collect();
    let mut document = small_document();
    document.blocks = vec![DocBlock::Table { header: vec!["Time".into(), "Event".into()], rows }];

    notion.docs.create_postmortem(&document).await.unwrap();

    let create = &notion.bodies("POST", "/v1/pages").await[0];
    let children = create["children"].as_array().unwrap();
    assert_eq!(children.len(), 3);
    assert_eq!(nesting(children), 1);
    assert!(arrays_within_limit(create));
    let mut row_count = 0;
    for table in children {
        assert_eq!(table["type"], "table");
        assert_eq!(table["table"]["table_width"], 2);
        let rows = table["table"]["children"].as_array().unwrap();
        assert_eq!(rows[0]["table_row"]["cells"][0][0]["text"]["content"], "Time");
        row_count += rows.len() - 1;
    }
    assert_eq!(row_count, 250);
    let mut sent = Vec::new();
    texts(create, &mut sent);
    assert!(sent.iter().all(|t| t.chars().count() <= 2000));
    assert!(notion.bodies("PATCH", CHILDREN_PATH).await.is_empty());
}

#[tokio::test]
async fn an_existing_complete_page_is_returned_without_writing() {
    let notion = TestNotion::start().await;
    notion.existing_page().await;
    notion.page_holds(5, 0).await;

    let doc = notion.docs.create_postmortem(&small_document()).await.unwrap();

    assert_eq!(doc.id, PAGE_ID);
    let writes: Vec<_> = notion.requests().await.into_iter().filter(|r| r.method.as_str() != "GET").collect();
    assert_eq!(writes.len(), 1, "only the lookup: no create, no append");
    assert_eq!(writes[0].url.path(), QUERY_PATH);
}

#[tokio::test]
async fn an_existing_partial_page_gets_only_the_missing_blocks() {
    let notion = TestNotion::start().await;
    notion.existing_page().await;
    notion.page_holds(60, 40).await;
    notion.append_succeeds().await;

    notion.docs.create_postmortem(&timeline_document(250)).await.unwrap();

    assert!(notion.bodies("POST", "/v1/pages").await.is_empty());
    let appends = notion.bodies("PATCH", CHILDREN_PATH).await;
    let sizes: Vec<_> = appends.iter().map(|a| a["children"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, [100, 55], "blocks 100..255 only");
    // Block 100 of the rendering is timeline event 97 (three blocks precede the timeline).
    assert_eq!(appends[0]["children"][0]["bulleted_list_item"]["rich_text"][0]["text"]["content"], "event 97");
}

#[tokio::test]
async fn a_429_then_success_creates_one_page() {
    let notion = TestNotion::start().await;
    notion.no_existing_page().await;
    let limited = error(429, "rate_limited").insert_header("Retry-After", "1");
    notion.answer("POST", "/v1/pages", limited, 1, 1).await;
    notion.create_succeeds().await;
    let started = std::time::Instant::now();

    let doc = notion.docs.create_postmortem(&small_document()).await.unwrap();

    assert_eq!(doc.id, PAGE_ID);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was not honoured");
    let creates = notion.bodies("POST", "/v1/pages").await;
    assert_eq!(creates.len(), 2);
    assert_eq!(creates[0], creates[1]);
}

#[tokio::test]
async fn a_5xx_on_create_is_not_retried_blindly_and_the_retry_finds_the_page() {
    let notion = TestNotion::start().await;
    // The first lookup finds nothing; the create fails with a 500 after being applied.
    notion.answer("POST", QUERY_PATH, ok(helpers::list(vec![], None)), 1, 1).await;
    notion.answer("POST", "/v1/pages", error(500, "internal_server_error"), 1, 1).await;
    notion.existing_page().await;
    notion.create_succeeds().await;
    notion.page_holds(5, 0).await;

    let first = notion.docs.create_postmortem(&small_document()).await.unwrap_err();
    assert!(matches!(first, PortError::Transient(_)), "{first:?}");
    assert_eq!(notion.bodies("POST", "/v1/pages").await.len(), 1, "a 500 on create is not repeated");

    let doc = notion.docs.create_postmortem(&small_document()).await.unwrap();
    assert_eq!(doc.id, PAGE_ID);
    assert_eq!(notion.bodies("POST", "/v1/pages").await.len(), 1, "the retry found the page instead");
}

#[tokio::test]
async fn a_failed_append_is_resumed_not_repeated() {
    let notion = TestNotion::start().await;
    notion.answer("POST", QUERY_PATH, ok(helpers::list(vec![], None)), 1, 1).await;
    notion.existing_page().await;
    notion.create_succeeds().await;
    notion.answer("PATCH", CHILDREN_PATH, error(502, ""), 1, 1).await;
    notion.append_succeeds().await;
    notion.page_holds(100, 0).await;

    let first = notion.docs.create_postmortem(&timeline_document(250)).await.unwrap_err();
    assert!(matches!(first, PortError::Transient(_)), "{first:?}");
    notion.docs.create_postmortem(&timeline_document(250)).await.unwrap();

    assert_eq!(notion.bodies("POST", "/v1/pages").await.len(), 1);
    let sizes: Vec<_> =
        notion.bodies("PATCH", CHILDREN_PATH).await.iter().map(|a| a["children"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, [100, 100, 55], "the failed append, then the two missing chunks");
}

#[tokio::test]
async fn reads_are_retried_after_a_server_error() {
    let notion = TestNotion::start().await;
    notion.answer("POST", QUERY_PATH, error(503, "service_unavailable"), 1, 1).await;
    notion.no_existing_page().await;
    notion.create_succeeds().await;

    notion.docs.create_postmortem(&small_document()).await.unwrap();

    assert_eq!(notion.bodies("POST", QUERY_PATH).await.len(), 2);
    assert_eq!(notion.bodies("POST", "/v1/pages").await.len(), 1);
}

#[tokio::test]
async fn the_error_envelope_is_mapped() {
    let cases = [
        (400, "validation_error", "Invalid"),
        (401, "unauthorized", "Unauthorized"),
        (403, "restricted_resource", "Unauthorized"),
        (404, "object_not_found", "NotFound"),
        // Notion documents a 409 as a collision to retry, not a lasting conflict.
        (409, "conflict_error", "Transient"),
        (500, "internal_server_error", "Transient"),
    ];
    for (status, code, expected) in cases {
        let notion = TestNotion::start().await;
        notion.no_existing_page().await;
        notion.answer("POST", "/v1/pages", error(status, code), 0, 1).await;

        let error = notion.docs.create_postmortem(&small_document()).await.unwrap_err();

        let kind = format!("{error:?}");
        assert!(kind.starts_with(expected), "{code}: {kind}");
        assert!(kind.contains(&format!("{code} happened")), "{code}: the message is kept: {kind}");
        assert_eq!(notion.bodies("POST", "/v1/pages").await.len(), 1, "{code} is not retried");
    }
}

#[tokio::test]
async fn a_long_retry_after_is_returned_as_rate_limited() {
    for (retry_after, expected) in [("120", Duration::from_secs(120)), ("99999999", PortError::MAX_RETRY_AFTER)] {
        let notion = TestNotion::start().await;
        let limited = error(429, "rate_limited").insert_header("Retry-After", retry_after);
        notion.answer("POST", QUERY_PATH, limited, 0, 1).await;

        let error = notion.docs.create_postmortem(&small_document()).await.unwrap_err();

        assert_eq!(error, PortError::RateLimited { retry_after: Some(expected) }, "{retry_after}");
        assert_eq!(notion.requests().await.len(), 1, "{retry_after}: a long wait is not slept");
    }
}

#[tokio::test]
async fn persistent_rate_limits_give_up_after_three_attempts() {
    let notion = TestNotion::start().await;
    notion.answer("POST", QUERY_PATH, ResponseTemplate::new(429), 0, 1).await;

    let error = notion.docs.create_postmortem(&small_document()).await.unwrap_err();

    assert_eq!(error, PortError::RateLimited { retry_after: None });
    assert_eq!(notion.requests().await.len(), 3);
}

#[tokio::test]
async fn a_nonstandard_5xx_on_create_is_transient_and_not_repeated() {
    let notion = TestNotion::start().await;
    notion.no_existing_page().await;
    notion.answer("POST", "/v1/pages", ResponseTemplate::new(529), 0, 1).await;

    let error = notion.docs.create_postmortem(&small_document()).await.unwrap_err();

    assert!(matches!(error, PortError::Transient(_)), "{error:?}");
    assert_eq!(notion.bodies("POST", "/v1/pages").await.len(), 1, "the create may have been applied");
}

#[tokio::test]
async fn an_unreachable_notion_is_transient() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api_url = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    let mut config = NotionConfig::new(TOKEN, DATA_SOURCE).with_api_url(api_url);
    config.http.backoff_ms = 0;
    let docs = NotionDocs::new(config).unwrap();

    let error = docs.create_postmortem(&small_document()).await.unwrap_err();

    assert!(matches!(error, PortError::Transient(_)), "{error:?}");
}

#[tokio::test]
async fn a_page_in_the_trash_does_not_count_as_existing() {
    let notion = TestNotion::start().await;
    let mut trashed = page();
    trashed["in_trash"] = json!(true);
    notion.answer("POST", QUERY_PATH, ok(helpers::list(vec![trashed], None)), 0, 1).await;
    notion.create_succeeds().await;

    notion.docs.create_postmortem(&small_document()).await.unwrap();

    assert_eq!(notion.bodies("POST", "/v1/pages").await.len(), 1);
}
