//! `/healthz`, `/readyz` and `/metrics` (Prometheus text format).

use std::fmt::Write;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;
use sima_core::domain::{EffectKind, Severity, Status};
use sima_core::ports::{IncidentFilter, OutboxStats};

use crate::error::ApiError;
use crate::state::AppState;
use crate::telemetry::BUCKETS;

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
    match state.service.store().ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "error": e.to_string() }))),
    }
}

/// The outbox gauges and this process's give-ups, by effect kind.
fn effect_metrics(out: &mut String, state: &AppState, outbox: &OutboxStats) {
    let _ = writeln!(out, "# HELP sima_effects Outbox effects by state.\n# TYPE sima_effects gauge");
    for (label, n) in [("pending", outbox.pending), ("completed", outbox.completed), ("failed", outbox.failed)] {
        let _ = writeln!(out, "sima_effects{{state=\"{label}\"}} {n}");
    }
    let _ = writeln!(out, "# HELP sima_effects_pending Effects not done yet.\n# TYPE sima_effects_pending gauge");
    let _ = writeln!(out, "sima_effects_pending {}", outbox.pending);
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

/// Incidents by status and severity, the outbox, and request latencies.
pub async fn prometheus(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let rows = state.service.store().milestones(&IncidentFilter::default()).await?;
    let outbox = state.service.store().outbox_stats().await?;
    let mut out = String::new();
    let _ = writeln!(out, "# HELP sima_incidents Incidents by status and severity.\n# TYPE sima_incidents gauge");
    for status in Status::ALL {
        for severity in Severity::ALL {
            let n = rows.iter().filter(|r| r.status == status && r.severity == severity).count();
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
