//! `sima-server` is SIMA's reference server: it wires `sima-core` to Slack,
//! PagerDuty, Notion and a SQL store, serves the Slack endpoints, monitoring
//! webhooks, a REST API and Prometheus metrics, and runs the effect worker.
//! Run it with `cargo run -p sima-server`; with nothing configured it uses
//! SQLite, log-only chat and paging, and Markdown post-mortems.
//!
//! # Layout
//! - [`settings`]: `sima.toml` then `SIMA_*` variables.
//! - [`delays`]: the one duration syntax, and the reminder, archive and retry settings.
//! - [`startup`]: `Application::build`, the router, graceful shutdown.
//! - [`api`]: `/api/v1` incidents, timeline, status, metrics.
//! - [`webhooks`]: `/webhooks/alerts` and `/webhooks/alertmanager`.
//! - [`health`]: `/healthz`, `/readyz`, `/metrics`.
//! - [`guard`]: API and metrics tokens, the loopback-only default, rate limits, overload.
//! - [`ui`]: the web dashboard under `/ui/`.
//! - [`telemetry`]: logs and request metrics.
//! - [`error`]: the API error shape.
//! - [`workflows`]: `[[workflows]]`, checked and compiled into the core's `Policy` port.

#![forbid(unsafe_code)]

pub mod api;
pub mod delays;
pub mod error;
pub mod guard;
pub mod health;
pub mod intake;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod ui;
pub mod webhooks;
pub mod workflows;

pub use settings::Settings;
pub use startup::Application;
