//! `POST /webhooks/alertmanager`: Prometheus Alertmanager's webhook (v4).
//! One incident per group key while it is open.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sima_core::domain::{Actor, Declaration, DedupKey, Description, Domain, Severity, Summary};
use utoipa::ToSchema;

use super::alerts::AlertStatus;
use super::fire::answer;
use super::request::AlertRequest;
use super::token::authorize;
use crate::api::AlertOutcome;
use crate::error::{ApiError, ErrorBody};
use crate::settings::AlertSettings;
use crate::state::AppState;

/// An Alertmanager notification (webhook payload version 4); fields SIMA
/// does not read (`receiver`, `externalURL`, …) may be sent and are ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AlertmanagerNotification)]
pub struct Notification {
    /// Must be `4`.
    #[schema(example = "4")]
    version: String,
    /// One incident per group key while it is open.
    group_key: String,
    /// `firing` opens (or finds) the group's incident; `resolved` posts an update on it.
    status: AlertStatus,
    /// The labels the alerts were grouped by.
    #[serde(default)]
    group_labels: BTreeMap<String, String>,
    /// Labels all alerts share: `domain` (else `service`) and `severity` are read.
    #[serde(default)]
    common_labels: BTreeMap<String, String>,
    /// Annotations all alerts share: `summary` and `description` are read.
    #[serde(default)]
    common_annotations: BTreeMap<String, String>,
    /// The alerts of the group.
    #[serde(default)]
    alerts: Vec<Alert>,
}

/// One alert of a notification.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AlertmanagerAlert)]
struct Alert {
    /// Its labels.
    #[serde(default)]
    labels: BTreeMap<String, String>,
    /// Its annotations.
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    /// When it began firing; the earliest becomes the incident's start.
    #[serde(default)]
    starts_at: Option<DateTime<Utc>>,
    /// A link to its source, added to the description.
    #[serde(default, rename = "generatorURL")]
    generator_url: Option<String>,
}

impl Notification {
    /// The first value of `key` in the common labels, the group labels, then the alerts.
    fn label(&self, key: &str) -> Option<&str> {
        self.common_labels
            .get(key)
            .or_else(|| self.group_labels.get(key))
            .or_else(|| self.alerts.iter().find_map(|a| a.labels.get(key)))
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.common_annotations
            .get(key)
            .or_else(|| self.alerts.iter().find_map(|a| a.annotations.get(key)))
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }
}

/// `alertmanager:<groupKey>`, hashed when too long for a dedup key.
fn dedup_key(group_key: &str) -> Result<DedupKey, ApiError> {
    let raw = format!("alertmanager:{group_key}");
    let key = if raw.len() <= 255 && !raw.chars().any(char::is_control) {
        raw
    } else {
        format!("alertmanager:sha256:{}", hex::encode(Sha256::digest(group_key.as_bytes())))
    };
    DedupKey::parse(&key).map_err(|e| ApiError::invalid(format!("`groupKey`: {e}")))
}

/// Lowercase slug of a label value (`Payments API` → `payments-api`).
fn slug(value: &str) -> Option<Domain> {
    let mut s = String::new();
    for c in value.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    s.truncate(40);
    Domain::parse(s.trim_end_matches('-')).ok()
}

/// Alertmanager's customary severity labels on SIMA's scale.
fn severity(label: &str) -> Option<Severity> {
    match label.trim().to_ascii_lowercase().as_str() {
        "critical" | "page" | "p1" => Some(Severity::Sev1),
        "error" | "major" | "high" | "p2" => Some(Severity::Sev2),
        "warning" | "warn" | "medium" | "p3" => Some(Severity::Sev3),
        "info" | "low" | "minor" | "none" | "p4" => Some(Severity::Sev4),
        other => other.parse().ok(),
    }
}

fn clip(text: &str, max: usize) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(max).collect::<String>().trim().to_owned()
}

