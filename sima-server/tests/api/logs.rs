//! Logs as an operator reads them: `SIMA_LOG_FORMAT=json` makes every line
//! JSON, each request has an id (the caller's when it is plain, a new one
//! otherwise) in its access line and its response, and an incident's
//! effects can be found by its number.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use serde_json::{json, Value};

use crate::helpers::{wait_at_most, Database, Fakes, Options, TestApp};
use crate::process::ServerProcess;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_a_line_telling_each_request_and_each_effect() {
    let fakes = Fakes::start(None).await;
    let database = Database::sqlite();
    let mut env = fakes.env(&database.url());
    env.insert("SIMA_LOG_FORMAT".to_owned(), "json".to_owned());
    let server = ServerProcess::spawn(env);
    let http = reqwest::Client::new();
    let declared = http
        .post(format!("{}/api/v1/incidents", server.address))
        .header("x-request-id", "deploy-7f3a")
        .json(&json!({ "domain": "payments", "summary": "Card payments fail", "severity": "sev1" }))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(declared.status(), 201);
    assert_eq!(declared.headers()["x-request-id"], "deploy-7f3a", "the caller's id comes back");
    let number = declared.json::<Value>().await.expect("an incident")["number"].as_str().expect("a number").to_owned();

    let parsed = |line: &String| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let effects_of = |lines: &[Value]| -> BTreeSet<String> {
        lines
            .iter()
            .filter(|l| l["span"]["name"] == "effect" && l["span"]["incident"] == number.as_str())
            .filter_map(|l| l["span"]["effect"].as_str().map(str::to_owned))
            .collect()
    };
    let lines = wait_at_most(Duration::from_secs(15), "the room and the page are logged", || async {
        let lines: Vec<Value> = server.log_lines("").iter().map(parsed).collect();
        let effects = effects_of(&lines);
        (effects.contains("create_room") && effects.contains("page")).then_some(lines)
    })
    .await;

    assert!(lines.len() > 5, "{} lines", lines.len());
    for line in &lines {
        assert!(line["timestamp"].is_string() && line["level"].is_string() && line["target"].is_string(), "{line}");
    }
    let started = lines.iter().find(|l| l["message"] == "SIMA is listening").expect("the start line");
    assert!(started["port"].is_u64(), "{started}");
    let access = lines
        .iter()
        .find(|l| l["target"] == "sima_server::access" && l["span"]["request_id"] == "deploy-7f3a")
        .expect("the declaration's access line");
    assert_eq!(access["status"], 201, "{access}");
    assert_eq!(access["span"]["method"], "POST", "{access}");
    assert_eq!(access["span"]["route"], "/api/v1/incidents", "{access}");
    assert!(access["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{access}");
    let done = lines
        .iter()
        .find(|l| l["message"] == "effect done" && l["span"]["effect"] == "create_room")
        .expect("the room's effect is logged done");
    assert_eq!(done["span"]["incident"], number.as_str(), "{done}");
    assert!(done["span"]["incident_id"].is_string() && done["span"]["attempt"] == 1, "{done}");
}

#[test]
fn an_unknown_log_format_stops_the_server_before_it_does_anything() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database = dir.path().join("sima.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sima-server"))
        .env("SIMA_LOG_FORMAT", "yaml")
        .env("SIMA_LISTEN", "127.0.0.1:0")
        .env("SIMA_DATABASE_URL", format!("sqlite://{}", database.display()))
        .env_remove("SIMA_CONFIG")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sima-server binary starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("the child's state").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server kept running with SIMA_LOG_FORMAT=yaml");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("the output");
    assert!(!output.status.success(), "a non-zero exit");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("SIMA_LOG_FORMAT") && said.contains("yaml") && said.contains("json"), "{said}");
    assert!(!database.exists(), "no database is created");
}

fn request_id(response: &reqwest::Response) -> String {
    let id = response.headers().get("x-request-id").expect("an x-request-id on every response");
    id.to_str().expect("a plain id").to_owned()
}

fn is_new_uuid_v7(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 7)
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_hostile_ones_are_replaced() {
    let app = TestApp::spawn(Options::default()).await;
    let get = |path: &str| app.http.get(format!("{}{path}", app.address));

    let made = request_id(&get("/healthz").send().await.expect("an answer"));
    assert!(is_new_uuid_v7(&made), "a new UUID v7: {made}");
    let not_found = get("/no/such/route").send().await.expect("an answer");
    assert_eq!(not_found.status(), 404);
    assert!(is_new_uuid_v7(&request_id(&not_found)), "refusals carry one too");
    for kept in ["abc-123", "01939e2c-7c1a-7d3e-9d5b-0123456789ab", &"k".repeat(64)] {
        let response = get("/healthz").header("x-request-id", kept).send().await.expect("an answer");
        assert_eq!(request_id(&response), kept);
    }

    let too_long = "x".repeat(65);
    let hostile = [
        HeaderValue::from_str(&too_long).expect("a header"),
        HeaderValue::from_static("evil\tid"),
        HeaderValue::from_static("two words"),
        HeaderValue::from_bytes(b"caf\xc3\xa9").expect("obs-text is a legal header"),
        HeaderValue::from_static("\"quoted\""),
    ];
    for value in hostile {
        let response = get("/healthz").header("x-request-id", value.clone()).send().await.expect("an answer");
        let replaced = request_id(&response);
        assert!(is_new_uuid_v7(&replaced), "{value:?} replaced by a new id, not {replaced}");
    }
    let twice = get("/healthz").header("x-request-id", "first").header("x-request-id", "second");
    let replaced = request_id(&twice.send().await.expect("an answer"));
    assert!(is_new_uuid_v7(&replaced), "two ids are replaced by one new id: {replaced}");
}
