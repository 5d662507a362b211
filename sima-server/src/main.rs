//! `sima-server`: settings → telemetry → build → run.

use sima_server::{telemetry, Application, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::load()?;
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), "SIMA is listening");
    app.run_until_stopped().await
}