fn declaration(n: &Notification, alerts: &AlertSettings, key: DedupKey, now: DateTime<Utc>) -> Declaration {
    let summary = n
        .annotation("summary")
        .or_else(|| n.label("alertname"))
        .map(|s| clip(s, 150))
        .and_then(|s| Summary::parse(&s).ok())
        .unwrap_or_else(|| Summary::parse("Alertmanager alert").unwrap_or_else(|_| unreachable!("a valid summary")));
    let mut description = n.annotation("description").unwrap_or_default().to_owned();
    if let Some(url) = n.alerts.iter().find_map(|a| a.generator_url.as_deref()) {
        description.push_str(&format!("\n\nSource: {url}"));
    }
    let description: String = description.trim().chars().take(3000).collect();
    Declaration {
        domain: n
            .label("domain")
            .or_else(|| n.label("service"))
            .and_then(slug)
            .unwrap_or_else(|| alerts.default_domain.clone()),
        summary,
        description: Description::parse(&description).unwrap_or_else(|_| Description::empty()),
        severity: n.label("severity").and_then(severity).unwrap_or(alerts.default_severity),
        impact: None,
        started_at: n.alerts.iter().filter_map(|a| a.starts_at).filter(|t| *t <= now).min(),
        dedup_key: Some(key),
        reporter: Actor::Monitor("alertmanager".into()),
        private: false,
        incident_type: None,
        fields: Default::default(),
    }
}

impl Notification {
    /// What this notification asks for at `now`, or a 400 saying what to fix.
    ///
    /// # Errors
    /// 400 for a version other than 4 or an empty group key.
    pub fn request(&self, alerts: &AlertSettings, now: DateTime<Utc>) -> Result<AlertRequest, ApiError> {
        if self.version != "4" {
            return Err(ApiError::invalid(format!(
                "Alertmanager webhook version `{}` is not supported; send version 4",
                self.version
            )));
        }
        let key = dedup_key(&self.group_key)?;
        Ok(match self.status {
            AlertStatus::Firing => AlertRequest::Fire(declaration(self, alerts, key, now)),
            AlertStatus::Resolved => AlertRequest::Clear(key),
        })
    }
}

/// Receive a Prometheus Alertmanager notification.
///
/// Opens (or finds) the group's incident when firing; posts an update when resolved.
#[utoipa::path(
    post,
    path = "/alertmanager",
    operation_id = "receive_alertmanager_notification",
    tag = "webhooks",
    security(("webhook_token" = [])),
    request_body = Notification,
    responses(
        (status = 201, description = "A new incident", body = AlertOutcome),
        (status = 200, description = "The incident already open for this group, or the one a resolved \
                                      notification updated", body = AlertOutcome),
        (status = 400, description = "A version other than 4, or an unusable group key", body = ErrorBody),
        (status = 503, description = "A new incident below sev1 while the backlog is over `[intake] max_backlog` \
                                      (`overloaded`; nothing recorded, resend after `Retry-After`), or the store is \
                                      unreachable (`unavailable`), the server is full (`overloaded`) or the request \
                                      took too long (`timeout`)", body = ErrorBody,
         headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    ),
)]
pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<Notification>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let Json(notification) = body?;
    let request = notification.request(&state.settings.alerts, state.service.now())?;
    answer(&state, request, "alertmanager").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_to_domains_and_severities() {
        assert_eq!(slug("Payments API").unwrap().as_str(), "payments-api");
        assert!(slug("42").is_none());
        assert_eq!(severity("critical"), Some(Severity::Sev1));
        assert_eq!(severity("warning"), Some(Severity::Sev3));
        assert_eq!(severity("sev2"), Some(Severity::Sev2));
        assert_eq!(severity("weird"), None);
    }

    #[test]
    fn long_group_keys_are_hashed() {
        let key = dedup_key(&"x".repeat(400)).unwrap();
        assert!(key.as_str().starts_with("alertmanager:sha256:"));
        assert_eq!(dedup_key("{}:{alertname=\"A\"}").unwrap().as_str(), "alertmanager:{}:{alertname=\"A\"}");
    }
}
