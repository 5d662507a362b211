//! Wiring: settings → store, ports, service, worker, routes; serving until
//! a signal; graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{any, get};
use axum::{middleware, Router};
use sima_core::domain::RoomId;
use sima_core::ports::{ChatPort, Clock, DocsPort, IncidentStore, PagingPort, SystemClock};
use sima_core::DomainChoice;
use sima_core::{Conversation, IncidentService};
use sima_core::{EffectWorker, Engine, PagingPolicy, Ports, RunbookConfig, WakeReceiver, WorkerConfig};
use sima_core::{LogChat, LogPager, MarkdownDocs};
use sima_slack::{SlackChat, SlackConfig, SlackState, SocketConfig, SocketMode};
use tokio::net::TcpListener;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::timeout::TimeoutLayer;
use tower::ServiceBuilder;

use crate::error::ApiError;
use crate::settings::Settings;
use crate::state::AppState;
use crate::telemetry::{track, HttpMetrics};
use crate::workflows::{GuardPolicy, WorkflowPolicy};
use crate::{api, guard, health, ui, webhooks};

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How long a request may take by default before it is answered 503
/// (`limits.request_timeout_secs`).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How long idempotency keys (Slack event ids, alert resolutions) are kept.
pub const KEY_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// A built server: bound, wired, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    worker: EffectWorker,
    wake: WakeReceiver,
    service: IncidentService,
    limiter: Arc<guard::ClientLimiter>,
    /// Slack over Socket Mode, when an app token is set.
    socket: Option<SocketMode>,
}

/// How long any caller waits for a PostgreSQL connection before the store
/// answers `Transient` (an API 503 with `Retry-After`, a "could not record
/// this yet" in Slack, a retried effect).
///
/// This is how outages fail fast. While PostgreSQL is down, sqlx keeps
/// retrying the connection until the pool's acquire timeout, so the timeout
/// is how long a request waits to learn the database is gone; half a second
/// keeps every answer well inside a second (and a Slack acknowledgement, which
/// may touch the store twice, inside Slack's 3 s). No circuit breaker is
/// needed on top: a refused connection costs a few milliseconds, the pool
/// reconnects on its own once the database is back, and nothing has to be
/// reset. The same deadline bounds waiting for a busy pool, where a quick 503
/// is the right answer too.
pub const STORE_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(500);

/// Deletes idempotency keys older than [`KEY_RETENTION`], hourly.
async fn forget_old_keys(service: IncidentService) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let age = chrono::Duration::from_std(KEY_RETENTION).unwrap_or(chrono::Duration::MAX);
        match service.forget_keys_older_than(age).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(keys = n, "forgot old idempotency keys"),
            Err(error) => tracing::warn!(%error, "could not clean idempotency keys"),
        }
    }
}

async fn connect_store(settings: &Settings) -> anyhow::Result<Arc<dyn IncidentStore>> {
    let url = &settings.database_url;
    Ok(if settings.is_postgres() {
        let mut config = sima_store_postgres::PgStoreConfig::new(url.clone());
        config.acquire_timeout_ms = Some(STORE_ACQUIRE_TIMEOUT.as_millis().try_into().unwrap_or(u64::MAX));
        Arc::new(sima_store_postgres::PgStore::connect(&config).await.context("connecting to PostgreSQL")?)
    } else {
        let config = sima_store_sqlite::SqliteStoreConfig::new(url.clone());
        Arc::new(sima_store_sqlite::SqliteStore::connect(&config).await.context("opening the SQLite database")?)
    })
}

fn slack_config(settings: &Settings) -> Option<SlackConfig> {
    let slack = &settings.slack;
    let token = slack.bot_token.as_ref()?;
    let mut config = SlackConfig::new(token.clone(), slack.signing_secret.clone().unwrap_or_default());
    if let Some(url) = &slack.api_url {
        config = config.with_api_url(url.clone());
    }
    config.team_id = slack.team_id.clone();
    Some(config)
}

