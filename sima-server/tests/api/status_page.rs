//! The public status page: `/status`, `/status/feed.atom` and
//! `/status/api/v2/summary.json` show what was published with
//! `POST /api/v1/incidents/{id}/public-updates`, and nothing else.

use std::time::Duration;

use serde_json::{json, Value};
use sima_core::domain::Domain;
use sima_server::delays::Delay;
use sima_server::settings::{ComponentSettings, Secret, Settings};

use crate::helpers::{api_error, wait_at_most, wait_until, Database, Fakes, TestApp};

const API_TOKEN: &str = "api-token-for-status-0123456789";
const READ_TOKEN: &str = "read-token-for-status-0123456789";
/// The internal summary: never on the page.
const SUMMARY: &str = "Primary db-7 replica lag from vacuum storm";
/// The internal description: never on the page.
const DESCRIPTION: &str = "Runbook db-7: failover by hand, page Priya";
/// What customers are told, with markup that must stay text.
const MESSAGE: &str = "Some API calls fail <script>alert('x')</script> & we are on it";
const TITLE: &str = "Elevated API error rates";

fn components(settings: &mut Settings) {
    settings.api_token = Some(Secret::new(API_TOKEN));
    settings.api_read_token = Some(Secret::new(READ_TOKEN));
    settings.status.title = "Acme status".into();
    settings.status.refresh_secs = 1;
    settings.status.components = vec![
        ComponentSettings {
            name: "API".into(),
            domains: vec![Domain::parse("api").unwrap()],
            description: "The public REST API".into(),
        },
        ComponentSettings {
            name: "Email delivery".into(),
            domains: vec![Domain::parse("outbound-email").unwrap()],
            description: String::new(),
        },
    ];
}

async fn spawn() -> TestApp {
    TestApp::spawn_with(components).await
}

async fn declare(app: &TestApp, body: Value) -> Value {
    let response = app
        .http
        .post(format!("{}/api/v1/incidents", app.address))
        .bearer_auth(API_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 201);
    response.json().await.expect("the incident")
}

/// The incident once its room is recorded (read with the API token).
async fn wait_for_room(app: &TestApp, id: &str) -> Value {
    wait_until("the incident room is recorded", || async {
        let response = app
            .http
            .get(format!("{}/api/v1/incidents/{id}", app.address))
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .expect("the server answers");
        let incident: Value = response.json().await.expect("the incident");
        incident["room"].is_object().then_some(incident)
    })
    .await
}

async fn publish(app: &TestApp, token: Option<&str>, id: &str, body: Value) -> reqwest::Response {
    let request = app.http.post(format!("{}/api/v1/incidents/{id}/public-updates", app.address)).json(&body);
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    request.send().await.expect("the server answers")
}

/// The three documents, as text.
struct Documents {
    html: String,
    summary: String,
    atom: String,
}

impl Documents {
    async fn read(app: &TestApp) -> Self {
        let text = |path: &'static str| async move {
            let response = app.get(path).await;
            assert_eq!(response.status(), 200, "GET {path}");
            response.text().await.expect("a body")
        };
        Self {
            html: text("/status").await,
            summary: text("/status/api/v2/summary.json").await,
            atom: text("/status/feed.atom").await,
        }
    }

    fn summary(&self) -> Value {
        serde_json::from_str(&self.summary).expect("summary.json is JSON")
    }

    fn feed(&self) -> atom_syndication::Feed {
        self.atom.parse().expect("the feed is valid Atom")
    }

    /// Asserts that none of the three documents contains `text`.
    fn assert_absent(&self, text: &str) {
        for (name, document) in [("html", &self.html), ("summary", &self.summary), ("atom", &self.atom)] {
            assert!(!document.contains(text), "{name} shows {text:?}:\n{document}");
        }
    }
}

/// The documents once `check` holds of them (the page is re-read every second).
async fn documents_when(app: &TestApp, what: &str, check: impl Fn(&Documents) -> bool) -> Documents {
    wait_at_most(Duration::from_secs(10), what, || {
        let check = &check;
        async move {
            let documents = Documents::read(app).await;
            check(&documents).then_some(documents)
        }
    })
    .await
}

fn component<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["components"].as_array().unwrap().iter().find(|c| c["name"] == name).expect("the component is listed")
}

#[tokio::test]
async fn before_anything_is_published_every_component_is_operational_and_no_incident_shows() {
    let app = spawn().await;
    let incident =
        declare(&app, json!({ "domain": "api", "summary": SUMMARY, "description": DESCRIPTION, "severity": "sev1" }))
            .await;
    let room = wait_for_room(&app, incident["id"].as_str().unwrap()).await;
    let documents = Documents::read(&app).await;
    assert!(documents.html.contains("All Systems Operational"), "{}", documents.html);
    assert!(documents.html.contains("API") && documents.html.contains("Email delivery"));
    assert!(!documents.html.contains("Partial Outage") && !documents.html.contains("Major Outage"));
    let summary = documents.summary();
    assert_eq!(summary["status"]["indicator"], "none");
    assert_eq!(summary["status"]["description"], "All Systems Operational");
    assert_eq!(component(&summary, "API")["status"], "operational");
    assert_eq!(component(&summary, "Email delivery")["status"], "operational");
    assert_eq!(summary["incidents"], json!([]));
    assert_eq!(summary["scheduled_maintenances"], json!([]));
    assert_eq!(documents.feed().entries().len(), 0);
    documents.assert_absent(SUMMARY);
    documents.assert_absent(DESCRIPTION);
    documents.assert_absent(room["room"]["name"].as_str().unwrap());
    documents.assert_absent(incident["number"].as_str().unwrap());
    app.stop().await;
}

