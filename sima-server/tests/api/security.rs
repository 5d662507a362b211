//! The HTTP surface under attack or load: credentials on every API route,
//! refused secrets and characters, rate limits, overload, timeouts, replays,
//! idempotent declarations, pages, and room names in every script.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{json, Value};
use sima_server::settings::Secret;
use sima_server::{Application, Settings};
use std::io::{Read, Write};
use std::net::TcpStream;

use crate::helpers::{wait_until, Options, TestApp};

const API_TOKEN: &str = "api-token-for-tests-0123456789";
const READ_TOKEN: &str = "read-token-for-tests-0123456789";
const METRICS_TOKEN: &str = "metrics-token-for-tests-012345";

/// Every `/api/v1` route, with a real incident where one is needed.
const ROUTES: [&str; 5] = [
    "/api/v1/incidents",
    "/api/v1/incidents/INC-1",
    "/api/v1/incidents/INC-1/timeline",
    "/api/v1/incidents/INC-1/status",
    "/api/v1/metrics",
];

fn with_tokens(settings: &mut Settings) {
    settings.api_token = Some(Secret::new(API_TOKEN));
    settings.api_read_token = Some(Secret::new(READ_TOKEN));
    settings.metrics_token = Some(Secret::new(METRICS_TOKEN));
}

fn declaration(summary: &str) -> Value {
    json!({ "domain": "payments", "summary": summary, "severity": "sev2" })
}

async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["error"]["code"].as_str().unwrap_or("<no JSON error>").to_owned())
}

#[tokio::test]
async fn every_api_route_and_method_needs_the_token_and_nothing_happens_without_it() {
    let app = TestApp::spawn_with(with_tokens).await;
    let create = app.http.post(format!("{}/api/v1/incidents", app.address)).bearer_auth(API_TOKEN);
    assert_eq!(create.json(&declaration("Card payments fail")).send().await.unwrap().status(), 201);

    for route in ROUTES {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let url = format!("{}{route}", app.address);
            for token in [None, Some("wrong-token-0123456789"), Some(METRICS_TOKEN)] {
                let mut request = app.http.request(method.clone(), &url).json(&declaration("Sneaky"));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                let (status, code) = error_code(request.send().await.unwrap()).await;
                assert_eq!((status, code.as_str()), (401, "unauthorized"), "{method} {route} with {token:?}");
            }
        }
    }

    let list = app.http.get(format!("{}/api/v1/incidents", app.address)).bearer_auth(READ_TOKEN).send().await.unwrap();
    assert_eq!(list.status(), 200);
    let list: Value = list.json().await.unwrap();
    assert_eq!(list["incidents"].as_array().map(Vec::len), Some(1), "only the authorized declaration: {list}");
    let status = json!({ "status": "resolved" });
    let write = app.http.post(format!("{}/api/v1/incidents/INC-1/status", app.address)).bearer_auth(READ_TOKEN);
    assert_eq!(error_code(write.json(&status).send().await.unwrap()).await, (403, "forbidden".to_owned()));
    let incident: Value = app
        .http
        .get(format!("{}/api/v1/incidents/INC-1", app.address))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(incident["status"], "open", "nothing was resolved");
    let rooms = app.slack_calls("conversations.create").len();
    assert_eq!(rooms, 1, "one room, for the authorized declaration only");
}

