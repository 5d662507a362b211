//! The README's picture of the metrics page: a quarter of generated
//! incidents (real event logs written through the store) ending yesterday,
//! in a browser. `SIMA_UPDATE_DOCS_SCREENSHOT=1` copies the screenshot to
//! `docs/metrics-page.png`; ordinary runs leave the tree clean.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use sima_core::domain::{Command, FieldEdit};
use sima_core::testkit::contract::{generated, write_history};
use sima_store_sqlite::{SqliteStore, SqliteStoreConfig};

use crate::driver::{browsers_present, Driver};
use crate::helpers::UiApp;

/// Incidents in the picture: about a dozen a week.
const INCIDENTS: u64 = 150;
/// The weeks they spread over.
const DAYS: i64 = 91;

/// Writes `INCIDENTS` generated histories declared evenly over the `DAYS`
/// before `now` (less a day, so every history is over by `now`).
async fn seed_a_quarter(database_url: &str, now: DateTime<Utc>) {
    let store = SqliteStore::connect(&SqliteStoreConfig::new(database_url)).await.expect("the store opens");
    let first = now - Duration::days(DAYS);
    let spacing = Duration::days(DAYS - 1) / i32::try_from(INCIDENTS).expect("small");
    for n in 0..INCIDENTS {
        let mut history = generated(n);
        let shift = first + spacing * i32::try_from(n).expect("small") - history.declared_at;
        history.declared_at += shift;
        history.declaration.started_at = history.declaration.started_at.map(|at| at + shift);
        // Start-time edits name absolute times of the original history.
        history.commands.retain(|(command, _)| !matches!(command, Command::Edit(FieldEdit::StartedAt(_))));
        for (_, at) in &mut history.commands {
            *at += shift;
        }
        write_history(&store, &history).await;
    }
    store.close().await;
}

#[tokio::test]
async fn the_metrics_page_of_a_quarter_in_a_browser() {
    if !browsers_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database_url = format!("sqlite://{}", dir.path().join("quarter.db").display());
    seed_a_quarter(&database_url, Utc::now()).await;
    let app = UiApp::spawn_with(|settings| settings.database_url = database_url.clone()).await;
    let driver = Driver::start().await;
    driver.go(&format!("{}/ui/metrics?period=all", app.address)).await;
    driver.wait_for_url("/ui/metrics").await;

    let api = app.api("/api/v1/metrics", None).await;
    let text = driver.text().await;
    let incidents = api["incidents"].as_u64().expect("a count");
    let false_positives = api["false_positives"].as_u64().expect("a count");
    assert_eq!(incidents + false_positives, INCIDENTS, "every history is one incident");
    assert!(text.contains(&format!("{incidents} incidents")), "{text}");
    let weeks = driver
        .script(r##"return new Set([...document.querySelectorAll("#incidents-per-week rect")].map(r => r.dataset.label)).size"##)
        .await;
    assert!(weeks.as_u64().is_some_and(|w| (12..=14).contains(&w)), "a bar for each week of the quarter: {weeks}");
    let unit = driver.script(r#"return document.getElementById("mttx-per-week").dataset.unit"#).await;
    assert!(unit == "minutes" || unit == "hours", "durations of minutes to hours read as such: {unit}");
    let top = driver.script(r##"return document.querySelector("#mttx-per-week text.tick").textContent"##).await;
    assert!(top.as_str().is_some_and(|t| t.len() <= 4), "the axis ends on a short round number: {top}");

    let shot = driver.screenshot("metrics-quarter.png").await;
    if std::env::var_os("SIMA_UPDATE_DOCS_SCREENSHOT").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/metrics-page.png");
        std::fs::copy(&shot, &docs).expect("the README screenshot is written");
    }
}
