//! How requests name incidents: `{id}` path segments, `INC-n` numbers, and
//! what was sent, quoted short in the answer. The routes and the dashboard
//! use it; it uses none of them.

use serde::Deserialize;
use sima_core::domain::{IncidentNumber, IncidentRef, ValidationError};
use utoipa::IntoParams;

use crate::error::ApiError;

/// The `{id}` of an incident's path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct IncidentPath {
    /// The incident: its UUID or its number (`INC-7`).
    #[param(example = "INC-7")]
    pub(crate) id: String,
}

/// The largest incident number: the stores keep numbers in a signed 64-bit column.
pub(crate) const MAX_INCIDENT_NUMBER: u64 = 9_223_372_036_854_775_807;

/// At most the first 40 characters of `text`, to quote it in a message.
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Whether `text` is written as an incident number (`INC-42`, `inc-42` or
/// `42`), whatever its value.
pub(crate) fn written_as_number(text: &str) -> bool {
    let text = text.trim();
    let digits = text.strip_prefix("INC-").or_else(|| text.strip_prefix("inc-")).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// An incident number from outside (`INC-n`, `n` from 1 to
/// [`MAX_INCIDENT_NUMBER`]); `field` names where it was given.
///
/// # Errors
/// 400 naming `field`: it is not written `INC-n`, or `n` is out of range.
pub(crate) fn incident_number(field: &str, text: &str) -> Result<IncidentNumber, ApiError> {
    if !written_as_number(text) {
        return Err(ApiError::invalid(format!(
            "`{field}`: `{}` is no incident number: write INC-n, e.g. INC-42",
            clip(text)
        )));
    }
    text.parse::<IncidentNumber>().ok().filter(|n| n.value() <= MAX_INCIDENT_NUMBER).ok_or_else(|| {
        ApiError::invalid(format!(
            "`{field}`: `{}` is out of range: incident numbers go from INC-1 to INC-{MAX_INCIDENT_NUMBER}",
            clip(text)
        ))
    })
}

/// The incident an `{id}` path segment names (a UUID or `INC-n`).
///
/// # Errors
/// 400 when it is written as an incident number out of range (`INC-0`,
/// `INC-99999999999999999999`); 404 when it is neither a UUID nor a number.
pub(crate) fn incident_ref(id: &str) -> Result<IncidentRef, ApiError> {
    match reference(id) {
        Ok(IncidentRef::Number(_)) | Err(_) if written_as_number(id) => {
            incident_number("id", id).map(IncidentRef::Number)
        }
        other => other,
    }
}

/// The incident an `{id}` path segment names (a UUID or `INC-n`); 404 otherwise.
fn reference(id: &str) -> Result<IncidentRef, ApiError> {
    id.parse().map_err(|e: ValidationError| ApiError::not_found(e.to_string()))
}
