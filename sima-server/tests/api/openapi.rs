//! `GET /api/v1/openapi.json`: read like the API and refused like it; every
//! route it describes is served with exactly the methods it names (the
//! document comes from the same registrations as the router, and the routes
//! Slack and Teams call are described from a table these tests hold to the
//! routes served); every route a program calls is in it, the dashboard's
//! pages are not; it is a valid
//! OpenAPI 3.1 document by the OpenAPI Initiative's own JSON Schemas
//! (vendored under `tests/fixtures/openapi-schemas-2.1.0`); and real answers,
//! errors included, match the schemas it gives for their status.

use std::collections::HashSet;
use std::path::PathBuf;

use jsonschema::Registry;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};
use sima_server::settings::Secret;
use sima_server::Settings;

use crate::helpers::{api_error, TestApp, PUBLIC_URL, WEBHOOK_TOKEN};

/// The routes outside `/api/v1` and `/webhooks` a program calls.
const OTHER_ROUTES: [&str; 11] = [
    "/status",
    "/status/feed.atom",
    "/status/api/v2/summary.json",
    "/healthz",
    "/readyz",
    "/metrics",
    "/postmortems/{file}",
    "/slack/commands",
    "/slack/interactions",
    "/slack/events",
    "/teams/messages",
];

const API_TOKEN: &str = "api-token-for-openapi-0123456789";
const READ_TOKEN: &str = "read-token-for-openapi-012345678";
const DOCUMENT: &str = "/api/v1/openapi.json";
/// Where the document is registered for `$ref`s into it.
const DOCUMENT_URI: &str = "https://sima.test/openapi.json";
/// Methods a route could be served with.
const METHODS: [Method; 5] = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];

fn with_tokens(settings: &mut Settings) {
    settings.api_token = Some(Secret::new(API_TOKEN));
    settings.api_read_token = Some(Secret::new(READ_TOKEN));
}

/// Both API tokens, Slack's signed routes (the test settings set the signing
/// secret), Teams as the chat (at addresses nothing listens on: nothing here
/// gets past its token check), and `INC-1.md` in `postmortems`, so that every
/// route is served by its own handler and a path that is not served answers 404.
fn with_every_route(postmortems: &std::path::Path) -> impl FnOnce(&mut Settings) + '_ {
    move |settings| {
        with_tokens(settings);
        std::fs::create_dir_all(postmortems).expect("a post-mortem directory");
        std::fs::write(postmortems.join("INC-1.md"), "# INC-1: Card payments fail\n").expect("a post-mortem");
        settings.postmortem_dir = postmortems.to_owned();
        settings.chat.provider = Some("teams".into());
        let teams = &mut settings.teams;
        teams.tenant_id = Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into());
        teams.app_id = Some("0b9c9a3d-5b2e-4c37-9a0e-3f1e7c0d2a11".into());
        teams.app_password = Some(Secret::new("teams-app-password"));
        teams.team_id = Some("19:team@thread.tacv2".into());
        teams.broadcast_channel = Some("19:broadcast@thread.tacv2".into());
        for url in [&mut teams.graph_url, &mut teams.connector_url, &mut teams.token_url, &mut teams.openid_url] {
            *url = Some("http://127.0.0.1:9".into());
        }
    }
}

/// A request to `path` with `token`, and `{}` as the body of anything but a `GET`.
fn request(app: &TestApp, method: Method, path: &str, token: &str) -> RequestBuilder {
    let request = app.http.request(method.clone(), format!("{}{path}", app.address)).bearer_auth(token);
    if method == Method::GET {
        request
    } else {
        request.json(&json!({}))
    }
}

/// The document, read with the read token.
async fn document(app: &TestApp) -> Value {
    let response = request(app, Method::GET, DOCUMENT, READ_TOKEN).send().await.expect("the server answers");
    assert_eq!(response.status(), 200);
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some("application/json"));
    response.json().await.expect("a JSON document")
}

