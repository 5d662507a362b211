//! The post-mortem is rewritten when the root cause or the action items
//! change after resolution: a new version of the Confluence page, or the
//! Markdown file written again; still one page per incident.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::{wait_until, TestApp};

const SPACE: &str = "98306";
const EMAIL: &str = "sima@acme.example";
const API_TOKEN: &str = "ATATT3xFfGF0-server-test-token";
const PAGES: &str = "/wiki/api/v2/pages";
const REPORTER: &str = "U0REPORTER";

/// A Confluence space that keeps its pages and their versions: lookups by
/// title, creates (refused when the title is taken), reads by id, and
/// updates that must name the next version (409 otherwise). The first
/// `failed_creates` creates are kept but answered 504, as a gateway that
/// timed out after Confluence committed them.
#[derive(Clone, Default)]
struct VersionedConfluence {
    pages: Arc<Mutex<Vec<Value>>>,
    failed_creates: Arc<Mutex<u32>>,
}

impl VersionedConfluence {
    fn pages(&self) -> Vec<Value> {
        self.pages.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Respond for VersionedConfluence {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        let id = request.url.path().strip_prefix(PAGES).and_then(|rest| rest.strip_prefix('/')).map(str::to_owned);
        let sent: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let refusal = |status: u16, title: &str| {
            ResponseTemplate::new(status).set_body_json(json!({ "errors": [{ "status": status, "title": title }] }))
        };
        match (request.method.as_str(), id) {
            ("GET", None) => {
                let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
                let wanted = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
                let results: Vec<&Value> = pages
                    .iter()
                    .filter(|p| p["spaceId"].as_str() == wanted("space-id").as_deref())
                    .filter(|p| p["title"].as_str() == wanted("title").as_deref())
                    .collect();
                let base = json!({ "base": "https://acme.atlassian.net/wiki" });
                ResponseTemplate::new(200).set_body_json(json!({ "results": results, "_links": base }))
            }
            ("POST", None) => {
                if pages.iter().any(|p| p["title"] == sent["title"]) {
                    return refusal(400, "A page with this title already exists");
                }
                let id = (660000 + pages.len()).to_string();
                let page = json!({
                    "id": id,
                    "status": "current",
                    "title": sent["title"],
                    "spaceId": sent["spaceId"],
                    "body": sent["body"],
                    "version": { "number": 1 },
                    "_links": { "webui": format!("/spaces/OPS/pages/{id}"), "base": "https://acme.atlassian.net/wiki" },
                });
                pages.push(page.clone());
                let mut failing = self.failed_creates.lock().unwrap_or_else(PoisonError::into_inner);
                if *failing > 0 {
                    *failing -= 1;
                    return ResponseTemplate::new(504).set_body_string("upstream request timeout");
                }
                ResponseTemplate::new(200).set_body_json(page)
            }
            ("GET", Some(id)) => match pages.iter().find(|p| p["id"] == id.as_str()) {
                Some(page) => ResponseTemplate::new(200).set_body_json(page),
                None => refusal(404, "Page not found"),
            },
            ("PUT", Some(id)) => {
                let Some(page) = pages.iter_mut().find(|p| p["id"] == id.as_str()) else {
                    return refusal(404, "Page not found");
                };
                let next = page["version"]["number"].as_u64().unwrap_or_default() + 1;
                if sent["version"]["number"].as_u64() != Some(next) {
                    return refusal(409, "Version must be incremented on update");
                }
                page["title"] = sent["title"].clone();
                page["body"] = sent["body"].clone();
                page["version"] = json!({ "number": next });
                ResponseTemplate::new(200).set_body_json(page.clone())
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

async fn confluence_app(failed_creates: u32) -> (TestApp, MockServer, VersionedConfluence) {
    let server = MockServer::start().await;
    let fake = VersionedConfluence { failed_creates: Arc::new(Mutex::new(failed_creates)), ..Default::default() };
    Mock::given(path_regex(format!("^{PAGES}(/[0-9]+)?$"))).respond_with(fake.clone()).mount(&server).await;
    let url = format!("{}/wiki", server.uri());
    let app = TestApp::spawn_with_env(&[
        ("SIMA_DOCS", "confluence"),
        ("SIMA_CONFLUENCE_URL", url.as_str()),
        ("SIMA_CONFLUENCE_EMAIL", EMAIL),
        ("SIMA_CONFLUENCE_API_TOKEN", API_TOKEN),
        ("SIMA_CONFLUENCE_SPACE_ID", SPACE),
    ])
    .await;
    (app, server, fake)
}

/// Declares and resolves an incident, waits for its post-mortem link, and
/// returns its id and its room.
async fn resolved(app: &TestApp) -> (String, String) {
    let body =
        json!({ "domain": "payments", "summary": "Card payments fail", "severity": "sev2", "reporter": REPORTER });
    let declared = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(declared.status(), 201);
    let id = declared.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let room = app.wait_for_room(&id).await["room"]["id"].as_str().unwrap().to_owned();
    let resolve = json!({ "status": "resolved", "message": "rolled back" });
    assert_eq!(app.post_json(&format!("/api/v1/incidents/{id}/status"), &resolve).await.status(), 200);
    wait_until("the post-mortem is linked", || async {
        app.incident(&id).await["postmortem_url"].as_str().map(str::to_owned)
    })
    .await;
    app.wait_for_idle_outbox().await;
    (id, room)
}

/// The root cause typed in the room, and an action item through the API.
async fn root_cause_and_action_item(app: &TestApp, id: &str, room: &str) {
    assert_eq!(app.slash(REPORTER, room, "rootcause an expired TLS certificate").await.status(), 200);
    let item = json!({ "text": "Alert <30 days> before certificates expire & renew" });
    assert_eq!(app.post_json(&format!("/api/v1/incidents/{id}/actions"), &item).await.status(), 201);
    wait_until("the root cause and the action item are recorded", || async {
        let incident = app.incident(id).await;
        (incident["root_cause"].is_string() && incident["action_items"].as_array().is_some_and(|a| !a.is_empty()))
            .then_some(())
    })
    .await;
    app.wait_for_idle_outbox().await;
}

fn puts(requests: &[Request]) -> Vec<Value> {
    let puts = requests.iter().filter(|r| r.method.as_str() == "PUT");
    puts.map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

#[tokio::test]
async fn the_confluence_page_is_updated_with_the_root_cause_and_action_items_at_the_next_version() {
    let (app, server, fake) = confluence_app(0).await;
    let (id, room) = resolved(&app).await;
    assert_eq!(fake.pages().len(), 1);
    assert!(puts(&server.received_requests().await.unwrap()).is_empty(), "nothing changed after resolution yet");

    root_cause_and_action_item(&app, &id, &room).await;

    let pages = fake.pages();
    assert_eq!(pages.len(), 1, "one page, updated: {pages:?}");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.iter().filter(|r| r.method.as_str() == "POST").count(), 1);
    let sent = puts(&requests);
    assert!(!sent.is_empty());
    // Two updates may race (one per change): Confluence refuses the second
    // writer of a version with 409 and it writes the next one instead.
    let numbers: Vec<u64> = sent.iter().map(|p| p["version"]["number"].as_u64().unwrap()).collect();
    assert_eq!(numbers[0], 2, "the first update is the page's second version: {numbers:?}");
    assert_eq!(pages[0]["version"]["number"].as_u64(), numbers.iter().max().copied(), "{numbers:?}");
    let last = sent.iter().max_by_key(|p| p["version"]["number"].as_u64()).unwrap();
    assert_eq!(last["id"], pages[0]["id"]);
    assert_eq!(last["status"], "current");
    assert_eq!(last["body"]["representation"], "storage");
    let value = pages[0]["body"]["value"].as_str().unwrap();
    assert!(value.contains("an expired TLS certificate"), "{value}");
    assert!(value.contains("Alert &lt;30 days&gt; before certificates expire &amp; renew"), "{value}");
    let timeline = app.timeline(&id).await;
    assert!(!timeline.iter().any(|e| e["kind"] == "effect_failed"), "{timeline:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_create_that_timed_out_after_committing_still_makes_one_page_which_is_then_updated() {
    let (app, server, fake) = confluence_app(1).await;
    let (id, room) = resolved(&app).await;

    root_cause_and_action_item(&app, &id, &room).await;

    let pages = fake.pages();
    assert_eq!(pages.len(), 1, "{pages:?}");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.iter().filter(|r| r.method.as_str() == "POST").count(), 1, "the retry found the page");
    let link = app.incident(&id).await["postmortem_url"].as_str().unwrap().to_owned();
    assert!(link.ends_with(&format!("/pages/{}", pages[0]["id"].as_str().unwrap())), "{link}");
    let value = pages[0]["body"]["value"].as_str().unwrap();
    assert!(value.contains("an expired TLS certificate"), "{value}");
    assert!(value.contains("Alert &lt;30 days&gt; before certificates expire &amp; renew"), "{value}");
    assert!(pages[0]["version"]["number"].as_u64().unwrap() >= 2);
    app.stop().await;
}

#[tokio::test]
async fn the_markdown_postmortem_is_rewritten_with_the_root_cause() {
    let app = TestApp::spawn_with_env(&[("SIMA_DOCS", "markdown")]).await;
    let (id, room) = resolved(&app).await;
    let number = app.incident(&id).await["number"].as_str().unwrap().to_owned();
    let before = app.get(&format!("/postmortems/{number}.md")).await.text().await.unwrap();
    assert!(before.contains("Card payments fail") && !before.contains("expired"), "{before}");

    root_cause_and_action_item(&app, &id, &room).await;

    let after = app.get(&format!("/postmortems/{number}.md")).await;
    assert_eq!(after.status(), 200);
    let after = after.text().await.unwrap();
    assert!(after.contains("an expired"), "{after}");
    assert!(after.contains("before certificates expire"), "{after}");
    app.stop().await;
}