#[tokio::test]
async fn without_a_token_the_api_answers_loopback_clients_only() {
    let app = TestApp::spawn(Options::default()).await;
    assert_eq!(app.get("/api/v1/incidents").await.status(), 200, "a newcomer on localhost");
    let proxied = app.http.get(format!("{}/api/v1/incidents", app.address)).header("X-Forwarded-For", "203.0.113.7");
    assert_eq!(error_code(proxied.send().await.unwrap()).await, (401, "unauthorized".to_owned()));
    let forwarded = app.http.get(format!("{}/api/v1/metrics", app.address)).header("Forwarded", "for=198.51.100.2");
    assert_eq!(forwarded.send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn metrics_take_their_own_token_and_health_needs_none() {
    let app = TestApp::spawn_with(with_tokens).await;
    assert_eq!(app.get("/metrics").await.status(), 401);
    for token in [METRICS_TOKEN, API_TOKEN] {
        let scrape = app.http.get(format!("{}/metrics", app.address)).bearer_auth(token).send().await.unwrap();
        assert_eq!(scrape.status(), 200);
    }
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[tokio::test]
async fn short_or_empty_secrets_stop_the_start() {
    for tweak in [
        (|s: &mut Settings| s.api_token = Some(Secret::new("short"))) as fn(&mut Settings),
        |s| s.webhook_token = Some(Secret::new("")),
        |s| s.slack.signing_secret = Some(Secret::new("0123456789")),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings {
            listen: "127.0.0.1:0".into(),
            database_url: format!("sqlite://{}", dir.path().join("x.db").display()),
            ..Settings::default()
        };
        tweak(&mut settings);
        let error = Application::build(settings).await.err().expect("refused");
        assert!(error.to_string().contains("at least 16 characters"), "{error}");
    }
}

#[tokio::test]
async fn markup_in_user_ids_and_hidden_characters_are_refused_before_storage() {
    let app = TestApp::spawn(Options::default()).await;
    let cases = [
        (json!({ "domain": "payments", "summary": "Payments", "reporter": "U1><!channel" }), 400),
        (json!({ "domain": "payments", "summary": "Pay\u{202E}stnem" }), 422),
        (json!({ "domain": "payments", "summary": "Tab\tseparated" }), 422),
        (json!({ "domain": "payments", "summary": "Payments", "description": "two\nlines\u{0}nul" }), 422),
    ];
    for (body, status) in cases {
        let response = app.post_json("/api/v1/incidents", &body).await;
        assert_eq!(response.status(), status, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_input", "{error}");
    }
    assert!(app.incidents().await.is_empty(), "nothing stored");
    let created = app
        .post_json(
            "/api/v1/incidents",
            &json!({ "domain": "payments", "summary": "Payments", "description": "two\nlines" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let nul =
        app.post_json("/api/v1/incidents/INC-1/status", &json!({ "status": "resolved", "message": "ok\u{0}" })).await;
    assert_eq!(nul.status(), 422);
}

#[tokio::test]
async fn a_client_over_its_budget_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(|s| {
        s.limits.requests_per_second = 1;
        s.limits.burst = 3;
    })
    .await;
    let statuses: Vec<u16> = futures::future::join_all((0..5).map(|_| app.get("/api/v1/incidents")))
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3, "{statuses:?}");
    let limited = app.get("/api/v1/incidents").await;
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert_eq!(error_code(limited).await.1, "rate_limited");
    let anonymous_hook = app.http.post(format!("{}/webhooks/alerts", app.address)).json(&json!({}));
    assert_eq!(anonymous_hook.send().await.unwrap().status(), 429, "anonymous webhooks share the client's budget");
    assert_eq!(app.get("/healthz").await.status(), 200, "health is never limited");
}

#[tokio::test]
async fn anonymous_traffic_cannot_starve_callers_with_a_credential() {
    // Behind one proxy that adds no X-Forwarded-For, every client shares its address.
    let app = TestApp::spawn_with(|s| {
        with_tokens(s);
        s.limits.requests_per_second = 1;
        s.limits.burst = 3;
    })
    .await;
    for _ in 0..10 {
        app.get("/api/v1/incidents").await;
        app.http
            .post(format!("{}/webhooks/alerts", app.address))
            .bearer_auth("wrong-token-0123456789")
            .send()
            .await
            .unwrap();
    }
    assert_eq!(app.get("/api/v1/incidents").await.status(), 429, "the anonymous budget is spent");
    let alert = json!({ "dedup_key": "db-1", "domain": "payments", "summary": "Database down", "status": "firing" });
    assert_eq!(app.webhook("/webhooks/alerts", &alert).await.status(), 201, "Alertmanager's webhook still lands");
    let list = app.http.get(format!("{}/api/v1/incidents", app.address)).bearer_auth(API_TOKEN).send().await.unwrap();
    assert_eq!(list.status(), 200, "and the API token's calls");
}

fn proxied(app: &TestApp, chain: &str) -> reqwest::RequestBuilder {
    app.http.get(format!("{}/api/v1/incidents", app.address)).bearer_auth(API_TOKEN).header("x-forwarded-for", chain)
}

#[tokio::test]
async fn declared_proxies_are_walked_back_to_the_client_and_ipv6_counts_by_its_64() {
    let app = TestApp::spawn_with(|s| {
        with_tokens(s);
        s.limits.requests_per_second = 1;
        s.limits.burst = 2;
        s.limits.trusted_proxies = vec!["127.0.0.1".into(), "10.0.0.0/8".into()];
    })
    .await;
    // client → outer proxy 10.1.1.1 → inner proxy 127.0.0.1 → us; a client-written entry comes first.
    for _ in 0..2 {
        assert_eq!(proxied(&app, "1.2.3.4, 203.0.113.9, 10.1.1.1").send().await.unwrap().status(), 200);
    }
    assert_eq!(proxied(&app, "5.6.7.8, 203.0.113.9, 10.1.1.1").send().await.unwrap().status(), 429, "same client");
    assert_eq!(
        proxied(&app, "203.0.113.10, 10.1.1.1").send().await.unwrap().status(),
        200,
        "another client behind the same two proxies has its own budget"
    );
    for n in 1..=2 {
        let status = proxied(&app, &format!("2001:db8:7:7::{n}, 10.1.1.1")).send().await.unwrap().status();
        assert_eq!(status, 200);
    }
    let rotated = proxied(&app, "2001:db8:7:7:ffff::3, 10.1.1.1").send().await.unwrap().status();
    assert_eq!(rotated, 429, "an IPv6 client rotating through its /64 is one client");
    let neighbour = proxied(&app, "2001:db8:7:8::1, 10.1.1.1").send().await.unwrap().status();
    assert_eq!(neighbour, 200, "the next /64 is someone else");
}

/// Opens a request whose body never finishes, holding a slot of the server.
fn stalled_request(app: &TestApp) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    let head = format!(
        "POST /api/v1/incidents HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"domain\""
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

#[tokio::test]
async fn excess_load_gets_a_fast_503_and_a_slow_request_a_503_not_a_408() {
    let app = TestApp::spawn_with(|s| {
        s.limits.max_in_flight = 1;
        s.limits.request_timeout_secs = 1;
    })
    .await;
    let mut stalled = stalled_request(&app);
    tokio::time::sleep(Duration::from_millis(100)).await;

    let started = Instant::now();
    let shed = app.get("/api/v1/incidents").await;
    assert!(started.elapsed() < Duration::from_millis(500), "shed at once, took {:?}", started.elapsed());
    assert_eq!(shed.status(), 503);
    assert!(shed.headers().contains_key("retry-after"));
    assert_eq!(error_code(shed).await.1, "overloaded");
    assert_eq!(app.get("/healthz").await.status(), 200, "liveness answers while shedding");

    let answer = tokio::task::spawn_blocking(move || {
        stalled.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut answer = [0u8; 4096];
        let n = stalled.read(&mut answer).expect("the stalled request is answered within the timeout");
        String::from_utf8_lossy(&answer[..n]).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"timeout\""), "{answer}");
    assert_eq!(app.get("/api/v1/incidents").await.status(), 200, "the slot is free again");
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retried_declaration_answer_the_first_incident() {
    let app = TestApp::spawn(Options::default()).await;
    let send = || {
        app.http
            .post(format!("{}/api/v1/incidents", app.address))
            .header("Idempotency-Key", "9b2f6c1e-retry-me")
            .json(&declaration("Checkout times out"))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    assert_eq!(app.incidents().await.len(), 1);
    let bad = app.http.post(format!("{}/api/v1/incidents", app.address)).header("Idempotency-Key", "x".repeat(300));
    assert_eq!(bad.json(&declaration("Other")).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn listing_pages_with_a_cursor() {
    let app = TestApp::spawn(Options::default()).await;
    for n in 0..5 {
        let response = app.post_json("/api/v1/incidents", &declaration(&format!("Outage {n}"))).await;
        assert_eq!(response.status(), 201);
    }
    let first = app.get_json("/api/v1/incidents").await;
    assert_eq!(first["incidents"].as_array().map(Vec::len), Some(5));
    assert_eq!(first["next_cursor"], Value::Null);

    let mut seen = Vec::new();
    let mut path = "/api/v1/incidents?limit=2".to_owned();
    loop {
        let page = app.get_json(&path).await;
        let numbers: Vec<String> =
            page["incidents"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap().to_owned()).collect();
        assert!(numbers.len() <= 2);
        seen.extend(numbers);
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/incidents?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["INC-5", "INC-4", "INC-3", "INC-2", "INC-1"]);
    assert_eq!(app.get("/api/v1/incidents?cursor=nonsense").await.status(), 400);
    assert_eq!(app.get("/api/v1/incidents?limit=100000").await.status(), 400);
}

#[tokio::test]
async fn a_replayed_slash_command_acts_once() {
    let app = TestApp::spawn(Options::default()).await;
    let body = serde_urlencoded::to_string([
        ("command", "/incident"),
        ("text", "declare"),
        ("user_id", "U0ALICE"),
        ("channel_id", "C0GENERAL"),
        ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
        ("response_url", "https://hooks.slack.com/commands/T0/1/abc"),
    ])
    .unwrap();
    let at = Utc::now().timestamp();
    let form = "application/x-www-form-urlencoded";
    for _ in 0..3 {
        let response = app.post_slack("/slack/commands", form, body.clone(), at, &[]).await;
        assert_eq!(response.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.slack_calls("views.open").len(), 1, "one modal for one typed command");
}

#[tokio::test]
async fn errors_never_show_storage_details_or_file_paths() {
    let app = TestApp::spawn_with(|s| {
        s.notion = Default::default();
    })
    .await;
    let created = app.post_json("/api/v1/incidents", &declaration("Disk full")).await;
    assert_eq!(created.status(), 201);
    let resolved = app.post_json("/api/v1/incidents/INC-1/status", &json!({ "status": "resolved" })).await;
    assert_eq!(resolved.status(), 200);
    let link = wait_until("the Markdown post-mortem is linked", || async {
        app.incident("INC-1").await["postmortem_url"].as_str().map(str::to_owned)
    })
    .await;
    assert_eq!(link, "https://sima.example.com/postmortems/INC-1.md");
    let document = app.get("/postmortems/INC-1.md").await;
    assert_eq!(document.status(), 200);
    assert!(document.text().await.unwrap().contains("Disk full"));
    for probe in ["/postmortems/..%2Fsima.db", "/postmortems/INC-9.md", "/postmortems/x.txt"] {
        assert_eq!(app.get(probe).await.status(), 404, "{probe}");
    }
}

#[tokio::test]
async fn twenty_five_same_day_incidents_in_other_scripts_get_unique_legal_rooms() {
    let app = TestApp::spawn(Options::default()).await;
    let summaries = ["支付失败", "🔥🔥🔥", "платежи", "الدفع فشل", "決済エラー"];
    for n in 0..25 {
        let response = app.post_json("/api/v1/incidents", &declaration(summaries[n % summaries.len()])).await;
        assert_eq!(response.status(), 201);
    }
    wait_until("every incident has a room", || async {
        let incidents = app.incidents().await;
        incidents.iter().all(|i| i["room"].is_object()).then_some(())
    })
    .await;
    let names: Vec<String> = app
        .slack_calls("conversations.create")
        .iter()
        .map(|c| c.request["name"].as_str().unwrap().to_owned())
        .collect();
    let date = Utc::now().format("%m_%d").to_string();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 25, "{names:?}");
    for name in &names {
        assert!(name.starts_with(&format!("incident_{date}_inc-")), "{name}");
        assert!(
            name.len() <= 80 && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c))
        );
    }
    assert!(names.contains(&format!("incident_{date}_inc-25")), "{names:?}");
}