/// Every `(path, method)` the document describes.
fn operations(document: &Value) -> Vec<(String, Method)> {
    let paths = document["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item");
            METHODS
                .iter()
                .filter(|m| item.contains_key(&m.as_str().to_ascii_lowercase()))
                .map(|m| (path.clone(), m.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `path` with its parameters filled in: incident INC-1, action item 1, post-mortem `INC-1.md`.
fn concrete(path: &str) -> String {
    path.replace("{id}", "INC-1").replace("{number}", "1").replace("{file}", "INC-1.md")
}

/// The token a route takes: the webhook token under `/webhooks`, else the API token.
fn token_for(path: &str) -> &'static str {
    if path.starts_with("/webhooks/") {
        WEBHOOK_TOKEN
    } else {
        API_TOKEN
    }
}

/// A JSON file of the vendored OpenAPI 3.1 schemas.
fn fixture(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi-schemas-2.1.0/schemas/v3.1").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("a JSON schema")
}

/// The errors of `instance` against the schema `uri` names, every resource
/// of `resources` known and nothing fetched; `formats` asserts `format`s
/// (JSON Schema 2020-12 only annotates them unless told to).
fn errors(resources: Vec<(&str, Value)>, uri: &str, instance: &Value, formats: bool) -> Vec<String> {
    let registry = Registry::new().extend(resources).expect("valid URIs").prepare().expect("the schemas resolve");
    let validator = jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(formats)
        .build(&json!({ "$ref": uri }))
        .unwrap_or_else(|e| panic!("a validator for {uri}: {e}"));
    validator.iter_errors(instance).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

/// Every Schema Object of `value`: the components' schemas and the `schema`
/// of each parameter, body, answer and header.
fn schema_objects<'v>(value: &'v Value, into: &mut Vec<&'v Value>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "schema" {
                    into.push(child);
                } else if key == "schemas" {
                    into.extend(child.as_object().into_iter().flat_map(|schemas| schemas.values()));
                } else {
                    schema_objects(child, into);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| schema_objects(v, into)),
        _ => {}
    }
}

/// The errors of `document` against the OpenAPI 3.1 schema, and of each of
/// its Schema Objects against the default dialect (JSON Schema 2020-12 with
/// the OpenAPI base vocabulary).
fn openapi_errors(document: &Value) -> Vec<String> {
    let oas = "https://spec.openapis.org/oas/3.1/schema/2021-04-15";
    let mut found = errors(vec![(oas, fixture("schema.json"))], oas, document, false);
    let mut schemas = Vec::new();
    schema_objects(document, &mut schemas);
    assert!(schemas.len() > 40, "Schema Objects are found: {}", schemas.len());
    let dialect = "https://spec.openapis.org/oas/3.1/dialect/base";
    for schema in schemas {
        let resources = vec![
            (dialect, fixture("dialect/base.schema.json")),
            ("https://spec.openapis.org/oas/3.1/meta/base", fixture("meta/base.schema.json")),
        ];
        found.extend(errors(resources, dialect, schema, false).into_iter().map(|e| format!("{schema}: {e}")));
    }
    found
}

/// A JSON pointer segment (`/` and `~` escaped).
fn segment(text: &str) -> String {
    text.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer as a URI fragment (`{` and `}` percent-encoded).
fn fragment(pointer: &str) -> String {
    pointer.replace('{', "%7B").replace('}', "%7D")
}

/// The documented path `path` (query aside) is an instance of: `{…}`
/// segments stand for any one segment.
fn template<'d>(document: &'d Value, path: &str) -> &'d str {
    let path = path.split('?').next().unwrap_or_default();
    let matches = |template: &str| {
        let (ours, theirs): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
        ours.len() == theirs.len() && ours.iter().zip(&theirs).all(|(o, t)| o == t || o.starts_with('{'))
    };
    let paths = document["paths"].as_object().expect("paths");
    paths.keys().find(|t| matches(t)).unwrap_or_else(|| panic!("{path} is not described"))
}

