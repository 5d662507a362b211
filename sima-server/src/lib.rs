//! `sima-server` is SIMA's reference server: it wires `sima-core` to Slack,
//! PagerDuty, Notion and a SQL store, serves the Slack endpoints, monitoring
//! webhooks, a REST API and Prometheus metrics, and runs the effect worker.
//! Run it with `cargo run -p sima-server`; with nothing configured it uses
//! SQLite, log-only chat and paging, and Markdown post-mortems.
//!
//! # Layout
//! - [`cli`]: `sima-server [serve]`, `check-config`, `migrate`; `--config`, `--version`.
//! - [`build`]: the version and the commit built from.
//! - [`settings`]: `sima.toml` then `SIMA_*` variables (`SIMA_<SECTION>__<KEY>` for every key).
//! - [`schema`]: the database migrations, applied at start-up or by `migrate`.
//! - [`providers`]: which adapter serves each port (`SIMA_CHAT`, `SIMA_DOCS`, `SIMA_PAGING`).
//! - [`delays`]: the one duration syntax, and the reminder, archive and retry settings.
//! - [`backlog`]: `[intake] max_backlog`, refusing new incidents from machines while accepted work waits too long.
//! - [`startup`]: `Application::builder` (any store and adapters), serving, graceful shutdown.
//! - [`router`]: every route and the layers around them.
//! - [`api`]: `/api/v1` incidents, timeline, status, metrics.
//! - [`webhooks`]: `/webhooks/alerts` and `/webhooks/alertmanager`.
//! - [`teams`]: `/teams/messages`, the Bot Framework's messaging endpoint.
//! - [`health`]: `/healthz`, `/readyz`, `/metrics`.
//! - [`metrics`]: what `/metrics` shows, one registry per server.
//! - [`guard`]: API and metrics tokens, the loopback-only default, rate limits, overload.
//! - [`clients`]: who a request counts against (behind declared proxies), and their budgets.
//! - [`ui`]: the web dashboard under `/ui/`.
//! - [`status`]: the public status page under `/status`, its feed and `summary.json`.
//! - [`tracker`]: the Jira or Linear adapter `SIMA_TRACKER` names, and the ticket read-back loop.
//! - [`telemetry`]: logs (`SIMA_LOG_FORMAT`), request ids, the access log.
//! - [`error`]: the API error shape.
//! - [`wiring`]: the adapters the settings name, one function per port.
//! - [`workflows`]: `[[workflows]]`, checked and compiled into the core's `Policy` port.

#![forbid(unsafe_code)]

pub mod api;
pub mod backlog;
pub mod build;
pub mod cli;
pub mod clients;
pub mod delays;
pub mod error;
pub mod guard;
pub mod health;
pub mod intake;
pub mod metrics;
pub mod providers;
pub mod router;
pub mod schema;
pub mod settings;
pub mod startup;
pub mod state;
pub mod status;
pub mod teams;
pub mod telemetry;
pub mod tracker;
pub mod ui;
pub mod webhooks;
pub mod wiring;
pub mod workflows;

pub use settings::Settings;
pub use startup::{Application, ApplicationBuilder};
