//! `/healthz`, `/readyz` and `/metrics` (Prometheus text format).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::error::ApiError;
use crate::metrics;
use crate::state::AppState;

/// `GET /postmortems/INC-42.md`: a Markdown post-mortem (when Notion is not
/// configured), behind the same credentials as the API.
#[utoipa::path(
    get,
    path = "/postmortems/{file}",
    operation_id = "get_postmortem",
    tag = "postmortems",
    params(("file" = String, Path, description = "The incident's number and `.md`: `INC-42.md`", example = "INC-42.md")),
    responses(
        (status = 200, description = "The post-mortem, in Markdown", body = String, content_type = "text/markdown; charset=utf-8"),
        (status = 404, description = "No post-mortem of that name (`not_found`)", body = crate::error::ErrorBody),
    ),
)]
pub async fn postmortem(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let number = file.strip_suffix(".md").unwrap_or_default();
    let legal =
        !number.is_empty() && number.len() <= 32 && number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !legal {
        return Err(ApiError::not_found("no such post-mortem"));
    }
    let path = state.settings.postmortem_dir.join(format!("{number}.md"));
    let read = path.clone();
    let text = tokio::task::spawn_blocking(move || std::fs::read_to_string(read))
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    match text {
        Ok(text) => Ok(([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(ApiError::not_found("no such post-mortem")),
        Err(error) => {
            tracing::error!(%error, path = %path.display(), "could not read a post-mortem");
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log"))
        }
    }
}

/// Alive.
///
/// Answers while the process runs, even when the server sheds load or the
/// database is down. No credential.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    security(()),
    responses((status = 200, description = "Alive: `{\"status\": \"ok\"}`", body = ref("#/components/schemas/Probe"))),
)]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when the database answers and the effect worker runs.
///
/// For a load balancer or an orchestrator: route traffic here only while it
/// answers 200. No credential.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Ready: `{\"status\": \"ready\"}`", body = ref("#/components/schemas/Probe")),
        (status = 503, description = "Not ready: the store does not answer or the effect worker stopped \
            (`{\"status\": \"unavailable\", \"error\"}`), or the server is full", body = ref("#/components/schemas/NotReady")),
    ),
)]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if !state.worker.is_running() {
        let body = json!({ "status": "unavailable", "error": "the effect worker is not running" });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body));
    }
    match state.service.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(error) => {
            tracing::error!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "error": "storage unavailable" })))
        }
    }
}

/// Prometheus metrics (see [`crate::metrics`]): counts only, never incident
/// text. Answers while the store is down, with `sima_store_up 0`.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "get_metrics_text",
    tag = "operations",
    responses(
        (status = 200, description = "Every metric in the Prometheus text exposition format (`sima_*`, \
            `sima_build_info`, `process_*`); `sima_store_up 0` while the store is down",
            body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
    ),
)]
pub async fn prometheus(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let text = state.metrics.scrape(&state.service).await.map_err(|error| {
        tracing::error!(%error, "could not write the metrics");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    })?;
    Ok(([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], text))
}