/// Checks `response` to `method path` against the schema the document gives
/// for its status, and returns its status and body.
async fn answers(document: &Value, method: &Method, path: &str, response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let media_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let text = response.text().await.unwrap_or_else(|e| panic!("{method} {path}: a body: {e}"));
    let operation = format!("/paths/{}/{}", segment(template(document, path)), method.as_str().to_ascii_lowercase());
    let mut answer = format!("{operation}/responses/{status}");
    let described = document
        .pointer(&answer)
        .unwrap_or_else(|| panic!("{method} {path} answered {status}, which the document does not describe: {text}"));
    if let Some(reference) = described["$ref"].as_str() {
        answer = reference.strip_prefix('#').expect("a local reference").to_owned();
    }
    let Some(media_type) = media_type.filter(|_| !text.is_empty()) else { return (status, Value::Null) };
    if media_type != "application/json" {
        let content = format!("{answer}/content/{}", segment(&media_type));
        assert!(document.pointer(&content).is_some(), "{method} {path} {status}: {media_type} is not at {content}");
        return (status, Value::String(text));
    }
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {path}: a JSON body: {e}"));
    let schema = format!("{answer}/content/application~1json/schema");
    assert!(document.pointer(&schema).is_some(), "{method} {path} {status}: no JSON schema at {schema}");
    let uri = format!("{DOCUMENT_URI}#{}", fragment(&schema));
    let found = errors(vec![(DOCUMENT_URI, document.clone())], &uri, &body, true);
    assert!(found.is_empty(), "{method} {path} {status} does not match its schema: {found:#?}\n{body:#}");
    (status, body)
}

/// A server with both API tokens, and the document it serves.
struct Described {
    app: TestApp,
    document: Value,
}

impl Described {
    async fn start() -> Self {
        let app = TestApp::spawn_with(with_tokens).await;
        let document = document(&app).await;
        Self { app, document }
    }

    /// `method path` with `token` (and `body`), checked against the document.
    async fn call(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.app.http.request(method.clone(), format!("{}{path}", self.app.address));
        request = request.bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answers(&self.document, &method, path, request.send().await.expect("the server answers")).await
    }
}

/// Every `$ref` in `value`.
fn references(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                into.push(reference.clone());
            }
            map.values().for_each(|v| references(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, into)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_read_with_the_read_token_and_refused_like_the_api() {
    let app = TestApp::spawn_with(with_tokens).await;
    let url = format!("{}{DOCUMENT}", app.address);

    let refused = [
        (app.http.get(&url), 401, "unauthorized"),
        (app.http.get(&url).bearer_auth("wrong-token-0123456789"), 401, "unauthorized"),
        (app.http.get(&url).bearer_auth(WEBHOOK_TOKEN), 401, "unauthorized"),
        (app.http.get(&url).bearer_auth(READ_TOKEN).header("Origin", "https://evil.example"), 403, "forbidden_origin"),
        (app.http.get(&url).bearer_auth(READ_TOKEN).header("Origin", "null"), 403, "forbidden_origin"),
    ];
    for (request, status, code) in refused {
        api_error(request.send().await.expect("the server answers"), status, code).await;
    }
    let write = app.http.post(&url).bearer_auth(API_TOKEN).json(&json!({})).send().await.unwrap();
    assert_eq!(write.status(), 405, "the document is only read");

    let document = document(&app).await;
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "{}", document["openapi"]);
    assert_eq!(document["servers"][0]["url"], PUBLIC_URL, "links point at SIMA_PUBLIC_URL");
    let same_site = app.http.get(&url).bearer_auth(API_TOKEN).header("Origin", PUBLIC_URL).send().await.unwrap();
    assert_eq!(same_site.status(), 200);
    assert_eq!(same_site.headers().get("cache-control").map(|v| v.as_bytes()), Some(&b"no-store"[..]));
    assert_eq!(same_site.json::<Value>().await.unwrap(), document, "both tokens read the same document");
}

