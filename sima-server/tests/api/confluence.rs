//! Post-mortems in Confluence: `SIMA_DOCS=confluence` against a fake
//! Confluence that keeps the pages it is sent, as the real one does.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::{wait_until, TestApp};

const SPACE: &str = "98306";
const PARENT: &str = "557057";
const EMAIL: &str = "sima@acme.example";
const API_TOKEN: &str = "ATATT3xFfGF0-server-test-token";
const PAGES: &str = "/wiki/api/v2/pages";

/// The pages of one space: a lookup by title (`GET`) finds them; a create
/// (`POST`) keeps the page, or is refused with 400 when the title is taken.
#[derive(Clone, Default)]
struct FakeConfluence {
    pages: Arc<Mutex<Vec<Value>>>,
}

impl Respond for FakeConfluence {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        let base = json!({ "base": "https://acme.atlassian.net/wiki" });
        if request.method.as_str() == "GET" {
            let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
            let wanted = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            let results: Vec<&Value> = pages
                .iter()
                .filter(|p| p["spaceId"].as_str() == wanted("space-id").as_deref())
                .filter(|p| p["title"].as_str() == wanted("title").as_deref())
                .collect();
            return ResponseTemplate::new(200).set_body_json(json!({ "results": results, "_links": base }));
        }
        let sent: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        if pages.iter().any(|p| p["title"] == sent["title"]) {
            let title =
                "A page with this title already exists: A page already exists with the same TITLE in this space";
            return ResponseTemplate::new(400).set_body_json(json!({ "errors": [{ "status": 400, "title": title }] }));
        }
        let id = (660000 + pages.len()).to_string();
        let mut page = json!({
            "id": id,
            "status": "current",
            "title": sent["title"],
            "spaceId": sent["spaceId"],
            "parentId": sent["parentId"],
            "_links": { "webui": format!("/spaces/OPS/pages/{id}") },
        });
        pages.push(page.clone());
        page["_links"]["base"] = base["base"].clone();
        ResponseTemplate::new(200).set_body_json(page)
    }
}

async fn start_confluence() -> (MockServer, FakeConfluence) {
    let server = MockServer::start().await;
    let fake = FakeConfluence::default();
    Mock::given(path(PAGES)).respond_with(fake.clone()).mount(&server).await;
    (server, fake)
}

#[tokio::test]
async fn a_resolved_incident_gets_one_confluence_page_in_the_configured_space() {
    let (confluence, fake) = start_confluence().await;
    let url = format!("{}/wiki", confluence.uri());
    let app = TestApp::spawn_with_env(&[
        ("SIMA_DOCS", "confluence"),
        ("SIMA_CONFLUENCE_URL", url.as_str()),
        ("SIMA_CONFLUENCE_EMAIL", EMAIL),
        ("SIMA_CONFLUENCE_API_TOKEN", API_TOKEN),
        ("SIMA_CONFLUENCE_SPACE_ID", SPACE),
        ("SIMA_CONFLUENCE_PARENT_ID", PARENT),
    ])
    .await;

    let body = json!({ "domain": "payments", "summary": "Card payments fail", "severity": "sev1" });
    let declared = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(declared.status(), 201);
    let declared: Value = declared.json().await.unwrap();
    let id = declared["id"].as_str().unwrap().to_owned();
    let number = declared["number"].as_str().unwrap().to_owned();
    let resolve = json!({ "status": "resolved", "message": "rolled back" });
    assert_eq!(app.post_json(&format!("/api/v1/incidents/{id}/status"), &resolve).await.status(), 200);

    let link = wait_until("the post-mortem is linked", || async {
        app.incident(&id).await["postmortem_url"].as_str().map(str::to_owned)
    })
    .await;
    app.wait_for_idle_outbox().await;

    let pages = fake.pages.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(pages.len(), 1, "{pages:?}");
    let page_id = pages[0]["id"].as_str().unwrap();
    assert_eq!(link, format!("https://acme.atlassian.net/wiki/spaces/OPS/pages/{page_id}"));
    assert!(app.notion_pages().await.is_empty(), "nothing went to Notion");

    let requests = confluence.received_requests().await.unwrap();
    let creates: Vec<&Request> = requests.iter().filter(|r| r.method.as_str() == "POST").collect();
    assert_eq!(creates.len(), 1, "one page created");
    let sent: Value = serde_json::from_slice(&creates[0].body).unwrap();
    assert_eq!(sent["spaceId"], SPACE);
    assert_eq!(sent["parentId"], PARENT);
    assert!(sent["title"].as_str().unwrap().contains(&number), "{sent}");
    assert_eq!(sent["body"]["representation"], "storage");
    assert!(sent["body"]["value"].as_str().unwrap().contains("Card payments fail"), "{sent}");
    let auth = creates[0].headers.get("authorization").unwrap().to_str().unwrap();
    assert!(auth.starts_with("Basic "), "{auth}");
    assert!(requests.iter().any(|r| r.method.as_str() == "GET"), "the page was looked up before the create");
    app.stop().await;
}
