//! Running the server: [`Application::builder`] takes the settings and,
//! optionally, an embedder's own store, clock and adapters; `build` wires
//! them into an engine and the routes and binds; `run_until` serves until a
//! signal and shuts down gracefully.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use sima_core::ports::{
    ChatPort, Clock, DocsPort, IncidentStore, PagingPort, SessionStore, StatusPagePort, SystemClock, TrackerPort,
};
use sima_core::IncidentService;
use sima_core::{Engine, PagingPolicy, RunbookConfig, WorkerConfig};
use sima_slack::{SlackState, SocketConfig, SocketMode};
use tokio::net::TcpListener;

use crate::backlog::IntakeGate;
use crate::metrics::ServerMetrics;
use crate::router::router;
use crate::settings::Settings;
use crate::state::{AppState, Shared};
use crate::workflows::{GuardPolicy, WorkflowPolicy};
use crate::{guard, wiring};

/// How long idempotency keys (Slack event ids, alert resolutions) are kept.
pub const KEY_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// A built server: bound, wired, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    /// The use cases, their effect worker and the idempotency-key upkeep.
    engine: Engine,
    sessions: Arc<dyn SessionStore>,
    limiter: Arc<crate::clients::ClientLimiter>,
    /// Slack over Socket Mode, when an app token is set.
    socket: Option<SocketMode>,
    /// How often open tickets are read back, when a tracker is configured.
    reconcile_every: Option<Duration>,
    /// Refuses new incidents from machines while the backlog is over its bound.
    intake: Arc<IntakeGate>,
}

/// Deletes dashboard sessions that have expired, hourly (the engine deletes
/// idempotency keys older than [`KEY_RETENTION`]).
async fn forget_expired_sessions(service: IncidentService, sessions: Arc<dyn SessionStore>) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match sessions.forget_sessions_before(service.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "forgot expired dashboard sessions"),
            Err(error) => tracing::warn!(%error, "could not clean dashboard sessions"),
        }
    }
}

/// What an embedder may bring instead of what the settings name.
#[derive(Default)]
struct Overrides {
    clock: Option<Arc<dyn Clock>>,
    stores: Option<wiring::Stores>,
    chat: Option<Arc<dyn ChatPort>>,
    paging: Option<Arc<dyn PagingPort>>,
    docs: Option<Arc<dyn DocsPort>>,
    tracker: Option<Arc<dyn TrackerPort>>,
    status_page: Option<Arc<dyn StatusPagePort>>,
}

/// Builds an [`Application`]: the reference server — routes, settings,
/// janitors, graceful shutdown — over the adapters the settings name, or
/// over the embedder's own.
///
/// ```no_run
/// # async fn run(pager: std::sync::Arc<dyn sima_core::ports::PagingPort>) -> anyhow::Result<()> {
/// let settings = sima_server::Settings::load()?;
/// let app = sima_server::Application::builder(settings).paging(pager).build().await?;
/// app.run_until_stopped().await
/// # }
/// ```
#[must_use]
pub struct ApplicationBuilder {
    settings: Settings,
    overrides: Overrides,
}

