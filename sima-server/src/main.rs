//! `sima-server`: settings → telemetry → build → run.

use sima_server::{telemetry, Application, Settings};

/// mimalloc returns freed memory to the system, so the server's footprint
/// stays flat over weeks; glibc's allocator keeps a growing arena per thread
/// (every SQLite connection runs on its own thread).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::load()?;
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), "SIMA is listening");
    app.run_until_stopped().await
}