#[tokio::test]
async fn without_tokens_it_answers_this_machine_by_its_own_names_only() {
    let app = TestApp::spawn(Default::default()).await;
    let url = format!("{}{DOCUMENT}", app.address);
    assert_eq!(app.http.get(&url).send().await.unwrap().status(), 200);
    let rebound = app.http.get(&url).header("Host", "rebind.attacker.test").send().await.unwrap();
    api_error(rebound, 403, "forbidden_host").await;
    let forwarded = app.http.get(&url).header("X-Forwarded-For", "203.0.113.7").send().await.unwrap();
    api_error(forwarded, 401, "unauthorized").await;
}

#[tokio::test]
async fn every_route_it_describes_is_served_with_exactly_those_methods() {
    let postmortems = tempfile::tempdir().expect("a temporary directory");
    let app = TestApp::spawn_with(with_every_route(postmortems.path())).await;
    let declared = request(&app, Method::POST, "/api/v1/incidents", API_TOKEN)
        .json(&json!({ "domain": "payments", "summary": "Card payments fail" }))
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), 201);
    let action = request(&app, Method::POST, "/api/v1/incidents/INC-1/actions", API_TOKEN)
        .json(&json!({ "text": "Alert on certificate expiry" }))
        .send()
        .await
        .unwrap();
    assert_eq!(action.status(), 201);

    let document = document(&app).await;
    let described = operations(&document);
    let paths: HashSet<&str> = described.iter().map(|(path, _)| path.as_str()).collect();
    let others: HashSet<&str> =
        paths.iter().copied().filter(|p| !p.starts_with("/api/v1/") && !p.starts_with("/webhooks/")).collect();
    assert_eq!(others, HashSet::from(OTHER_ROUTES), "every route a program calls, and no other, is described");
    for required in ["/webhooks/alerts", "/webhooks/alertmanager", DOCUMENT] {
        assert!(paths.contains(required), "{required} is described");
    }
    assert!(paths.iter().all(|p| !p.starts_with("/ui")), "the dashboard's pages are not an API");
    // This server serves every route with its own handler: a path next to a
    // described one is not served, so a described path that is wrong would fail below.
    for unserved in ["/slack/command", "/slack/event", "/teams/message", "/postmortem/INC-1.md", "/readiness"] {
        let response = request(&app, Method::POST, unserved, API_TOKEN).send().await.unwrap();
        let answer = request(&app, Method::GET, unserved, API_TOKEN).send().await.unwrap();
        assert_eq!((response.status().as_u16(), answer.status().as_u16()), (404, 404), "{unserved} is not served");
    }

    for path in paths {
        for method in METHODS {
            let is_described = described.contains(&(path.to_owned(), method.clone()));
            let response = request(&app, method.clone(), &concrete(path), token_for(path)).send().await.unwrap();
            let status = response.status().as_u16();
            if is_described {
                assert!(![404, 405].contains(&status), "{method} {path} is described but answers {status}");
            } else {
                assert_eq!(status, 405, "{method} {path} is served but not described");
            }
        }
    }
}

