//! The reference server, paging through [`custom_adapter::WebhookPager`]:
//! `PAGER_WEBHOOK_URL=https://alerts.example.com/hook cargo run -p custom-adapter`.

use std::sync::Arc;

use anyhow::Context;
use custom_adapter::WebhookPager;
use sima_server::{telemetry, Application, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init()?;
    let settings = Settings::load()?;
    let url = std::env::var("PAGER_WEBHOOK_URL").context("set PAGER_WEBHOOK_URL to your pager's webhook")?;
    let pager = Arc::new(WebhookPager::new(url)?);
    let app = Application::builder(settings).paging(pager).build().await?;
    app.run_until_stopped().await
}
