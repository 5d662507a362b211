//! `/healthz`, `/readyz` and `/metrics` (Prometheus text format).

use std::fmt::Write;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;
use sima_core::domain::{EffectKind, Severity, Status};
use sima_core::ports::OutboxStats;

use crate::error::ApiError;
use crate::state::AppState;
use crate::telemetry::BUCKETS;

/// `GET /postmortems/INC-42.md`: a Markdown post-mortem (when Notion is not
/// configured), behind the same credentials as the API.
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
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when the database answers and the effect worker runs.
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

/// The outbox gauges and this process's give-ups, by effect kind.
fn effect_metrics(out: &mut String, state: &AppState, outbox: &OutboxStats) {
    let _ = writeln!(out, "# HELP sima_effects Outbox effects by state.\n# TYPE sima_effects gauge");
    let states = [
        ("pending", outbox.pending),
        ("scheduled", outbox.scheduled),
        ("completed", outbox.completed),
        ("failed", outbox.failed),
    ];
    for (label, n) in states {
        let _ = writeln!(out, "sima_effects{{state=\"{label}\"}} {n}");
    }
    let _ =
        writeln!(out, "# HELP sima_effects_pending Effects due and not done yet.\n# TYPE sima_effects_pending gauge");
    let _ = writeln!(out, "sima_effects_pending {}", outbox.pending);
    let _ = writeln!(
        out,
        "# HELP sima_effects_scheduled Effects due later (reminders, archives).\n# TYPE sima_effects_scheduled gauge"
    );
    let _ = writeln!(out, "sima_effects_scheduled {}", outbox.scheduled);
    let waited = outbox
        .oldest_pending_due
        .map_or(0.0, |due| (state.service.now() - due).num_milliseconds().max(0) as f64 / 1000.0);
    let _ = writeln!(
        out,
        "# HELP sima_effects_oldest_pending_seconds How long the oldest due effect has waited.\n# TYPE sima_effects_oldest_pending_seconds gauge"
    );
    let _ = writeln!(out, "sima_effects_oldest_pending_seconds {waited}");
    let _ = writeln!(
        out,
        "# HELP sima_effect_failures_total Effects given up by this process, by kind.\n# TYPE sima_effect_failures_total counter"
    );
    let failures = state.worker.failures();
    for kind in EffectKind::ALL {
        let _ = writeln!(out, "sima_effect_failures_total{{kind=\"{kind}\"}} {}", failures.get(&kind).unwrap_or(&0));
    }
    let _ =
        writeln!(out, "# HELP sima_worker_running Whether the effect worker runs.\n# TYPE sima_worker_running gauge");
    let _ = writeln!(out, "sima_worker_running {}", u8::from(state.worker.is_running()));
}

/// Incidents by status and severity (counts only, no incident text), the
/// outbox, and request counts and latencies per route.
pub async fn prometheus(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let counts = state.gauges.counts(&state.service).await?;
    let outbox = state.service.outbox_stats().await?;
    let mut out = String::new();
    let _ = writeln!(out, "# HELP sima_incidents Incidents by status and severity.\n# TYPE sima_incidents gauge");
    for (s, status) in Status::ALL.iter().enumerate() {
        for (v, severity) in Severity::ALL.iter().enumerate() {
            let n = counts.get(s * Severity::ALL.len() + v).copied().unwrap_or_default();
            let _ = writeln!(out, "sima_incidents{{status=\"{status}\",severity=\"{severity}\"}} {n}");
        }
    }
    effect_metrics(&mut out, &state, &outbox);
    let _ = writeln!(
        out,
        "# HELP sima_http_requests_total HTTP requests by route and status.\n# TYPE sima_http_requests_total counter"
    );
    let routes = state.http.snapshot();
    for (route, stats) in &routes {
        for (status, n) in &stats.by_status {
            let _ = writeln!(out, "sima_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
    }
    let _ = writeln!(out, "# HELP sima_http_request_duration_seconds HTTP request latency.\n# TYPE sima_http_request_duration_seconds histogram");
    for (route, stats) in &routes {
        for (bound, n) in BUCKETS.iter().zip(stats.buckets) {
            let _ = writeln!(out, "sima_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}");
        }
        let _ =
            writeln!(out, "sima_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", stats.count);
        let _ = writeln!(out, "sima_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", stats.sum);
        let _ = writeln!(out, "sima_http_request_duration_seconds_count{{route=\"{route}\"}} {}", stats.count);
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}
