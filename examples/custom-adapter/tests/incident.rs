//! An incident run through the reference server with our own pager.

use std::sync::Arc;
use std::time::{Duration, Instant};

use custom_adapter::WebhookPager;
use serde_json::{json, Value};
use sima_server::{Application, Settings};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn pages(pager: &MockServer) -> Vec<Value> {
    let requests = pager.received_requests().await.unwrap_or_default();
    requests.iter().filter_map(|r| serde_json::from_slice(&r.body).ok()).collect()
}

/// The events the pager received once there are `count` (or after 10 s).
async fn wait_for_pages(pager: &MockServer, count: usize) -> Vec<Value> {
    let started = Instant::now();
    let mut seen = pages(pager).await;
    while seen.len() < count && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        seen = pages(pager).await;
    }
    seen
}

#[tokio::test]
async fn an_incident_pages_through_our_adapter_and_resolving_it_resolves_the_page() {
    let pager = MockServer::start().await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(ResponseTemplate::new(202)).mount(&pager).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        listen: "127.0.0.1:0".into(),
        database_url: format!("sqlite://{}", dir.path().join("sima.db").display()),
        postmortem_dir: dir.path().join("postmortems"),
        ..Settings::default()
    };
    let ours = Arc::new(WebhookPager::new(format!("{}/hook", pager.uri())).unwrap());
    let app = Application::builder(settings).paging(ours).build().await.expect("the server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::new();
    let declared: Value = http
        .post(format!("{address}/api/v1/incidents"))
        .json(&json!({ "domain": "payments", "summary": "Card payments fail", "severity": "sev1" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = declared["number"].as_str().unwrap().to_owned();
    // The page goes out from the effect worker; resolving before it would leave nobody to page.
    assert_eq!(wait_for_pages(&pager, 1).await.len(), 1, "the on-call is paged");
    let status = json!({ "status": "resolved", "message": "Gateway fixed" });
    let resolved = http.post(format!("{address}/api/v1/incidents/{number}/status")).json(&status).send().await;
    assert_eq!(resolved.unwrap().status(), 200);

    let seen = wait_for_pages(&pager, 2).await;
    let actions: Vec<&str> = seen.iter().filter_map(|p| p["action"].as_str()).collect();
    assert_eq!(actions, ["trigger", "resolve"], "{seen:#?}");
    assert_eq!(seen[0]["team"], "payments");
    assert_eq!(seen[0]["severity"], "sev1");
    assert_eq!(seen[0]["dedup_key"], seen[1]["dedup_key"]);
    assert!(seen[0]["summary"].as_str().unwrap().contains("Card payments fail"));

    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_pager_s_answers_map_to_the_one_error_rule() {
    let pager = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "30"))
        .mount(&pager)
        .await;
    let ours = WebhookPager::new(pager.uri()).unwrap();
    let page = sima_core::domain::PageRef { dedup_key: "k".into(), service: "payments".into() };
    let error = sima_core::ports::PagingPort::resolve(&ours, &page).await.unwrap_err();
    assert_eq!(error, sima_core::ports::PortError::RateLimited { retry_after: Some(Duration::from_secs(30)) });
}