fn build_ports(settings: &Settings) -> anyhow::Result<Ports> {
    let chat: Arc<dyn ChatPort> = match slack_config(settings) {
        Some(config) => Arc::new(SlackChat::new(&config).context("configuring Slack")?),
        None => Arc::new(LogChat::new()),
    };
    let pd = &settings.pagerduty;
    let domain_keys: Vec<_> =
        settings.domains.iter().filter_map(|d| Some((d.name.clone(), d.routing_key.clone()?))).collect();
    let pager: Arc<dyn PagingPort> = if pd.routing_key.is_none() && domain_keys.is_empty() {
        Arc::new(LogPager)
    } else {
        let mut config = sima_pagerduty::PagerDutyConfig::new(pd.routing_key.as_ref().map_or("", |k| k.expose()));
        if pd.routing_key.is_none() {
            config.default_routing_key = None;
        }
        if let Some(url) = &pd.events_url {
            config = config.with_events_url(url.clone());
        }
        for (domain, key) in domain_keys {
            config = config.with_routing_key(domain.as_str(), key.expose());
        }
        Arc::new(sima_pagerduty::PagerDutyPager::new(config).context("configuring PagerDuty")?)
    };
    let notion = &settings.notion;
    let docs: Arc<dyn DocsPort> = match (&notion.token, &notion.data_source_id) {
        (Some(token), Some(source)) => {
            let mut config = sima_notion::NotionConfig::new(token.expose(), source.clone());
            if let Some(url) = &notion.api_url {
                config = config.with_api_url(url.clone());
            }
            Arc::new(sima_notion::NotionDocs::new(config).context("configuring Notion")?)
        }
        _ => Arc::new(
            MarkdownDocs::new(settings.postmortem_dir.clone())
                .with_url_base(format!("{}/postmortems", settings.public_url.trim_end_matches('/'))),
        ),
    };
    Ok(Ports { chat, pager, docs })
}

async fn slack_unconfigured() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Slack requests cannot be verified: set SIMA_SLACK_SIGNING_SECRET on the server",
    )
}

/// Every route, over `state`; Slack routes are verified with `slack` when set.
pub fn router(state: AppState, slack: Option<SlackState>) -> Router {
    let slack = match slack {
        Some(slack) => sima_slack::router(slack),
        None => Router::new().route("/{*rest}", any(slack_unconfigured)),
    };
    let limits = &state.settings.limits;
    let overload = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(guard::overloaded))
        .layer(LoadShedLayer::new())
        .layer(GlobalConcurrencyLimitLayer::new(limits.max_in_flight))
        .layer(TimeoutLayer::new(Duration::from_secs(limits.request_timeout_secs)));
    let rate_limit = middleware::from_fn_with_state(state.clone(), guard::rate_limit);
    let api = api::router()
        .layer(middleware::from_fn_with_state(state.clone(), guard::require_api_token))
        .layer(rate_limit.clone());
    let metrics =
        get(health::prometheus).layer(middleware::from_fn_with_state(state.clone(), guard::require_metrics_token));
    let postmortems = get(health::postmortem)
        .layer(middleware::from_fn_with_state(state.clone(), guard::require_api_token))
        .layer(rate_limit.clone());
    Router::new()
        .nest("/api/v1", api)
        .nest("/webhooks", webhooks::router().layer(rate_limit.clone()))
        .route("/readyz", get(health::readyz))
        .route("/metrics", metrics)
        .route("/postmortems/{file}", postmortems)
        .merge(ui::router(state.clone()).layer(rate_limit))
        .with_state(state.clone())
        .nest("/slack", slack)
        .fallback(|| async {
            ApiError::not_found("no such route; see /api/v1/incidents, /webhooks/alerts, /slack/commands")
        })
        .layer(overload)
        // Liveness answers even when the server sheds load.
        .route("/healthz", get(health::healthz))
        .layer(middleware::from_fn_with_state(state.http.clone(), track))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

