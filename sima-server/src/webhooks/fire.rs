//! An alert, whichever webhook brought it. A firing one is answered from
//! the [`OpenKeys`](super::open_keys::OpenKeys) index when its key's
//! incident was just seen open, else declared through the store (which
//! opens the incident or finds the one open for the key). A resolved one
//! drops its key from the index and updates the incident open for it.

use std::time::Instant;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sima_core::domain::{Declaration, DedupKey};

use super::request::AlertRequest;
use super::resolve::alert_resolved;

use crate::api::{AlertOutcome, IncidentView};
use crate::backlog::IntakeSource;
use crate::error::ApiError;
use crate::state::AppState;

/// `status` with a JSON body already encoded.
fn json(status: StatusCode, body: Bytes) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

fn encode(outcome: &AlertOutcome) -> Result<Bytes, ApiError> {
    serde_json::to_vec(outcome)
        .map(Bytes::from)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("encoding the answer: {e}")))
}

/// The answer to `request`, brought by the webhook named `source`.
pub(super) async fn answer(state: &AppState, request: AlertRequest, source: &str) -> Result<Response, ApiError> {
    match request {
        AlertRequest::Fire(declaration) => fire(state, declaration, IntakeSource::of_webhook(source)).await,
        AlertRequest::Clear(key) => clear(state, &key, source).await,
    }
}

/// 200 with the incident the cleared alert updated, if one was open for `key`.
async fn clear(state: &AppState, key: &DedupKey, source: &str) -> Result<Response, ApiError> {
    state.open_keys.forget(key);
    let incident = alert_resolved(state, key, source).await?;
    let incident = incident.as_ref().map(IncidentView::from);
    Ok((StatusCode::OK, Json(AlertOutcome { created: false, incident })).into_response())
}

/// 201 with the new incident, or 200 with the one already open for the
/// declaration's dedup key; 503 when it would open one while the backlog
/// is over its bound.
async fn fire(state: &AppState, declaration: Declaration, source: IntakeSource) -> Result<Response, ApiError> {
    let key = declaration.dedup_key.clone();
    let asked = Instant::now();
    if let Some(answer) = key.as_ref().and_then(|key| state.open_keys.answer(key, asked)) {
        return Ok(json(StatusCode::OK, answer));
    }
    state.intake.admit(&state.service, &declaration, source).await?;
    let declared = state.service.declare(declaration).await?;
    let repeat = encode(&AlertOutcome { created: false, incident: Some(IncidentView::from(&declared.incident)) })?;
    if let Some(key) = &key {
        state.open_keys.remember(key, &declared.incident, repeat.clone(), asked);
    }
    Ok(if declared.created {
        let body = encode(&AlertOutcome { created: true, incident: Some(IncidentView::from(&declared.incident)) })?;
        json(StatusCode::CREATED, body)
    } else {
        json(StatusCode::OK, repeat)
    })
}