impl ApplicationBuilder {
    /// Time from `clock` instead of the system's.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.overrides.clock = Some(clock);
        self
    }

    /// This store instead of the database `SIMA_DATABASE_URL` names; it keeps
    /// the dashboard's sessions too.
    pub fn store<S: IncidentStore + SessionStore + 'static>(mut self, store: Arc<S>) -> Self {
        self.overrides.stores = Some((store.clone(), store));
        self
    }

    /// This chat adapter instead of the one `SIMA_CHAT` names.
    pub fn chat(mut self, chat: Arc<dyn ChatPort>) -> Self {
        self.overrides.chat = Some(chat);
        self
    }

    /// This paging adapter instead of the one `SIMA_PAGING` names.
    pub fn paging(mut self, paging: Arc<dyn PagingPort>) -> Self {
        self.overrides.paging = Some(paging);
        self
    }

    /// This post-mortem adapter instead of the one `SIMA_DOCS` names.
    pub fn docs(mut self, docs: Arc<dyn DocsPort>) -> Self {
        self.overrides.docs = Some(docs);
        self
    }

    /// This issue tracker instead of the one `SIMA_TRACKER` names.
    pub fn tracker(mut self, tracker: Arc<dyn TrackerPort>) -> Self {
        self.overrides.tracker = Some(tracker);
        self
    }

    /// This hosted status page instead of the one `[status.statuspage]` names.
    pub fn status_page(mut self, status_page: Arc<dyn StatusPagePort>) -> Self {
        self.overrides.status_page = Some(status_page);
        self
    }

    /// Connects the store (running migrations), builds the adapters not
    /// given, the engine and the routes, and binds the listener (port 0
    /// picks a free port).
    ///
    /// # Errors
    /// Invalid settings, a database that cannot be opened, a misconfigured
    /// adapter, or an address that cannot be bound.
    pub async fn build(self) -> anyhow::Result<Application> {
        Application::assemble(self.settings, self.overrides).await
    }
}

impl Application {
    /// A builder over `settings` (see [`ApplicationBuilder`]).
    pub fn builder(settings: Settings) -> ApplicationBuilder {
        ApplicationBuilder { settings, overrides: Overrides::default() }
    }

