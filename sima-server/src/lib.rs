//! `sima-server` is SIMA's reference server: it wires `sima-core` to Slack,
//! PagerDuty, Notion and a SQL store, serves the Slack endpoints, monitoring
//! webhooks, a REST API and Prometheus metrics, and runs the effect worker.
//! Run it with `cargo run -p sima-server`; with nothing configured it uses
//! SQLite, log-only chat and paging, and Markdown post-mortems.
//!
//! # Layout
//! - [`settings`]: `sima.toml` then `SIMA_*` variables.
//! - [`providers`]: which adapter serves each port (`SIMA_CHAT`, `SIMA_DOCS`, `SIMA_PAGING`).
//! - [`delays`]: the one duration syntax, and the reminder, archive and retry settings.
//! - [`startup`]: `Application::builder` (any store and adapters), serving, graceful shutdown.
//! - [`router`]: every route and the layers around them.
//! - [`api`]: `/api/v1` incidents, timeline, status, metrics.
//! - [`webhooks`]: `/webhooks/alerts` and `/webhooks/alertmanager`.
//! - [`health`]: `/healthz`, `/readyz`, `/metrics`.
//! - [`gauges`]: the incident counts behind `/metrics`, cached.
//! - [`guard`]: API and metrics tokens, the loopback-only default, rate limits, overload.
//! - [`clients`]: who a request counts against (behind declared proxies), and their budgets.
//! - [`ui`]: the web dashboard under `/ui/`.
//! - [`telemetry`]: logs and request metrics.
//! - [`error`]: the API error shape.
//! - [`wiring`]: the adapters the settings name, one function per port.
//! - [`workflows`]: `[[workflows]]`, checked and compiled into the core's `Policy` port.

#![forbid(unsafe_code)]

pub mod api;
pub mod clients;
pub mod delays;
pub mod error;
pub mod gauges;
pub mod guard;
pub mod health;
pub mod intake;
pub mod providers;
pub mod router;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod ui;
pub mod webhooks;
pub mod wiring;
pub mod workflows;

pub use settings::Settings;
pub use startup::{Application, ApplicationBuilder};