/// The refusals an operation on `path` must describe: those of the layers
/// `crate::router` puts around it, and the chat routes' own.
fn refusals_of(path: &str) -> &'static [&'static str] {
    match path {
        "/healthz" => &[],
        p if p.starts_with("/status") => &["404", "503"],
        "/readyz" => &["503"],
        "/metrics" => &["401", "403", "500", "503"],
        p if p.starts_with("/slack/") || p.starts_with("/teams/") => &["400", "401", "413", "503"],
        _ => &["401", "429", "503"],
    }
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let app = TestApp::spawn_with(with_tokens).await;
    let document = document(&app).await;

    let found = openapi_errors(&document);
    assert!(found.is_empty(), "the document breaks the OpenAPI 3.1 schema: {found:#?}");
    let mut broken = document.clone();
    broken["paths"]["/api/v1/incidents"]["get"]["responses"] = json!([]);
    broken["info"].as_object_mut().expect("info").remove("title");
    assert!(openapi_errors(&broken).len() >= 2, "the schemas catch a broken document");
    let mut broken = document.clone();
    broken["components"]["schemas"]["Incident"]["required"] = json!("id");
    assert!(!openapi_errors(&broken).is_empty(), "the Schema Object dialect catches a broken schema");

    let mut found = Vec::new();
    references(&document, &mut found);
    assert!(found.len() > 20, "the schemas are shared by reference: {found:?}");
    for reference in found {
        let target = reference.strip_prefix('#').unwrap_or_else(|| panic!("{reference} points outside the document"));
        assert!(document.pointer(target).is_some(), "{reference} points at nothing");
    }

    let mut ids = HashSet::new();
    for (path, method) in operations(&document) {
        let operation = &document["paths"][&path][method.as_str().to_ascii_lowercase()];
        let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has an operationId"));
        assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
        assert!(
            operation["security"].as_array().is_some_and(|s| !s.is_empty()),
            "{method} {path} names its credentials"
        );
        for status in refusals_of(&path) {
            assert!(operation["responses"][status].is_object(), "{method} {path} describes its {status}");
        }
    }
    let schemes = &document["components"]["securitySchemes"];
    for scheme in ["api_token", "read_token", "webhook_token", "metrics_token", "bot_framework"] {
        assert_eq!(
            (&schemes[scheme]["type"], &schemes[scheme]["scheme"]),
            (&json!("http"), &json!("bearer")),
            "{scheme}"
        );
    }
    assert_eq!(schemes["bot_framework"]["bearerFormat"], "JWT");
    for (scheme, header, explains) in [
        ("slack_signature", "X-Slack-Signature", "SIMA_SLACK_SIGNING_SECRET"),
        ("slack_request_timestamp", "X-Slack-Request-Timestamp", "5 minutes"),
    ] {
        let described = &schemes[scheme];
        assert_eq!(
            (&described["type"], &described["in"], &described["name"]),
            (&json!("apiKey"), &json!("header"), &json!(header))
        );
        assert!(described["description"].as_str().is_some_and(|d| d.contains(explains)), "{described}");
    }
    let paths = &document["paths"];
    assert_eq!(paths["/healthz"]["get"]["security"], json!([{}]), "no credential");
    assert_eq!(paths["/readyz"]["get"]["security"], json!([{}]), "no credential");
    assert_eq!(
        paths["/metrics"]["get"]["security"],
        json!([{ "metrics_token": [] }, { "api_token": [] }, {}]),
        "the metrics token or the API token, or nothing while neither is set"
    );
    assert!(
        paths["/metrics"]["get"]["responses"]["200"]["content"]["text/plain; version=0.0.4; charset=utf-8"].is_object()
    );
    assert_eq!(paths["/postmortems/{file}"]["get"]["security"], json!([{ "api_token": [] }, { "read_token": [] }]));
    assert!(
        paths["/postmortems/{file}"]["get"]["responses"]["200"]["content"]["text/markdown; charset=utf-8"].is_object()
    );
    let signed = json!([{ "slack_signature": [], "slack_request_timestamp": [] }]);
    for path in ["/slack/commands", "/slack/interactions", "/slack/events"] {
        assert_eq!(paths[path]["post"]["security"], signed, "{path} is signed by Slack");
    }
    let form = &paths["/slack/commands"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"];
    assert!(form["schema"]["properties"]["command"].is_object(), "{form}");
    assert!(paths["/slack/events"]["post"]["requestBody"]["content"]["application/json"].is_object());
    assert_eq!(paths["/teams/messages"]["post"]["security"], json!([{ "bot_framework": [] }]));
    let about = document["info"]["description"].as_str().expect("a description");
    assert!(about.contains("/ui/"), "the description says the dashboard's pages are left out: {about}");
    let reads = &document["paths"]["/api/v1/incidents"]["get"]["security"];
    assert_eq!(reads, &json!([{ "api_token": [] }, { "read_token": [] }]));
    assert_eq!(document["paths"]["/api/v1/incidents"]["post"]["security"], json!([{ "api_token": [] }]));
    assert_eq!(document["paths"]["/api/v1/sessions"]["get"]["security"], json!([{ "api_token": [] }]));
    assert_eq!(document["paths"]["/webhooks/alerts"]["post"]["security"], json!([{ "webhook_token": [] }]));
}

#[tokio::test]
async fn real_answers_match_the_documented_schemas() {
    let api = Described::start().await;
    let declaration = json!({ "domain": "payments", "summary": "Card payments fail", "severity": "sev2",
                              "impact": 120, "dedup_key": "payments-5xx" });
    let (status, incident) = api.call(Method::POST, "/api/v1/incidents", API_TOKEN, Some(declaration.clone())).await;
    assert_eq!((status, incident["number"].as_str()), (201, Some("INC-1")));
    let (status, again) = api.call(Method::POST, "/api/v1/incidents", API_TOKEN, Some(declaration)).await;
    assert_eq!((status, &again["id"]), (200, &incident["id"]));
    let (_, list) = api.call(Method::GET, "/api/v1/incidents?limit=1", READ_TOKEN, None).await;
    assert_eq!(list["incidents"][0]["id"], incident["id"]);
    api.call(Method::GET, "/api/v1/incidents/INC-1", READ_TOKEN, None).await;

    let change = json!({ "status": "investigating", "message": "Looking at the card processor" });
    let (_, investigating) = api.call(Method::POST, "/api/v1/incidents/INC-1/status", API_TOKEN, Some(change)).await;
    assert_eq!(investigating["status"], "investigating");
    let (_, timeline) = api.call(Method::GET, "/api/v1/incidents/INC-1/timeline", READ_TOKEN, None).await;
    let kinds: Vec<&Value> = timeline["events"].as_array().expect("events").iter().map(|e| &e["kind"]).collect();
    assert!(kinds.contains(&&json!("status_changed")), "{timeline}");

    let item = json!({ "text": "Alert on processor errors", "owner": "@U0ALICE", "due": "2026-12-01" });
    let (status, _) = api.call(Method::POST, "/api/v1/incidents/INC-1/actions", API_TOKEN, Some(item)).await;
    assert_eq!(status, 201);
    api.call(Method::GET, "/api/v1/incidents/INC-1/actions", READ_TOKEN, None).await;
    let (_, done) = api.call(Method::POST, "/api/v1/incidents/INC-1/actions/1/done", API_TOKEN, Some(json!({}))).await;
    assert_eq!(done["status"], "done");
    api.call(Method::POST, "/api/v1/incidents/INC-1/effects/retry", API_TOKEN, Some(json!({}))).await;
    for private in [true, false] {
        let visibility = Some(json!({ "private": private }));
        let (_, changed) = api.call(Method::POST, "/api/v1/incidents/INC-1/visibility", API_TOKEN, visibility).await;
        assert_eq!(changed["private"], private);
    }
    api.call(Method::GET, "/api/v1/metrics?severity=sev2", READ_TOKEN, None).await;
    api.call(Method::GET, "/api/v1/sessions", API_TOKEN, None).await;
    api.call(Method::POST, "/api/v1/sessions/revoke", API_TOKEN, Some(json!({ "user": "token:read" }))).await;
    api.call(Method::GET, DOCUMENT, READ_TOKEN, None).await;

    let alert = json!({ "dedup_key": "checkout-5xx", "domain": "checkout", "summary": "Checkout 5xx",
                        "status": "firing" });
    let (status, fired) = api.call(Method::POST, "/webhooks/alerts", WEBHOOK_TOKEN, Some(alert)).await;
    assert_eq!((status, &fired["created"]), (201, &json!(true)));
    let unknown = json!({ "dedup_key": "never-fired", "domain": "checkout", "summary": "Checkout 5xx",
                          "status": "resolved" });
    let (status, cleared) = api.call(Method::POST, "/webhooks/alerts", WEBHOOK_TOKEN, Some(unknown)).await;
    assert_eq!((status, &cleared["incident"]), (200, &Value::Null));
    let notification = json!({
        "version": "4", "groupKey": "{}:{alertname=\"DiskFull\"}", "status": "firing", "receiver": "sima",
        "commonLabels": { "alertname": "DiskFull", "severity": "critical", "service": "storage" },
        "commonAnnotations": { "summary": "Disk full on db-1" },
        "alerts": [{ "status": "firing", "labels": { "alertname": "DiskFull" }, "annotations": {},
                     "startsAt": "2026-01-05T10:00:00Z", "generatorURL": "http://prometheus.test/graph" }]
    });
    let (status, _) = api.call(Method::POST, "/webhooks/alertmanager", WEBHOOK_TOKEN, Some(notification)).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn errors_come_in_the_documented_status_and_shape() {
    let api = Described::start().await;
    let declaration = json!({ "domain": "payments", "summary": "Card payments fail" });
    assert_eq!(api.call(Method::POST, "/api/v1/incidents", API_TOKEN, Some(declaration)).await.0, 201);
    let investigating = json!({ "status": "investigating" });
    assert_eq!(
        api.call(Method::POST, "/api/v1/incidents/INC-1/status", API_TOKEN, Some(investigating.clone())).await.0,
        200
    );

    let make_private = json!({ "private": true });
    let refused = [
        (Method::GET, "/api/v1/incidents/INC-999", READ_TOKEN, None, 404, "not_found"),
        (Method::GET, "/api/v1/incidents/INC-0", READ_TOKEN, None, 400, "invalid_input"),
        (Method::GET, "/api/v1/incidents?severity=sev9", READ_TOKEN, None, 400, "invalid_input"),
        (Method::GET, "/api/v1/metrics?status=open", READ_TOKEN, None, 400, "invalid_input"),
        (Method::GET, "/api/v1/incidents", "wrong-token-0123456789", None, 401, "unauthorized"),
        (Method::POST, "/api/v1/incidents/INC-1/status", READ_TOKEN, Some(investigating.clone()), 403, "forbidden"),
        (Method::POST, "/api/v1/incidents/INC-1/status", API_TOKEN, Some(investigating), 409, "refused"),
        (Method::POST, "/api/v1/incidents", API_TOKEN, Some(json!({ "summary": "No domain" })), 422, "invalid_json"),
        (Method::POST, "/api/v1/incidents/INC-1/visibility", API_TOKEN, Some(json!({})), 422, "invalid_json"),
        (Method::POST, "/api/v1/incidents/INC-9/visibility", API_TOKEN, Some(make_private), 404, "not_found"),
        (Method::POST, "/api/v1/incidents/INC-1/actions/0/done", API_TOKEN, Some(json!({})), 400, "invalid_input"),
        (Method::GET, "/api/v1/sessions", READ_TOKEN, None, 403, "forbidden"),
        (Method::POST, "/webhooks/alerts", API_TOKEN, Some(json!({})), 401, "unauthorized"),
        (
            Method::POST,
            "/webhooks/alertmanager",
            WEBHOOK_TOKEN,
            Some(json!({ "version": "3", "groupKey": "g",
                                                                            "status": "firing" })),
            400,
            "invalid_input",
        ),
    ];
    for (method, path, token, body, expected, code) in refused {
        let (status, body) = api.call(method.clone(), path, token, body).await;
        assert_eq!((status, body["error"]["code"].as_str()), (expected, Some(code)), "{method} {path}: {body}");
    }

    let url = format!("{}/api/v1/incidents", api.app.address);
    let plain = api.app.http.post(&url).bearer_auth(API_TOKEN).header("Content-Type", "text/plain").body("{}");
    let (status, body) = answers(&api.document, &Method::POST, "/api/v1/incidents", plain.send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (415, Some("unsupported_media_type")));
    let foreign = api.app.http.get(&url).bearer_auth(READ_TOKEN).header("Origin", "https://evil.example");
    let (status, body) = answers(&api.document, &Method::GET, "/api/v1/incidents", foreign.send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden_origin")));
}

#[tokio::test]
async fn the_routes_outside_the_api_answer_as_documented() {
    let postmortems = tempfile::tempdir().expect("a temporary directory");
    let app = TestApp::spawn_with(with_every_route(postmortems.path())).await;
    let document = document(&app).await;
    let url = |path: &str| format!("{}{path}", app.address);
    let checked = |method: Method, path: &'static str, request: RequestBuilder| {
        let document = &document;
        async move { answers(document, &method, path, request.send().await.expect("the server answers")).await }
    };

    assert_eq!(checked(Method::GET, "/healthz", app.http.get(url("/healthz"))).await, (200, json!({ "status": "ok" })));
    assert_eq!(
        checked(Method::GET, "/readyz", app.http.get(url("/readyz"))).await,
        (200, json!({ "status": "ready" }))
    );
    let (status, metrics) = checked(Method::GET, "/metrics", app.http.get(url("/metrics"))).await;
    assert!(status == 200 && metrics.as_str().is_some_and(|m| m.contains("sima_build_info")), "{metrics}");

    let postmortem = app.http.get(url("/postmortems/INC-1.md")).bearer_auth(READ_TOKEN);
    let (status, text) = checked(Method::GET, "/postmortems/INC-1.md", postmortem).await;
    assert_eq!((status, text), (200, json!("# INC-1: Card payments fail\n")));
    let missing = app.http.get(url("/postmortems/INC-9.md")).bearer_auth(READ_TOKEN);
    let (status, body) = checked(Method::GET, "/postmortems/INC-9.md", missing).await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("not_found")));
    let anonymous = app.http.get(url("/postmortems/INC-1.md"));
    let (status, body) = checked(Method::GET, "/postmortems/INC-1.md", anonymous).await;
    assert_eq!((status, &body["error"]["code"]), (401, &json!("unauthorized")));

    let challenge = json!({ "type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "token": "t" });
    let verified = app.event(&challenge, &[]).await;
    let (status, body) = answers(&document, &Method::POST, "/slack/events", verified).await;
    assert_eq!((status, &body["challenge"]), (200, &challenge["challenge"]));
    let (status, _) =
        answers(&document, &Method::POST, "/slack/commands", app.slash("U0ALICE", "C0GENERAL", "help").await).await;
    assert_eq!(status, 200);
    let unsigned = app.http.post(url("/slack/events")).json(&challenge);
    let (status, body) = checked(Method::POST, "/slack/events", unsigned).await;
    assert!(status == 401 && body.as_str().is_some_and(|b| b.contains("signature")), "{status} {body}");
    let form = "payload=%7B%7D".to_owned();
    let stale =
        app.post_slack("/slack/interactions", "application/x-www-form-urlencoded", form, 1_600_000_000, &[]).await;
    assert_eq!(answers(&document, &Method::POST, "/slack/interactions", stale).await.0, 401);

    let forged = app.http.post(url("/teams/messages")).bearer_auth("not.a.jwt").json(&json!({ "type": "message" }));
    let (status, body) = checked(Method::POST, "/teams/messages", forged).await;
    assert!(status == 401 && body.is_string(), "{status} {body}");
    let anonymous = app.http.post(url("/teams/messages")).json(&json!({ "type": "message" }));
    assert_eq!(checked(Method::POST, "/teams/messages", anonymous).await.0, 401);
}

#[tokio::test]
async fn chat_routes_without_their_settings_refuse_as_documented() {
    let app = TestApp::spawn_with(|settings| {
        with_tokens(settings);
        settings.slack.signing_secret = None;
    })
    .await;
    let document = document(&app).await;
    for path in ["/slack/commands", "/slack/interactions", "/slack/events", "/teams/messages"] {
        let response = app.http.post(format!("{}{path}", app.address)).json(&json!({})).send().await.unwrap();
        let (status, body) = answers(&document, &Method::POST, path, response).await;
        assert_eq!((status, &body["error"]["code"]), (401, &json!("unauthorized")), "{path}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("SIMA_SLACK_SIGNING_SECRET") || message.contains("SIMA_CHAT=teams"), "{message}");
    }
}