    /// The server the settings describe: `Application::builder(settings).build()`.
    ///
    /// # Errors
    /// As [`ApplicationBuilder::build`].
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::builder(settings).build().await
    }

    /// [`Application::build`] with another clock.
    ///
    /// # Errors
    /// As [`ApplicationBuilder::build`].
    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        Self::builder(settings).clock(clock).build().await
    }

    async fn assemble(settings: Settings, ours: Overrides) -> anyhow::Result<Self> {
        settings.validate()?;
        for line in settings.describe() {
            tracing::info!("{line}");
        }
        let (store, sessions) = match ours.stores {
            Some(stores) => stores,
            None => wiring::connect_store(&settings).await?,
        };
        let teams = wiring::teams(&settings)?;
        let chat = match (ours.chat, &teams) {
            (Some(chat), _) => chat,
            (None, Some(teams)) => teams.chat_port(),
            (None, None) => wiring::chat(&settings)?,
        };
        let paging = match ours.paging {
            Some(paging) => paging,
            None => wiring::paging(&settings)?,
        };
        let docs = match ours.docs {
            Some(docs) => docs,
            None => wiring::docs(&settings)?,
        };
        let tracker = match ours.tracker {
            Some(tracker) => Some(tracker),
            None => crate::tracker::build(&settings)?,
        };
        let runbook = RunbookConfig {
            broadcast_room: wiring::broadcast_room(&settings),
            public_url: settings.public_url.clone(),
            room_prefix: settings.room_prefix.clone(),
            paging: PagingPolicy { min_severity: settings.page_min_severity },
            schedule: crate::delays::schedule(&settings.reminders, &settings.rooms),
            services: settings.service_catalog(),
            severities: settings.severity_names(),
            // Checked by `validate` above: a wrong model stops the start there, naming it.
            schema: settings.field_schema().map_err(|problems| anyhow::anyhow!(problems.join("; ")))?,
            status_components: crate::status::core_components(&settings)?,
            public_update_reminder_after: settings.status.reminder_after.0,
            ..RunbookConfig::default()
        };
        let defaults = WorkerConfig::default();
        let worker_config =
            WorkerConfig { retry_for: settings.effects.retry_for.0.unwrap_or(defaults.retry_for), ..defaults };
        let domains = settings.services().iter().map(crate::settings::ServiceSettings::choice).collect();
        // Guards first (a refused command records nothing), then the workflows' steps.
        let guards = Arc::new(GuardPolicy::new(settings.guards.clone()));
        let workflows = Arc::new(WorkflowPolicy::new(settings.workflows.clone()));
        let builder = Engine::builder()
            .policy(guards)
            .policy(workflows)
            .store(store.clone())
            .clock(ours.clock.unwrap_or_else(|| Arc::new(SystemClock)))
            .chat(chat)
            .paging(paging)
            .docs(docs)
            .runbook(runbook)
            .worker(worker_config)
            .domains(domains)
            .key_retention(Some(KEY_RETENTION))
            .tracker_export(crate::tracker::export_mode(settings.tracker.export));
        let hosted_page = match ours.status_page {
            Some(page) => Some(page),
            None => crate::status::hosted_page(&settings)?,
        };
        let builder = match hosted_page {
            Some(page) => builder.status_page(page),
            None => builder,
        };
        let engine = match &tracker {
            Some(tracker) => builder.tracker(tracker.clone()),
            None => builder,
        }
        .build()?;
        let reconcile_every = tracker.as_ref().and(settings.tracker.reconcile_every.0);
        let slack = &settings.slack;
        // Open modals are updated (`views.update`) with the bot token, when set.
        let modal_chat =
            wiring::slack_config(&settings).map(sima_slack::SlackChat::new).transpose().context("configuring Slack")?;
        let slack_state = |verified: Option<&sima_core::Secret>| {
            let state = match verified {
                Some(secret) => SlackState::new(secret.clone(), engine.inbound()),
                None => SlackState::unsigned(engine.inbound()),
            };
            let state = match &modal_chat {
                Some(chat) => state.with_chat(chat.clone()),
                None => state,
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
        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("binding {} (SIMA_LISTEN)", settings.listen))?;
        let limiter = guard::limiter(&settings);
        let metrics = Arc::new(ServerMetrics::new(engine.worker().clone()));
        let intake = Arc::new(IntakeGate::new(&settings.intake, metrics.backlog(), store, metrics.intake().clone()));
        let state = AppState::new(Shared {
            service: engine.service().clone(),
            settings: Arc::new(settings),
            metrics,
            worker: engine.worker().clone(),
            limiter: limiter.clone(),
            sessions: sessions.clone(),
            open_keys: Arc::default(),
            intake: intake.clone(),
        });
        let teams_routes = teams.map(|teams| teams.state(engine.inbound()));
        Ok(Self {
            listener,
            router: router(state, signed_routes, teams_routes),
            engine,
            sessions,
            limiter,
            socket,
            reconcile_every,
            intake,
        })
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

    /// Serves and runs the engine (its effect worker and upkeep) until
    /// `shutdown` completes; then stops accepting, finishes in-flight
    /// requests and effects, and returns.
    ///
    /// # Errors
    /// The listener fails.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let engine_stop = stop_rx.clone();
        let stopped = async move {
            let mut rx = engine_stop;
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let janitor = tokio::spawn(forget_expired_sessions(self.engine.service().clone(), self.sessions));
        let reconcile = self.reconcile_every.map(|period| {
            let mut stop = stop_rx.clone();
            let stopped = async move {
                let _ = stop.wait_for(|stop| *stop).await;
            };
            tokio::spawn(crate::tracker::reconcile::run(self.engine.service().clone(), period, stopped))
        });
        let backlog = self.intake.bound().map(|_| {
            let (watch, service) = (self.intake.watch().clone(), self.engine.service().clone());
            let mut stop = stop_rx.clone();
            let stopped = async move {
                let _ = stop.wait_for(|stop| *stop).await;
            };
            tokio::spawn(async move { watch.run(service, stopped).await })
        });
        let engine_task = tokio::spawn(self.engine.run(stopped));
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
        engine_task.await.context("effect worker")?;
        if let Some(socket) = socket {
            socket.await.context("Slack Socket Mode")?;
        }
        if let Some(reconcile) = reconcile {
            reconcile.await.context("ticket read-back")?;
        }
        janitor.abort();
        shrinker.abort();
        if let Some(backlog) = backlog {
            backlog.abort();
        }
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