impl Application {
    /// Connects the store (running migrations), builds the ports and binds
    /// the listener (port 0 picks a free port).
    ///
    /// # Errors
    /// The database cannot be opened, an adapter is misconfigured, or the
    /// address cannot be bound.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// [`Application::build`] with another clock.
    ///
    /// # Errors
    /// As [`Application::build`].
    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        settings.validate()?;
        for line in settings.describe() {
            tracing::info!("{line}");
        }
        let store = connect_store(&settings).await?;
        let ports = build_ports(&settings)?;
        let runbook = RunbookConfig {
            broadcast_room: RoomId::new(settings.broadcast_channel.clone()),
            public_url: settings.public_url.clone(),
            room_prefix: settings.room_prefix.clone(),
            paging: PagingPolicy { min_severity: settings.page_min_severity },
            schedule: crate::delays::schedule(&settings.reminders, &settings.rooms),
        };
        let defaults = WorkerConfig::default();
        let worker_config =
            WorkerConfig { retry_for: settings.effects.retry_for.0.unwrap_or(defaults.retry_for), ..defaults };
        let chat = ports.chat.clone();
        // Guards first (a refused command records nothing), then the workflows' steps.
        let guards = Arc::new(GuardPolicy::new(settings.guards.clone()));
        let workflows = Arc::new(WorkflowPolicy::new(settings.workflows.clone()));
        let (service, worker, wake) = Engine::builder()
            .policy(guards)
            .policy(workflows)
            .store(store.clone())
            .clock(clock.clone())
            .chat(ports.chat)
            .paging(ports.pager)
            .docs(ports.docs)
            .runbook(runbook)
            .worker(worker_config)
            .build()?
            .into_parts();
        let domains = settings
            .domains
            .iter()
            .map(|d| DomainChoice { domain: d.name.clone(), description: d.description.clone() })
            .collect();
        let conversation =
            Conversation::new(service.clone(), chat, domains).with_severity_descriptions(settings.severities.clone());
        let slack = &settings.slack;
        let slack_state = |verified: Option<&sima_core::Secret>| {
            let handler = Arc::new(conversation.clone());
            let state = match verified {
                Some(secret) => SlackState::new(secret.clone(), handler, store.clone(), clock.clone()),
                None => SlackState::unsigned(handler, store.clone(), clock.clone()),
            };
            match &slack.api_url {
                Some(url) => state.with_api_url(url),
                None => state,
            }
        };
        let signed_routes = slack.signing_secret.as_ref().map(|secret| slack_state(Some(secret)));
        let socket = match &slack.app_token {
            Some(token) => {
                let mut config = SocketConfig::new(token.clone()).context("SIMA_SLACK_APP_TOKEN (slack.app_token)")?;
                if let Some(url) = &slack.api_url {
                    config = config.with_api_url(url.clone());
                }
                let state = slack_state(slack.signing_secret.as_ref());
                Some(SocketMode::new(config, state).context("configuring Slack Socket Mode")?)
            }
            None => None,
        };
        tracing::info!(
            "Slack inbound: {}",
            match (&socket, &signed_routes) {
                (Some(_), Some(_)) => "Socket Mode, and the signed HTTP routes under /slack",
                (Some(_), None) => "Socket Mode (no signing secret: the HTTP routes under /slack refuse requests)",
                (None, Some(_)) => "signed HTTP routes under /slack",
                (None, None) => "off (set SIMA_SLACK_APP_TOKEN for Socket Mode or SIMA_SLACK_SIGNING_SECRET for HTTP)",
            }
        );
        let janitor = service.clone();
        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("binding {} (SIMA_LISTEN)", settings.listen))?;
        let limiter = guard::limiter(&settings);
        let state = AppState {
            service,
            conversation,
            settings: Arc::new(settings),
            http: Arc::new(HttpMetrics::default()),
            worker: worker.clone(),
            limiter: limiter.clone(),
            gauges: Arc::default(),
        };
        Ok(Self { listener, router: router(state, signed_routes), worker, wake, service: janitor, limiter, socket })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    /// Serves until SIGINT or SIGTERM.
    ///
    /// # Errors
    /// The listener fails.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves and runs the effect worker until `shutdown` completes; then stops
    /// accepting, finishes in-flight requests and effects, and returns.
    ///
    /// # Errors
    /// The listener fails.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let worker = self.worker.clone();
        let worker_stop = stop_rx.clone();
        let stopped = async move {
            let mut rx = worker_stop;
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let worker_task = tokio::spawn(async move { worker.run(self.wake, stopped).await });
        let janitor = tokio::spawn(forget_old_keys(self.service));
        let limiter = self.limiter;
        let shrinker = tokio::spawn(async move {
            let mut every_minute = tokio::time::interval(Duration::from_secs(60));
            loop {
                every_minute.tick().await;
                limiter.shrink();
            }
        });
        let socket = self.socket.map(|socket| {
            let mut stop = stop_rx.clone();
            tokio::spawn(socket.run(async move {
                let _ = stop.wait_for(|stop| *stop).await;
            }))
        });
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(self.listener, service).with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: finishing requests and effects in flight");
            let _ = stop_tx.send(true);
        });
        serve.await.context("serving HTTP")?;
        worker_task.await.context("effect worker")?;
        if let Some(socket) = socket {
            socket.await.context("Slack Socket Mode")?;
        }
        janitor.abort();
        shrinker.abort();
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
