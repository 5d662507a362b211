//! The tracker action items are followed up in: the Jira or Linear adapter
//! `SIMA_TRACKER` names, and the loop that reads every open ticket back.
//!
//! # Layout
//! - this file: [`build`], the adapter the settings name.
//! - [`reconcile`]: the periodic read-back that catches missed webhooks.

pub mod reconcile;

use std::sync::Arc;

use anyhow::Context;
use sima_core::ports::TrackerPort;
use sima_core::TrackerExport;
use sima_jira::{JiraConfig, JiraTracker};
use sima_linear::{LinearConfig, LinearTracker};

use crate::providers::TrackerProvider;
use crate::settings::{ExportMode, Settings};

/// The tracker adapter `SIMA_TRACKER` names; `None` for `none`.
///
/// # Errors
/// An unknown or ambiguous provider, missing credentials (named by
/// variable), or a URL the adapter cannot use.
pub fn build(settings: &Settings) -> anyhow::Result<Option<Arc<dyn TrackerPort>>> {
    Ok(match settings.tracker_provider()? {
        TrackerProvider::Jira => Some(Arc::new(JiraTracker::new(jira_config(settings)?).context("configuring Jira")?)),
        TrackerProvider::Linear => {
            Some(Arc::new(LinearTracker::new(linear_config(settings)?).context("configuring Linear")?))
        }
        TrackerProvider::None => None,
    })
}

/// The Jira adapter's configuration.
///
/// # Errors
/// A needed setting is missing: the message names every one.
pub fn jira_config(settings: &Settings) -> anyhow::Result<JiraConfig> {
    let jira = &settings.jira;
    let (Some(url), Some(email), Some(token), Some(project)) = (&jira.url, &jira.email, &jira.api_token, &jira.project)
    else {
        anyhow::bail!("SIMA_TRACKER=jira needs {}", jira.missing().join(", "));
    };
    let mut config = JiraConfig::new(url.trim_end_matches('/'), email.clone(), token.clone(), project.clone());
    if let Some(issue_type) = jira.issue_type.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        config = config.with_issue_type(issue_type);
    }
    if let Some(secret) = &jira.webhook_secret {
        config = config.with_webhook_secret(secret.clone());
    }
    Ok(config)
}

/// The Linear adapter's configuration.
///
/// # Errors
/// A needed setting is missing: the message names every one.
pub fn linear_config(settings: &Settings) -> anyhow::Result<LinearConfig> {
    let linear = &settings.linear;
    let (Some(key), Some(team)) = (&linear.api_key, &linear.team_id) else {
        anyhow::bail!("SIMA_TRACKER=linear needs {}", linear.missing().join(", "));
    };
    let mut config = LinearConfig::new(key.clone(), team.clone());
    if let Some(url) = &linear.api_url {
        config = config.with_api_url(url.clone());
    }
    if let Some(secret) = &linear.webhook_secret {
        config = config.with_webhook_secret(secret.clone());
    }
    Ok(config)
}

/// The core's export mode for the `[tracker] export` setting.
pub fn export_mode(mode: ExportMode) -> TrackerExport {
    match mode {
        ExportMode::All => TrackerExport::All,
        ExportMode::OnCommand => TrackerExport::OnCommand,
    }
}
