//! Private incidents' post-mortems in Confluence: with
//! `SIMA_CONFLUENCE_PRIVATE_PARENT_ID`, a private incident's page is created
//! under that page, a public one's under `SIMA_CONFLUENCE_PARENT_ID`.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::{wait_until, TestApp};

const SPACE: &str = "98306";
const PARENT: &str = "557057";
const PRIVATE_PARENT: &str = "557099";
const PAGES: &str = "/wiki/api/v2/pages";

/// The pages of one space: a lookup by title (`GET`) finds them with their
/// parent; a create (`POST`) keeps the page, or is refused with 400 when the
/// title is taken, as Confluence does.
#[derive(Clone, Default)]
struct FakeConfluence {
    pages: Arc<Mutex<Vec<Value>>>,
}

impl Respond for FakeConfluence {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        let base = "https://acme.atlassian.net/wiki";
        if request.method.as_str() == "GET" {
            let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
            let wanted = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            let results: Vec<&Value> = pages
                .iter()
                .filter(|p| p["spaceId"].as_str() == wanted("space-id").as_deref())
                .filter(|p| p["title"].as_str() == wanted("title").as_deref())
                .collect();
            return ResponseTemplate::new(200).set_body_json(json!({ "results": results, "_links": { "base": base } }));
        }
        let sent: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        if pages.iter().any(|p| p["title"] == sent["title"]) {
            let title = "A page with this title already exists";
            return ResponseTemplate::new(400).set_body_json(json!({ "errors": [{ "status": 400, "title": title }] }));
        }
        let id = (660000 + pages.len()).to_string();
        let page = json!({
            "id": id,
            "status": "current",
            "title": sent["title"],
            "spaceId": sent["spaceId"],
            "parentId": sent["parentId"],
            "_links": { "webui": format!("/spaces/OPS/pages/{id}"), "base": base },
        });
        pages.push(page.clone());
        ResponseTemplate::new(200).set_body_json(page)
    }
}

/// Declares an incident (`private` or not), resolves it, and waits for its post-mortem link.
async fn resolved_with_postmortem(app: &TestApp, summary: &str, private: bool) -> String {
    let body = json!({ "domain": "payments", "summary": summary, "severity": "sev2", "private": private });
    let declared = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(declared.status(), 201);
    let declared: Value = declared.json().await.unwrap();
    assert_eq!(declared["private"], private);
    let id = declared["id"].as_str().unwrap().to_owned();
    let resolve = json!({ "status": "resolved", "message": "fixed" });
    assert_eq!(app.post_json(&format!("/api/v1/incidents/{id}/status"), &resolve).await.status(), 200);
    wait_until("the post-mortem is linked", || async {
        app.incident(&id).await["postmortem_url"].as_str().map(str::to_owned)
    })
    .await;
    declared["number"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_resolved_private_incident_gets_its_confluence_page_under_the_private_parent() {
    let confluence = MockServer::start().await;
    let fake = FakeConfluence::default();
    Mock::given(path(PAGES)).respond_with(fake.clone()).mount(&confluence).await;
    let url = format!("{}/wiki", confluence.uri());
    let app = TestApp::spawn_with_env(&[
        ("SIMA_DOCS", "confluence"),
        ("SIMA_CONFLUENCE_URL", url.as_str()),
        ("SIMA_CONFLUENCE_EMAIL", "sima@acme.example"),
        ("SIMA_CONFLUENCE_API_TOKEN", "ATATT3xFfGF0-private-test-token"),
        ("SIMA_CONFLUENCE_SPACE_ID", SPACE),
        ("SIMA_CONFLUENCE_PARENT_ID", PARENT),
        ("SIMA_CONFLUENCE_PRIVATE_PARENT_ID", PRIVATE_PARENT),
    ])
    .await;

    let private = resolved_with_postmortem(&app, "Leaked credentials", true).await;
    let public = resolved_with_postmortem(&app, "Card payments fail", false).await;
    app.wait_for_idle_outbox().await;

    let pages = fake.pages.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let parent_of = |number: &str| {
        let titled: Vec<&Value> =
            pages.iter().filter(|p| p["title"].as_str().is_some_and(|t| t.contains(number))).collect();
        assert_eq!(titled.len(), 1, "one page for {number}: {pages:?}");
        titled[0]["parentId"].as_str().map(str::to_owned)
    };
    assert_eq!(parent_of(&private).as_deref(), Some(PRIVATE_PARENT), "{pages:?}");
    assert_eq!(parent_of(&public).as_deref(), Some(PARENT), "{pages:?}");
    app.stop().await;
}
