//! One error type for every route: `{"error": {"code", "message"}}`. 4xx say
//! what to fix; 5xx are logged with their cause.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use sima_core::domain::{DomainError, ValidationError};
use sima_core::ports::PortError;
use sima_core::ServiceError;
use utoipa::ToSchema;

/// What a caller is told to wait, in seconds, before retrying a request the
/// store could not serve (`Retry-After` of a 503 `unavailable`). An outage is
/// noticed within the store's acquire timeout, so a retry this much later
/// either succeeds or fails as fast again.
pub const STORAGE_RETRY_AFTER_SECS: u32 = 2;

/// The body of every error: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong, for a program (`code`) and for a person (`message`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable: `invalid_input`, `invalid_json`, `unauthorized`, `forbidden`,
    /// `forbidden_origin`, `forbidden_host`, `not_found`, `refused`, `busy`, `rate_limited`,
    /// `unavailable`, `overloaded`, `timeout`, `internal`, …
    #[schema(example = "invalid_input")]
    pub code: &'static str,
    /// What to fix, naming the field at fault (4xx), or what to wait for (5xx).
    pub message: String,
}

/// An error answered to an API caller.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u32>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after: None }
    }

    /// The same error, answered with `Retry-After: seconds`.
    pub fn with_retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// 503: the store cannot be reached (or is read-only) for now; retry
    /// after [`STORAGE_RETRY_AFTER_SECS`]. Nothing was recorded.
    pub fn storage_unavailable() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "storage unavailable; retry shortly")
            .with_retry_after(STORAGE_RETRY_AFTER_SECS)
    }

    /// 400: the input is wrong.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_input", message)
    }

    /// 422: the input is well-formed but holds characters that are refused.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
    }

    /// 401: credentials are missing or wrong.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code (`unauthorized`, `invalid_input`, …).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What the caller is told.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(e) => e.into(),
            ServiceError::Refused(e @ DomainError::NoSuchActionItem { .. }) => Self::not_found(e.to_string()),
            ServiceError::Refused(DomainError::NoTracker) => Self::new(
                StatusCode::CONFLICT,
                "no_tracker",
                "no tracker is configured: set SIMA_TRACKER=jira or SIMA_TRACKER=linear on the server",
            ),
            ServiceError::Refused(e) => Self::new(StatusCode::CONFLICT, "refused", e.to_string()),
            ServiceError::Forbidden(refusal) => Self::new(StatusCode::FORBIDDEN, "forbidden", refusal.to_string()),
            ServiceError::NotFound(what) => Self::not_found(format!("no incident {what}")),
            ServiceError::Busy => Self::new(StatusCode::CONFLICT, "busy", e.to_string()),
            ServiceError::Store(e) => e.into(),
        }
    }
}

impl From<PortError> for ApiError {
    fn from(e: PortError) -> Self {
        match e {
            PortError::Transient(_) | PortError::RateLimited { .. } => {
                tracing::error!(error = %e, "storage unavailable");
                Self::storage_unavailable()
            }
            other => {
                tracing::error!(error = %other, "storage failed");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
            }
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        match e {
            ValidationError::HiddenCharacters(_) => Self::unprocessable(e.to_string()),
            other => Self::invalid(other.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let code = match r.status() {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            _ => "invalid_json",
        };
        Self::new(r.status(), code, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::invalid(r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), error = %self.message, "request failed");
        }
        let body = ErrorBody { error: ErrorDetail { code: self.code, message: self.message } };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn storage_failures_answer_generically() {
        for (error, status) in [
            (PortError::Transient("connect to postgres://sima:pa55@db:5432 failed".into()), 503),
            (PortError::Invalid("column /var/lib/sima/x.db is corrupt".into()), 500),
        ] {
            let response = ApiError::from(error).into_response();
            assert_eq!(response.status().as_u16(), status);
            let retry_after = response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(retry_after.is_some(), status == 503, "a 503 says when to retry");
            let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
            let body = String::from_utf8_lossy(&body);
            assert!(!body.contains("pa55") && !body.contains("/var/lib"), "{body}");
        }
    }
}