#[tokio::test]
async fn a_public_update_reaches_the_page_the_summary_and_the_feed_and_resolving_clears_it() {
    let app = spawn().await;
    let incident =
        declare(&app, json!({ "domain": "api", "summary": SUMMARY, "description": DESCRIPTION, "severity": "sev2" }))
            .await;
    let id = incident["id"].as_str().unwrap();
    let room = wait_for_room(&app, id).await;
    let room_name = room["room"]["name"].as_str().unwrap().to_owned();

    let response = publish(
        &app,
        Some(API_TOKEN),
        id,
        json!({ "status": "investigating", "message": MESSAGE, "title": TITLE, "component_status": "partial_outage" }),
    )
    .await;
    assert_eq!(response.status(), 201);
    let published: Value = response.json().await.unwrap();
    assert_eq!(published["status"], "investigating");
    assert_eq!(published["title"], TITLE);
    assert_eq!(published["component_status"], "partial_outage");
    let url = published["url"].as_str().unwrap();
    assert!(url.starts_with("https://sima.example.com/status/incidents/"), "{url}");
    let public_id = url.rsplit('/').next().unwrap().to_owned();
    assert_eq!(public_id.len(), 12, "an opaque id, not the number: {public_id}");

    let documents = documents_when(&app, "the update is shown", |d| d.html.contains(TITLE)).await;
    // The HTML: the message as text, the component not operational, no script.
    assert!(
        documents.html.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; we are on it"),
        "{}",
        documents.html
    );
    assert!(!documents.html.contains("<script"), "{}", documents.html);
    assert!(documents.html.contains("<span class=\"s-partial_outage\">Partial Outage</span>"), "{}", documents.html);
    assert!(documents.html.contains("Investigating"));
    assert!(documents.html.contains(&format!("/status/incidents/{public_id}")));
    assert!(documents.html.contains("Partial System Outage"));
    // summary.json, in Statuspage's shape.
    let summary = documents.summary();
    assert_eq!(summary["page"]["name"], "Acme status");
    assert_eq!(summary["page"]["url"], "https://sima.example.com/status");
    assert_eq!(summary["page"]["time_zone"], "Etc/UTC");
    let page_id = summary["page"]["id"].as_str().unwrap().to_owned();
    assert_eq!(summary["status"]["indicator"], "major");
    assert_eq!(summary["status"]["description"], "Partial System Outage");
    let api = component(&summary, "API");
    assert_eq!(api["status"], "partial_outage");
    assert_eq!(api["page_id"], page_id.as_str());
    assert_eq!(api["position"], 1);
    assert_eq!(api["group"], false);
    assert_eq!(api["group_id"], Value::Null);
    assert_eq!(api["only_show_if_degraded"], false);
    assert_eq!(api["description"], "The public REST API");
    assert_eq!(component(&summary, "Email delivery")["status"], "operational");
    let incidents = summary["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1);
    let shown = &incidents[0];
    assert_eq!(shown["id"], public_id.as_str());
    assert_eq!(shown["name"], TITLE);
    assert_eq!(shown["status"], "investigating");
    assert_eq!(shown["impact"], "major");
    assert_eq!(shown["page_id"], page_id.as_str());
    assert_eq!(shown["resolved_at"], Value::Null);
    assert_eq!(shown["shortlink"], url);
    assert_eq!(shown["components"][0]["name"], "API");
    let update = &shown["incident_updates"][0];
    assert_eq!(update["status"], "investigating");
    assert_eq!(update["body"], MESSAGE);
    assert_eq!(update["incident_id"], public_id.as_str());
    assert_eq!(update["affected_components"][0]["new_status"], "partial_outage");
    assert_eq!(update["affected_components"][0]["old_status"], "operational");
    for field in ["created_at", "updated_at", "display_at"] {
        chrono::DateTime::parse_from_rfc3339(update[field].as_str().unwrap()).expect("RFC 3339");
    }
    // The feed: one entry, the message as text.
    let feed = documents.feed();
    assert_eq!(feed.title().as_str(), "Acme status");
    assert!(feed.links().iter().any(|l| l.rel() == "self" && l.href() == "https://sima.example.com/status/feed.atom"));
    assert_eq!(feed.entries().len(), 1);
    let entry = &feed.entries()[0];
    assert_eq!(entry.title().as_str(), format!("Investigating: {TITLE}"));
    assert!(entry.id().starts_with("tag:sima.example.com,"), "{}", entry.id());
    assert_eq!(entry.content().and_then(|c| c.value()), Some(MESSAGE));
    assert_eq!(entry.links()[0].href(), url);
    // The incident's own page.
    let page = app.get(&format!("/status/incidents/{public_id}")).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(TITLE) && page.contains("&lt;script&gt;"));
    assert_eq!(app.get("/status/incidents/000000000000").await.status(), 404);
    // What was never published stays out of all three.
    for secret in [SUMMARY, DESCRIPTION, room_name.as_str(), incident["number"].as_str().unwrap(), id] {
        documents.assert_absent(secret);
        assert!(!page.contains(secret), "the incident page shows {secret:?}");
    }

    let response = publish(
        &app,
        Some(API_TOKEN),
        id,
        json!({ "status": "resolved", "message": "Error rates are back to normal." }),
    )
    .await;
    assert_eq!(response.status(), 201);
    let resolved: Value = response.json().await.unwrap();
    assert_eq!(resolved["title"], TITLE, "the title stands");
    assert_eq!(resolved["component_status"], "operational");
    let documents = documents_when(&app, "the all-clear is shown", |d| {
        // The page is read first: the feed and summary read after it are at least as new.
        d.html.contains("All Systems Operational")
    })
    .await;
    let summary = documents.summary();
    assert_eq!(summary["status"]["indicator"], "none");
    assert_eq!(component(&summary, "API")["status"], "operational");
    assert_eq!(summary["incidents"], json!([]), "only unresolved incidents, as Statuspage's summary");
    assert!(documents.html.contains("All Systems Operational"));
    assert!(!documents.html.contains("class=\"s-partial_outage\""), "the row is operational again");
    assert_eq!(documents.html.matches("class=\"s-operational\"").count(), 2);
    assert!(documents.html.contains(TITLE), "listed among past incidents");
    assert!(documents.html.contains("b-partial_outage"), "today's bar keeps the outage");
    let feed = documents.feed();
    assert_eq!(feed.entries().len(), 2);
    assert_eq!(feed.entries()[0].title().as_str(), format!("Resolved: {TITLE}"));
    documents.assert_absent(SUMMARY);
    app.stop().await;
}

