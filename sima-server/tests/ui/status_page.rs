//! The public status page in a real browser, on a phone-sized window: the
//! component rows read right, the inline style sheet is allowed by the
//! page's policy (its hash), nothing overflows sideways, and no script is
//! there to run.

use serde_json::json;
use sima_core::domain::Domain;
use sima_server::settings::ComponentSettings;

use crate::driver::{browsers_present, Driver};
use crate::helpers::UiApp;

#[tokio::test]
async fn the_status_page_reads_on_a_phone_without_script() {
    if !browsers_present() {
        return;
    }
    let app = UiApp::spawn_with(|s| {
        s.status.title = "Acme status".into();
        s.status.refresh_secs = 1;
        s.status.components = vec![
            ComponentSettings {
                name: "Checkout".into(),
                domains: vec![Domain::parse("payments").unwrap()],
                description: "Card payments and refunds".into(),
            },
            ComponentSettings { name: "Email delivery".into(), domains: vec![], description: String::new() },
        ];
    })
    .await;
    let number = app.declare(None, "payments", "sev1", "Internal: ledger shard 3 corrupt").await;
    let published = app
        .http
        .post(format!("{}/api/v1/incidents/{number}/public-updates", app.address))
        .json(&json!({
            "status": "identified",
            "message": "Payments fail for some cards <script>document.title='owned'</script>",
            "title": "Card payments failing",
        }))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(published.status(), 201);

    let driver = Driver::start().await;
    driver.call("POST", "/window/rect", json!({ "width": 390, "height": 844 })).await;
    let started = std::time::Instant::now();
    let text = loop {
        driver.go(&format!("{}/status", app.address)).await;
        let text = driver.text().await;
        if text.contains("Card payments failing") {
            break text;
        }
        assert!(started.elapsed().as_secs() < 10, "the update never showed: {text}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    driver.screenshot("status-phone.png").await;

    let rows = driver
        .script(
            r#"return [...document.querySelectorAll(".component .row")].map(r => r.innerText.replace(/\s+/g, " ").trim())"#,
        )
        .await;
    assert_eq!(rows, json!(["Checkout Major Outage", "Email delivery Operational"]));
    assert!(text.contains("Major System Outage"), "{text}");
    assert!(text.contains("<script>document.title='owned'</script>"), "the markup shows as text: {text}");
    assert_eq!(driver.script("return document.title").await, "Acme status", "no script ran");
    assert_eq!(driver.script("return document.scripts.length").await, 0);
    // The inline sheet applied: the policy's hash matches it.
    let banner = driver.script("return getComputedStyle(document.querySelector('.banner')).backgroundColor").await;
    assert_eq!(banner, "rgb(207, 34, 46)", "the critical banner is red");
    let bars = driver.script("return document.querySelectorAll('.component:first-child .bars i').length").await;
    assert_eq!(bars, 90);
    let overflow = driver.script("return document.documentElement.scrollWidth - window.innerWidth").await;
    assert!(overflow.as_i64().is_some_and(|px| px <= 0), "the page scrolls sideways by {overflow}px");
    let cookies = driver.call("GET", "/cookie", serde_json::Value::Null).await;
    assert_eq!(cookies, json!([]), "the page sets no cookie");

    driver.click(".incident h3 a").await;
    driver.wait_for_url("/status/incidents/").await;
    let page = driver.text().await;
    assert!(page.contains("Card payments failing") && page.contains("Checkout"), "{page}");
    assert!(!page.contains("ledger shard"), "the internal summary stays internal: {page}");
}
