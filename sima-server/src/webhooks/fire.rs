//! A firing alert, whichever webhook brought it: answered from the
//! [`OpenKeys`](super::open_keys::OpenKeys) index when its key's incident
//! was just seen open, else declared through the store (which opens the
//! incident or finds the one open for the key).

use std::time::Instant;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sima_core::domain::Declaration;

use crate::api::{AlertOutcome, IncidentView};
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

/// 201 with the new incident, or 200 with the one already open for the
/// declaration's dedup key.
pub(super) async fn fire(state: &AppState, declaration: Declaration) -> Result<Response, ApiError> {
    let key = declaration.dedup_key.clone();
    let asked = Instant::now();
    if let Some(answer) = key.as_ref().and_then(|key| state.open_keys.answer(key, asked)) {
        return Ok(json(StatusCode::OK, answer));
    }
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