#[tokio::test]
async fn private_incidents_never_reach_the_page_even_when_published_before() {
    let app = spawn().await;
    let private = declare(
        &app,
        json!({ "domain": "api", "summary": "Secret acquisition leak", "severity": "sev1", "private": true }),
    )
    .await;
    let private_id = private["id"].as_str().unwrap();
    let refused =
        publish(&app, Some(API_TOKEN), private_id, json!({ "status": "investigating", "message": "Leak" })).await;
    let message = api_error(refused, 409, "refused").await;
    assert!(message.contains("private"), "{message}");

    let public = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let public_id = public["id"].as_str().unwrap();
    let body = json!({ "status": "identified", "message": "Cause known", "title": "Hidden later" });
    assert_eq!(publish(&app, Some(API_TOKEN), public_id, body).await.status(), 201);
    documents_when(&app, "the update is shown", |d| d.html.contains("Hidden later")).await;
    let made_private = app
        .http
        .post(format!("{}/api/v1/incidents/{public_id}/visibility", app.address))
        .bearer_auth(API_TOKEN)
        .json(&json!({ "private": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(made_private.status(), 200);
    let documents =
        documents_when(&app, "the now-private incident is gone", |d| !d.html.contains("Hidden later")).await;
    documents.assert_absent("Hidden later");
    documents.assert_absent("Cause known");
    documents.assert_absent("Secret acquisition leak");
    assert_eq!(documents.summary()["status"]["indicator"], "none");
    assert_eq!(documents.feed().entries().len(), 0);
    app.stop().await;
}

#[tokio::test]
async fn the_page_is_public_cached_and_answers_304_to_a_matching_etag() {
    let app = spawn().await;
    // No credential, a foreign Host, and no cookie set.
    let response =
        app.http.get(format!("{}/status", app.address)).header("host", "status.acme.example").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(headers.get("set-cookie").is_none());
    assert_eq!(headers["cache-control"], "public, max-age=30");
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"), "{csp}");
    assert!(!csp.contains("script-src") && !csp.contains("unsafe"), "{csp}");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    let body = response.text().await.unwrap();
    assert!(body.contains("name=\"viewport\""));

    let again = app.http.get(format!("{}/status", app.address)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.text().await.unwrap().is_empty());
    let other =
        app.http.get(format!("{}/status", app.address)).header("if-none-match", "\"other\"").send().await.unwrap();
    assert_eq!(other.status(), 200);

    for (path, kind) in
        [("/status/feed.atom", "application/atom+xml"), ("/status/api/v2/summary.json", "application/json")]
    {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with(kind));
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let cached =
            app.http.get(format!("{}{path}", app.address)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(cached.status(), 304, "{path}");
    }

    // A change makes a new tag.
    let incident = declare(&app, json!({ "domain": "outbound-email", "summary": SUMMARY, "severity": "sev3" })).await;
    let body = json!({ "status": "monitoring", "message": "Mail queues drain" });
    assert_eq!(publish(&app, Some(API_TOKEN), incident["id"].as_str().unwrap(), body).await.status(), 201);
    wait_at_most(Duration::from_secs(10), "a new tag", || async {
        let response =
            app.http.get(format!("{}/status", app.address)).header("if-none-match", &etag).send().await.unwrap();
        (response.status() == 200).then_some(())
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn the_publish_route_refuses_what_it_must() {
    let app = spawn().await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let id = incident["id"].as_str().unwrap();
    let body = json!({ "status": "investigating", "message": "Looking" });

    api_error(publish(&app, None, id, body.clone()).await, 401, "unauthorized").await;
    api_error(publish(&app, Some("not-the-token-0123456789"), id, body.clone()).await, 401, "unauthorized").await;
    api_error(publish(&app, Some(READ_TOKEN), id, body.clone()).await, 403, "forbidden").await;

    let bad = publish(&app, Some(API_TOKEN), id, json!({ "status": "fixed", "message": "Done" })).await;
    let message = api_error(bad, 400, "invalid_input").await;
    for name in ["investigating", "identified", "monitoring", "resolved"] {
        assert!(message.contains(name), "{message}");
    }
    let bad = publish(
        &app,
        Some(API_TOKEN),
        id,
        json!({ "status": "investigating", "message": "x", "component_status": "down" }),
    )
    .await;
    let message = api_error(bad, 400, "invalid_input").await;
    assert!(message.contains("major_outage"), "{message}");
    let empty = publish(&app, Some(API_TOKEN), id, json!({ "status": "investigating", "message": "  " })).await;
    assert!(api_error(empty, 400, "invalid_input").await.contains("1 to 2000"));
    let long =
        publish(&app, Some(API_TOKEN), id, json!({ "status": "investigating", "message": "x".repeat(2001) })).await;
    assert!(api_error(long, 400, "invalid_input").await.contains("2001"));
    let unknown = publish(&app, Some(API_TOKEN), "INC-999", body.clone()).await;
    assert_eq!(unknown.status(), 404);
    let extra =
        publish(&app, Some(API_TOKEN), id, json!({ "status": "investigating", "message": "x", "summary": "y" })).await;
    assert!(extra.status().is_client_error());
    // Nothing refused was published.
    let documents = Documents::read(&app).await;
    assert_eq!(documents.summary()["incidents"], json!([]));
    assert_eq!(documents.feed().entries().len(), 0);
    app.stop().await;
}

#[tokio::test]
async fn the_page_can_be_turned_off() {
    let app = TestApp::spawn_with_env(&[("SIMA_STATUS_PAGE", "off")]).await;
    for path in ["/status", "/status/feed.atom", "/status/api/v2/summary.json", "/status/incidents/abc"] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn words_can_be_french_or_replaced() {
    let app = TestApp::spawn_with(|s| {
        components(s);
        s.status.language = sima_server::settings::Language::Fr;
        s.status.strings.insert("components".into(), "Nos services".into());
    })
    .await;
    let html = app.get("/status").await.text().await.unwrap();
    assert!(html.contains("lang=\"fr\""));
    assert!(html.contains("Tous les systèmes sont opérationnels"), "{html}");
    assert!(html.contains("Nos services"));
    assert!(html.contains("Opérationnel"));
    app.stop().await;
}

/// While PostgreSQL refuses the server, the last rendering is served, marked
/// stale; before any rendering, 503.
#[tokio::test]
async fn while_the_database_is_down_the_last_page_is_served_stale() {
    if sima_store_postgres::ScratchDatabase::skipped() {
        return;
    }
    let database = Database::postgres().await;
    let Database::Postgres(scratch) = &database else { unreachable!("a PostgreSQL database") };
    let name = scratch.name().to_owned();
    let admin = sqlx::PgPool::connect(&sima_store_postgres::ScratchDatabase::server_url()).await.unwrap();
    let cut = |allow: bool| {
        let admin = admin.clone();
        let name = name.clone();
        async move {
            sqlx::query(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {allow}")).execute(&admin).await.unwrap();
            if !allow {
                sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
                    .bind(&name)
                    .execute(&admin)
                    .await
                    .unwrap();
            }
        }
    };
    let app = TestApp::start_with(
        Fakes::start(None).await,
        database,
        std::sync::Arc::new(sima_core::ports::SystemClock),
        components,
    )
    .await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let body = json!({ "status": "investigating", "message": "Shown while the database is down" });
    assert_eq!(publish(&app, Some(API_TOKEN), incident["id"].as_str().unwrap(), body).await.status(), 201);
    documents_when(&app, "the update is shown", |d| d.html.contains("Shown while the database is down")).await;

    cut(false).await;
    let stale = wait_at_most(Duration::from_secs(15), "a stale answer", || async {
        let response = app.get("/status").await;
        response.headers().contains_key("sima-status-stale").then_some(response)
    })
    .await;
    assert_eq!(stale.status(), 200);
    let html = stale.text().await.unwrap();
    assert!(html.contains("Shown while the database is down"));
    assert!(html.contains("may be out of date"), "{html}");
    let summary = app.get("/status/api/v2/summary.json").await;
    assert_eq!(summary.status(), 200);
    assert!(summary.headers().contains_key("sima-status-stale"));
    cut(true).await;
    wait_at_most(Duration::from_secs(20), "a fresh answer", || async {
        let response = app.get("/status").await;
        (response.status() == 200 && !response.headers().contains_key("sima-status-stale")).then_some(())
    })
    .await;
    app.stop().await;
}

/// Before the store was ever read, an outage answers 503, not a panic nor an empty page.
#[tokio::test]
async fn before_any_rendering_an_outage_answers_503() {
    if sima_store_postgres::ScratchDatabase::skipped() {
        return;
    }
    let database = Database::postgres().await;
    let Database::Postgres(scratch) = &database else { unreachable!("a PostgreSQL database") };
    let name = scratch.name().to_owned();
    let admin = sqlx::PgPool::connect(&sima_store_postgres::ScratchDatabase::server_url()).await.unwrap();
    let app = TestApp::start_with(
        Fakes::start(None).await,
        database,
        std::sync::Arc::new(sima_core::ports::SystemClock),
        components,
    )
    .await;
    sqlx::query(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false")).execute(&admin).await.unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&admin)
        .await
        .unwrap();
    let response = app.get("/status").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    assert!(response.text().await.unwrap().contains("temporarily unavailable"));
    sqlx::query(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true")).execute(&admin).await.unwrap();
    wait_at_most(Duration::from_secs(20), "the page once the database is back", || async {
        (app.get("/status").await.status() == 200).then_some(())
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn the_routes_are_in_the_openapi_document() {
    let app = spawn().await;
    let response = app
        .http
        .get(format!("{}/api/v1/openapi.json", app.address))
        .bearer_auth(READ_TOKEN)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    let paths = &document["paths"];
    let publish = &paths["/api/v1/incidents/{id}/public-updates"]["post"];
    assert_eq!(publish["operationId"], "publish_public_update");
    for status in ["201", "400", "401", "403", "404", "409", "422"] {
        assert!(publish["responses"][status].is_object(), "{status} is documented");
    }
    for path in ["/status", "/status/feed.atom", "/status/api/v2/summary.json"] {
        assert!(paths[path]["get"].is_object(), "{path} is documented");
    }
    assert!(paths["/status/incidents/{id}"].is_null(), "a browser page, as the dashboard's");
    app.stop().await;
}

/// With `SIMA_STATUSPAGE_*` set, a public update is also pushed to the
/// hosted Statuspage page: the incident is created there with its public
/// title and message, and the component found by name is set.
#[tokio::test]
async fn a_public_update_is_pushed_to_the_hosted_statuspage_page() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let statuspage = MockServer::start().await;
    let page = "/v1/pages/gytm4qzbx9t6";
    Mock::given(method("GET"))
        .and(path(format!("{page}/components")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "id": "cmp0api00001", "name": "API", "group": false, "status": "operational" },
        ])))
        .mount(&statuspage)
        .await;
    for listing in ["incidents/unresolved", "incidents"] {
        Mock::given(method("GET"))
            .and(path(format!("{page}/{listing}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&statuspage)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(format!("{page}/incidents")))
        .and(header("authorization", "OAuth statuspage-key-0123456789"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "p31zjtct2jer", "shortlink": "https://stspg.io/p31zjtct2jer", "components": [],
        })))
        .mount(&statuspage)
        .await;
    let api_url = format!("{}/v1", statuspage.uri());
    let app = TestApp::spawn_with_env(&[
        ("SIMA_API_TOKEN", API_TOKEN),
        ("SIMA_STATUSPAGE_API_KEY", "statuspage-key-0123456789"),
        ("SIMA_STATUSPAGE_PAGE_ID", "gytm4qzbx9t6"),
        ("SIMA_STATUSPAGE_API_URL", api_url.as_str()),
        ("SIMA_STATUS__COMPONENTS", r#"[{ name = "API", domains = ["api"] }]"#),
    ])
    .await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let body = json!({ "status": "investigating", "message": "Some API calls fail.", "title": TITLE });
    assert_eq!(publish(&app, Some(API_TOKEN), incident["id"].as_str().unwrap(), body).await.status(), 201);
    let created = wait_at_most(Duration::from_secs(10), "the push to Statuspage", || async {
        let requests = statuspage.received_requests().await.unwrap_or_default();
        requests
            .into_iter()
            .find(|r| r.method.as_str() == "POST")
            .map(|r| serde_json::from_slice::<Value>(&r.body).expect("a JSON body"))
    })
    .await;
    let pushed = &created["incident"];
    assert_eq!(pushed["name"], TITLE);
    assert_eq!(pushed["body"], "Some API calls fail.");
    assert_eq!(pushed["status"], "investigating");
    assert!(!created.to_string().contains(SUMMARY), "the internal summary stays internal: {created}");
    app.stop().await;
}

/// Made private through the API, an incident already pushed to the hosted
/// Statuspage page is deleted there (its component set operational first),
/// and the timeline records the withdrawal.
#[tokio::test]
async fn making_a_pushed_incident_private_deletes_it_from_the_hosted_statuspage_page() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const KEY: &str = "OAuth statuspage-key-0123456789";
    let statuspage = MockServer::start().await;
    let page = "/v1/pages/gytm4qzbx9t6";
    let hosted = format!("{page}/incidents/p31zjtct2jer");
    let created = json!({
        "id": "p31zjtct2jer", "shortlink": "https://stspg.io/p31zjtct2jer",
        "metadata": { "sima": { "incident": "INC-1" } },
        "components": [{ "id": "cmp0api00001", "name": "API", "status": "partial_outage" }],
    });
    Mock::given(method("GET"))
        .and(path(format!("{page}/components")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "id": "cmp0api00001", "name": "API", "group": false, "status": "operational" },
        ])))
        .mount(&statuspage)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{page}/incidents/unresolved")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&statuspage)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{page}/incidents")))
        .and(header("authorization", KEY))
        .respond_with(ResponseTemplate::new(201).set_body_json(created.clone()))
        .mount(&statuspage)
        .await;
    for verb in ["GET", "PATCH", "DELETE"] {
        Mock::given(method(verb))
            .and(path(hosted.as_str()))
            .and(header("authorization", KEY))
            .respond_with(ResponseTemplate::new(200).set_body_json(created.clone()))
            .mount(&statuspage)
            .await;
    }
    let api_url = format!("{}/v1", statuspage.uri());
    let app = TestApp::spawn_with_env(&[
        ("SIMA_API_TOKEN", API_TOKEN),
        ("SIMA_STATUSPAGE_API_KEY", "statuspage-key-0123456789"),
        ("SIMA_STATUSPAGE_PAGE_ID", "gytm4qzbx9t6"),
        ("SIMA_STATUSPAGE_API_URL", api_url.as_str()),
        ("SIMA_STATUS__COMPONENTS", r#"[{ name = "API", domains = ["api"] }]"#),
    ])
    .await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let id = incident["id"].as_str().unwrap();
    let body = json!({ "status": "investigating", "message": "Some API calls fail.", "title": TITLE });
    assert_eq!(publish(&app, Some(API_TOKEN), id, body).await.status(), 201);
    let timeline = |kind: &'static str| {
        let app = &app;
        async move {
            let response = app
                .http
                .get(format!("{}/api/v1/incidents/{id}/timeline", app.address))
                .bearer_auth(API_TOKEN)
                .send()
                .await
                .expect("the server answers");
            let events: Value = response.json().await.expect("the timeline");
            events["events"].as_array()?.iter().find(|e| e["kind"] == kind).cloned()
        }
    };
    wait_at_most(Duration::from_secs(10), "the push is linked", || timeline("status_page_linked")).await;
    let sent = |verb: &'static str| {
        let statuspage = &statuspage;
        let hosted = hosted.clone();
        async move {
            let requests = statuspage.received_requests().await.unwrap_or_default();
            let matching: Vec<_> =
                requests.into_iter().filter(|r| r.method.as_str() == verb && r.url.path() == hosted).collect();
            Some(matching)
        }
    };
    assert!(sent("DELETE").await.unwrap().is_empty(), "nothing is deleted while it is public");

    let response = app
        .http
        .post(format!("{}/api/v1/incidents/{id}/visibility", app.address))
        .bearer_auth(API_TOKEN)
        .json(&json!({ "private": true }))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    let withdrawn =
        wait_at_most(Duration::from_secs(10), "the withdrawal is recorded", || timeline("status_page_withdrawn")).await;
    assert_eq!(withdrawn["id"], "p31zjtct2jer");
    assert_eq!(sent("DELETE").await.unwrap().len(), 1, "deleted once");
    let patches = sent("PATCH").await.unwrap();
    assert_eq!(patches.len(), 1);
    let patch: Value = serde_json::from_slice(&patches[0].body).expect("a JSON body");
    assert_eq!(patch["incident"]["components"], json!({ "cmp0api00001": "operational" }));
    assert_eq!(patch["incident"]["deliver_notifications"], false);
    let requests = statuspage.received_requests().await.unwrap_or_default();
    let order: Vec<String> = requests.iter().map(|r| r.method.to_string()).collect();
    let (patched, deleted) = (order.iter().rposition(|m| m == "PATCH"), order.iter().rposition(|m| m == "DELETE"));
    assert!(patched < deleted, "components first, then the delete: {order:?}");
    app.stop().await;
}

/// A request of `method` to `path`, without credential.
async fn call(app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::Response {
    app.http.request(method, format!("{}{path}", app.address)).send().await.expect("the server answers")
}

#[tokio::test]
async fn the_status_routes_answer_head_and_refuse_other_methods() {
    let app = spawn().await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let published = publish(
        &app,
        Some(API_TOKEN),
        incident["id"].as_str().unwrap(),
        json!({ "status": "investigating", "message": "Looking" }),
    )
    .await;
    let url: Value = published.json().await.unwrap();
    let page = format!("/status/incidents/{}", url["url"].as_str().unwrap().rsplit('/').next().unwrap());
    documents_when(&app, "the update is shown", |d| d.html.contains("Looking")).await;
    for path in ["/status", "/status/", "/status/feed.atom", "/status/api/v2/summary.json", page.as_str()] {
        let head = call(&app, reqwest::Method::HEAD, path).await;
        assert_eq!(head.status(), 200, "HEAD {path}");
        assert!(head.headers().contains_key("etag"), "HEAD {path}");
        assert!(head.text().await.unwrap().is_empty(), "HEAD {path} has no body");
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let refused = call(&app, method.clone(), path).await;
            assert_eq!(refused.status(), 405, "{method} {path}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn garbage_and_internal_ids_on_the_incident_page_answer_404() {
    let app = spawn().await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let id = incident["id"].as_str().unwrap().to_owned();
    let number = incident["number"].as_str().unwrap().to_owned();
    let body = json!({ "status": "investigating", "message": "Looking" });
    assert_eq!(publish(&app, Some(API_TOKEN), &id, body).await.status(), 201);
    documents_when(&app, "the update is shown", |d| d.html.contains("Looking")).await;
    let long = "a".repeat(8000);
    let garbage = [
        id.as_str(),
        number.as_str(),
        number.trim_start_matches("INC-"),
        "%FF%FE",
        "%00",
        "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "..%2F..%2Fapi%2Fv1%2Fincidents",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        long.as_str(),
        "000000000000",
    ];
    for garbage in garbage {
        let response = app.get(&format!("/status/incidents/{garbage}")).await;
        assert_eq!(response.status(), 404, "/status/incidents/{}", &garbage[..garbage.len().min(40)]);
        let text = response.text().await.unwrap();
        assert!(!text.contains("<script") && !text.contains(&long), "the id is not echoed");
    }
    app.stop().await;
}

/// Markup, CDATA ends, entities and very long texts stay text in the three
/// documents (the feed still parses); hidden characters are refused.
#[tokio::test]
async fn hostile_text_stays_text_in_every_document_and_hidden_characters_are_refused() {
    let app = spawn().await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let id = incident["id"].as_str().unwrap();
    for hidden in
        ["a\u{0}b", "a\u{8}b", "a\u{1b}[31mb", "a\u{202E}b", "a\u{2066}b", "a\u{FEFF}b", "a\u{200B}b", "a\u{2028}b"]
    {
        let body = json!({ "status": "investigating", "message": hidden });
        let refused = publish(&app, Some(API_TOKEN), id, body).await;
        let status = refused.status().as_u16();
        assert!(status == 400 || status == 422, "{hidden:?}: {status}");
        let body = json!({ "status": "investigating", "message": "ok", "title": hidden });
        let refused = publish(&app, Some(API_TOKEN), id, body).await;
        let status = refused.status().as_u16();
        assert!(status == 400 || status == 422, "title {hidden:?}: {status}");
    }
    let title = "<b>]]></b> & \"Q\" 'A' &amp; </title>";
    let mut message = String::from("</content><script>alert(1)</script> ]]> <![CDATA[ x ]]> &lt; & \"'\n\ttab é 🚀 ");
    message.push_str(&"&<".repeat((2000 - message.chars().count()) / 2));
    let body = json!({ "status": "investigating", "message": message, "title": title });
    assert_eq!(publish(&app, Some(API_TOKEN), id, body).await.status(), 201);
    let documents = documents_when(&app, "the update is shown", |d| d.summary()["incidents"][0]["name"] == title).await;
    let summary = documents.summary();
    assert_eq!(summary["incidents"][0]["incident_updates"][0]["body"], message.as_str());
    let feed = documents.feed();
    assert_eq!(feed.entries()[0].title().as_str(), format!("Investigating: {title}"));
    assert_eq!(feed.entries()[0].content().and_then(|c| c.value()), Some(message.as_str()));
    assert!(!documents.html.contains("<script") && !documents.html.contains("<b>"), "{}", documents.html);
    assert!(documents.html.contains("&lt;b&gt;]]&gt;&lt;/b&gt; &amp; &quot;Q&quot; 'A' &amp;amp; &lt;/title&gt;"));
    app.stop().await;
}

/// The page's own settings reach headers nowhere, and hidden characters in
/// them never make the feed unreadable.
#[tokio::test]
async fn a_hostile_page_title_breaks_no_document_and_no_header() {
    let app = TestApp::spawn_with(|s| {
        components(s);
        s.status.title = "Acme\u{1}\u{8} <status> & ]]> \"\u{FFFE}".into();
        s.status.components[0].description = "<i>the API</i>\u{0}".into();
    })
    .await;
    let documents = Documents::read(&app).await;
    assert_eq!(documents.feed().title().as_str(), "Acme <status> & ]]> \"");
    assert_eq!(documents.summary()["page"]["name"], "Acme\u{1}\u{8} <status> & ]]> \"\u{FFFE}");
    assert!(!documents.html.contains("<status>") && !documents.html.contains("<i>"));
    let response = app.get("/status").await;
    for (name, value) in response.headers() {
        assert!(!value.as_bytes().windows(4).any(|w| w == b"Acme"), "{name} carries the title");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_publish_route_refuses_cookies_foreign_origins_and_bad_bodies() {
    let app = spawn().await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let id = incident["id"].as_str().unwrap().to_owned();
    let url = format!("{}/api/v1/incidents/{id}/public-updates", app.address);
    let body = json!({ "status": "investigating", "message": "Looking" });

    // A dashboard cookie (and a form post with its CSRF token) is no credential here.
    let cookie = app
        .http
        .post(&url)
        .header("cookie", "sima_session=4102444800.73657373696f6e.00; __Host-sima_session=x")
        .header("x-csrf-token", "00")
        .json(&body)
        .send()
        .await
        .unwrap();
    api_error(cookie, 401, "unauthorized").await;
    let form = app
        .http
        .post(&url)
        .header("cookie", "sima_session=x")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("status=investigating&message=Looking&csrf=00")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 401);
    // A foreign page's script, even holding the token.
    let foreign =
        app.http.post(&url).bearer_auth(API_TOKEN).header("origin", "https://evil.example").json(&body).send().await;
    api_error(foreign.unwrap(), 403, "forbidden_origin").await;
    // Bodies.
    let send = |content_type: &'static str, body: Vec<u8>| {
        app.http.post(&url).bearer_auth(API_TOKEN).header("content-type", content_type).body(body).send()
    };
    assert_eq!(send("application/json", vec![b' '; 2 * 1024 * 1024]).await.unwrap().status(), 413);
    for malformed in ["{", "[]", "null", "{\"status\": 1, \"message\": \"x\"}", "{\"status\": \"investigating\"}", ""] {
        let response = send("application/json", malformed.as_bytes().to_vec()).await.unwrap();
        let status = response.status().as_u16();
        assert!(status == 400 || status == 422, "{malformed:?}: {status}");
    }
    assert_eq!(send("text/plain", serde_json::to_vec(&body).unwrap()).await.unwrap().status(), 415);
    let unknown =
        publish(&app, Some(API_TOKEN), &id, json!({ "status": "investigating", "message": "x", "room": "y" }));
    let status = unknown.await.status().as_u16();
    assert!(status == 400 || status == 422, "{status}");
    // Ids from outside.
    for garbage in ["INC-99999999999999999999999", "INC-0", "INC--1", "99999999999999999999", "%FF", "not-an-id"] {
        let response = publish(&app, Some(API_TOKEN), garbage, body.clone()).await;
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{garbage}: {status}");
    }
    // Exactly 2000 characters (multi-byte) is accepted; a title of 121 is not.
    let full = json!({ "status": "investigating", "message": "é".repeat(2000) });
    assert_eq!(publish(&app, Some(API_TOKEN), &id, full).await.status(), 201);
    let titled = json!({ "status": "investigating", "message": "x", "title": "t".repeat(121) });
    api_error(publish(&app, Some(API_TOKEN), &id, titled).await, 400, "invalid_input").await;
    // An ended incident takes only its all-clear.
    let closed = app
        .http
        .post(format!("{}/api/v1/incidents/{id}/status", app.address))
        .bearer_auth(API_TOKEN)
        .json(&json!({ "status": "false_positive" }))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 200, "{}", closed.text().await.unwrap());
    let late = publish(&app, Some(API_TOKEN), &id, json!({ "status": "monitoring", "message": "Watching" })).await;
    assert_eq!(late.status(), 409);
    let all_clear = publish(&app, Some(API_TOKEN), &id, json!({ "status": "resolved", "message": "Fixed" })).await;
    assert_eq!(all_clear.status(), 201);
    app.stop().await;
}

/// Made private, then public again: what was published before stays
/// withdrawn until a new update is published.
#[tokio::test]
async fn an_incident_made_public_again_shows_nothing_until_it_is_published_again() {
    let app = spawn().await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let id = incident["id"].as_str().unwrap();
    let body = json!({ "status": "identified", "message": "Withdrawn words", "title": "Withdrawn title" });
    let published: Value = publish(&app, Some(API_TOKEN), id, body).await.json().await.unwrap();
    let page = format!("/status/incidents/{}", published["url"].as_str().unwrap().rsplit('/').next().unwrap());
    documents_when(&app, "the update is shown", |d| d.html.contains("Withdrawn title")).await;
    let visibility = |private: bool| {
        app.http
            .post(format!("{}/api/v1/incidents/{id}/visibility", app.address))
            .bearer_auth(API_TOKEN)
            .json(&json!({ "private": private }))
            .send()
    };
    assert_eq!(visibility(true).await.unwrap().status(), 200);
    documents_when(&app, "the incident is gone", |d| !d.html.contains("Withdrawn title")).await;
    assert_eq!(visibility(false).await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let documents = Documents::read(&app).await;
    documents.assert_absent("Withdrawn title");
    documents.assert_absent("Withdrawn words");
    assert_eq!(app.get(&page).await.status(), 404);

    let body = json!({ "status": "investigating", "message": "New words" });
    let again: Value = publish(&app, Some(API_TOKEN), id, body).await.json().await.unwrap();
    assert_ne!(again["title"], "Withdrawn title", "the withdrawn title is not reused");
    let documents = documents_when(&app, "the new update is shown", |d| d.html.contains("New words")).await;
    documents.assert_absent("Withdrawn");
    assert_eq!(documents.feed().entries().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_incident_page_tag_changes_with_its_content_and_weak_or_listed_tags_match() {
    let app = spawn().await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev2" })).await;
    let id = incident["id"].as_str().unwrap();
    let body = json!({ "status": "investigating", "message": "First words" });
    let published: Value = publish(&app, Some(API_TOKEN), id, body).await.json().await.unwrap();
    let page = format!("/status/incidents/{}", published["url"].as_str().unwrap().rsplit('/').next().unwrap());
    documents_when(&app, "the update is shown", |d| d.html.contains("First words")).await;
    let first = app.get(&page).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let conditional = |tag: String| app.http.get(format!("{}{page}", app.address)).header("if-none-match", tag).send();
    assert_eq!(conditional(etag.clone()).await.unwrap().status(), 304);
    assert_eq!(conditional(format!("W/{etag}")).await.unwrap().status(), 304);
    assert_eq!(conditional(format!("\"x\", W/\"y\",{etag}")).await.unwrap().status(), 304);
    assert_eq!(conditional(etag.trim_matches('"').to_owned()).await.unwrap().status(), 200, "an unquoted tag");

    let body = json!({ "status": "monitoring", "message": "Second words" });
    assert_eq!(publish(&app, Some(API_TOKEN), id, body).await.status(), 201);
    let changed = wait_at_most(Duration::from_secs(10), "a new tag", || async {
        let response = conditional(etag.clone()).await.unwrap();
        (response.status() == 200).then_some(response)
    })
    .await;
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    assert!(changed.text().await.unwrap().contains("Second words"));
    app.stop().await;
}

#[tokio::test]
async fn the_page_turned_off_serves_none_of_its_routes_nor_head() {
    let app = TestApp::spawn_with_env(&[("SIMA_STATUS_PAGE", "off")]).await;
    for path in ["/status", "/status/", "/status/feed.atom", "/status/api/v2/summary.json", "/status/incidents/abc"] {
        assert_eq!(call(&app, reqwest::Method::HEAD, path).await.status(), 404, "HEAD {path}");
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(!response.headers().contains_key("etag"));
    }
    app.stop().await;
}

/// The first update reminder posted in the incident's room, on a server whose
/// room reminder falls due 2 s after the last update and whose status page
/// reminder waits `reminder_after`, for a public incident published at once.
async fn first_reminder_with_status_reminder_after(reminder_after: Delay) -> String {
    let app = TestApp::spawn_with(|settings| {
        components(settings);
        settings.reminders.update_after = Delay::secs(2);
        settings.status.reminder_after = reminder_after;
    })
    .await;
    let incident = declare(&app, json!({ "domain": "api", "summary": SUMMARY, "severity": "sev3" })).await;
    let id = incident["id"].as_str().unwrap();
    let room = wait_for_room(&app, id).await["room"]["id"].as_str().unwrap().to_owned();
    let body = json!({ "status": "investigating", "message": MESSAGE, "title": TITLE });
    assert_eq!(publish(&app, Some(API_TOKEN), id, body).await.status(), 201);
    let reminder = wait_at_most(Duration::from_secs(30), "an update reminder in the room", || async {
        app.slack_calls("chat.postMessage").into_iter().find(|c| {
            c.request["channel"] == room.as_str() && c.request["text"].as_str().is_some_and(|t| t.contains("no update"))
        })
    })
    .await;
    app.stop().await;
    reminder.request.to_string()
}

#[tokio::test]
async fn the_status_page_reminder_follows_status_reminder_after() {
    let (after_a_second, off) = tokio::join!(
        first_reminder_with_status_reminder_after(Delay::secs(1)),
        first_reminder_with_status_reminder_after(Delay::OFF),
    );
    let line = "The status page has not been updated for";
    assert!(after_a_second.contains(line), "published over 1 s before the reminder: {after_a_second}");
    assert!(!off.contains(line), "`reminder_after = \"off\"`: no status page line: {off}");
}
